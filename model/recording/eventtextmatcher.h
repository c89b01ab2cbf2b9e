// SPDX-License-Identifier: GPL-2.0-or-later
// EventTextMatcher: whether an event's row of the event log shows a text, decided as
// QString::contains(text, Qt::CaseInsensitive) on each column's display text
// (EventLogModel::keyCell / recordCell: #, Time, Object, Change, Family, Interface, Key,
// By, Summary, Namespace) decides it, for the file-backed log's filter scan (FileEventLogModel), which
// runs it on every event of a recording (10M and more).
//
// Same answer as matchesReference() (the cells as QStrings, as the log shows them), faster:
// - The cells known without formatting the record come first (the kind names from tables
//   computed once per text, the interface name, the number, the clock text); Key and
//   Summary are formatted only for events none of those matched.
// - Cells are matched as UTF-8 bytes, never converted to QString: when the text and the
//   cell are both ASCII, case-insensitive containment is ASCII case folding of both, which
//   is what Qt's case folding does on ASCII. A text or cell with any other character is
//   matched by QString::contains itself (Unicode folding can map a non-ASCII character to
//   an ASCII one: U+212A KELVIN SIGN folds to 'k').
// Not thread-safe (it caches the clock text of the last second): one per thread.
#pragma once

#include "platform/types.h"

#include <QString>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ncv {

/// The Time column's text as EventLogModel::timeText() writes it (µs since the epoch, local
/// time), with the clock part ("hh:mm:ss.") formatted once per second: the local time
/// conversion costs a stat() of the time zone file per call.
class TimeText {
public:
    /// The text as UTF-8 into *out (replaced).
    void utf8(std::int64_t timeUs, std::string *out);

private:
    std::int64_t m_second = -1;
    std::string m_prefix;
};

class EventTextMatcher {
public:
    /// text: what the filter line holds; "" matches every event.
    explicit EventTextMatcher(const QString &text);

    /// True when some column's display text of the event (sequence number seq, record r
    /// with its timeUs, interface name ifName as the log shows it) contains the text,
    /// ignoring case.
    bool matches(std::uint64_t seq, const platform::ChangeRecord &r, const QString &ifName);

    /// The same answer from the cells as the log's model builds them (QVariant -> QString,
    /// QString::contains): the definition matches() keeps to, for tests and comparisons.
    static bool matchesReference(std::uint64_t seq, const platform::ChangeRecord &r, const QString &ifName,
                                 const QString &text);

private:
    // 0 unknown, 1 no, 2 yes: the kind columns' text is one of a few names per kind.
    using KindTable = std::array<std::uint8_t, 256>;
    bool contains(const std::string &cell) const;
    bool contains(const QString &cell) const;
    bool kindCell(KindTable &table, unsigned code, int column, const platform::ChangeRecord &r);

    QString m_text;
    bool m_ascii = false; // the text is all ASCII: m_folded holds it in lower case
    std::string m_folded;
    KindTable m_object {}, m_change {}, m_family {};
    TimeText m_time;
    QString m_lastName; // the interface name of the previous event, and its UTF-8 form
    std::string m_lastNameUtf8;
    std::string m_key, m_cell; // reused buffers
    std::vector<std::uint8_t> m_by; // RequesterTable id -> 0 not tried yet, 1 no match, 2 the By text matches
    std::vector<std::uint8_t> m_namespace; // NamespaceTable id -> the same for the Namespace text
};

} // namespace ncv
