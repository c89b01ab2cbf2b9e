// RouteTableModel: the live Routes table (one row per platform::RouteRow, multipath
// routes are one row). GUI thread only; fed by NotificationModel.
#pragma once

#include "keyedtablemodel.h"

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
    /// ("12s", counting down: one dataChanged over the column per second while a route
    /// has an expiry), "" when it never expires (SortRole: seconds, never = max).
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
    /// Scans the row's display texts (written into one reusable buffer, no QString per cell).
    /// Thread-safe against itself (read-only), as ChangeTableProxy runs it on two threads.
    bool rowContains(int row, const Needle &needle) const override;

protected:
    QVariant cellData(int row, int column, int role) const override;
    bool isNumberColumn(int column) const override;
    quint32 columnsForFields(platform::FieldMask mask) const override;

private:
    void tick(); // once a second: the Expires column counts down
    const QString &protocolText(const platform::RouteRow &r) const;
    const QString &typeText(std::uint8_t type) const;

    const InterfaceNames *m_names;
    QTimer m_expiryTimer;
    // Names by rtm_protocol / rtm_type / rtm_scope value, filled at construction (read-only
    // afterwards, so rowContains() may run on several threads).
    std::array<QString, 256> m_protocolTexts;
    std::array<QString, 256> m_typeTexts;
    std::array<std::string, 256> m_protocolLower, m_typeLower, m_scopeLower;
};

} // namespace ncv
