// SPDX-License-Identifier: GPL-2.0-or-later
// RouteTableModel: the live Routes table (one row per platform::RouteRow, multipath
// routes are one row). GUI thread only; fed by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

#include <QTimer>
#include <array>

namespace ncv {

class InterfaceNames;

class RouteTableModel : public KeyedTableModel<platform::RouteRow> {
    Q_OBJECT
public:
    /// Headers: "Family", "Destination", "Next hop", "Interface", "Metric", "Table",
    /// "Protocol", "Scope", "Type", "Pref. source", "Expires".
    /// Family "IPv4"/"IPv6"; Destination CIDR; Next hop: gateways joined by ", " ("" when
    /// on-link); Interface: name of the first next hop's ifindex; Table "main"/"local"/number;
    /// Protocol by name (rtm_protocol) or number; Expires: seconds left until RouteRow::expiresUs
    /// ("12s", counting down: once a second a dataChanged over the Expires cells of the
    /// routes that have an expiry, in ranges of neighbouring rows), "" when it never expires (SortRole: seconds, never
    /// = max).
    enum Column {
        Family,
        Destination,
        NextHops,
        Interface,
        Metric,
        Table,
        Protocol,
        Scope,
        Type,
        PrefSrc,
        Expires,
        ColumnCount
    };

    /// names: resolves the Interface column (ifindex -> name); may be nullptr ("if N" then).
    explicit RouteTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Emits dataChanged over the Interface column (after a rename).
    void interfaceNamesChanged();

    /// Direct comparisons of the stored rows, in the order of the SortRole data (next hops:
    /// by gateway address; protocol and type: by name).
    int compareRows(int a, int b, int column) const override;
    /// Checks the row's columns one by one against the prepared needle: names (family,
    /// protocol, scope, type, table) through per-needle tables, numbers and IPv4 addresses
    /// written into a stack buffer (no QString, no allocation), interface names as QString.
    /// Thread-safe against itself (read-only), as ChangeTableProxy runs it on two threads.
    bool rowContains(int row, const Needle &needle) const override;
    void prepareContains(const Needle &needle) const override;
    /// Keys for every column (IPv4 addresses and numbers exact; IPv6 by their first bytes;
    /// names by their rank among the distinct names).
    bool sortKeys(int column, std::vector<SortKey> &keys) const override;

protected:
    QVariant cellData(int row, int column, int role) const override;
    bool isNumberColumn(int column) const override;
    quint32 columnsForFields(platform::FieldMask mask) const override;

private:
    void tick(); // once a second: the Expires column counts down
    /// Protocol column text: rtm_protocol names from the table, others (MIB_IPPROTO_*, > 255) built.
    QString protocolText(const platform::RouteRow &r) const;
    const QString &typeText(std::uint8_t type) const;

    const InterfaceNames *m_names;
    QTimer m_expiryTimer;
    // Names by rtm_protocol / rtm_type / rtm_scope value, filled at construction (read-only
    // afterwards, so rowContains() may run on several threads).
    std::array<QString, 256> m_protocolTexts;
    std::array<QString, 256> m_typeTexts;
    std::array<std::string, 256> m_protocolLower, m_typeLower, m_scopeLower;
    // Per-needle answers, written by prepareContains() on the GUI thread, read by the scan.
    struct Match {
        quint64 generation = 0;
        bool prepared = false;
        std::string needle; // lower-case UTF-8
        std::array<bool, 3> family {}; // by platform::Family value
        std::array<bool, 256> protocol {}, scope {}, type {}, table {};
        bool address = false; // the needle may occur in an address / next-hop text
        bool number = false; // ... in a decimal number (all digits)
        bool expires = false; // ... in an Expires text ("12s")
    };
    mutable Match m_match;
    // Rows with an expiry (Expires column counting down), rebuilt when the table changed.
    std::vector<int> m_expiring;
    quint64 m_expiringRevision = ~quint64(0);
};

} // namespace ncv
