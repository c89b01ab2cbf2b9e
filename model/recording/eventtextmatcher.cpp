// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/eventtextmatcher.h"

#include "model/history/eventlogmodel.h"
#include "model/modeltext.h"
#include "platform/format.h"
#include "platform/netnstable.h"
#include "platform/requester.h"

#include <charconv>

namespace ncv {

namespace {

using platform::ObjectKind;

const char16_t *utf16(const QString &s)
{
    return reinterpret_cast<const char16_t *>(s.constData());
}

template<typename Char> bool isAscii(const Char *p, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        if (static_cast<std::uint32_t>(p[i]) >= 0x80)
            return false;
    }
    return true;
}

template<typename Char> char lowerAscii(Char c)
{
    return char(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

// True when the ASCII text h (n units) contains folded (ASCII, lower case) ignoring ASCII case.
template<typename Char> bool containsFolded(const Char *h, std::size_t n, const std::string &folded)
{
    const std::size_t m = folded.size();
    if (m == 0)
        return true;
    if (n < m)
        return false;
    const char first = folded[0];
    for (std::size_t i = 0; i + m <= n; ++i) {
        if (lowerAscii(h[i]) != first)
            continue;
        std::size_t j = 1;
        while (j < m && lowerAscii(h[i + j]) == folded[j])
            ++j;
        if (j == m)
            return true;
    }
    return false;
}

} // namespace

void TimeText::utf8(std::int64_t timeUs, std::string *out)
{
    if (timeUs < 0) {
        *out = EventLogModel::timeText(timeUs).toStdString();
        return;
    }
    const std::int64_t second = timeUs / 1'000'000;
    if (second != m_second) {
        m_second = second;
        m_prefix = EventLogModel::timeText(second * 1'000'000).chopped(6).toStdString();
    }
    *out = m_prefix;
    char digits[6];
    std::int64_t us = timeUs % 1'000'000;
    for (int i = 5; i >= 0; --i, us /= 10)
        digits[i] = char('0' + us % 10);
    out->append(digits, sizeof digits);
}

EventTextMatcher::EventTextMatcher(const QString &text) : m_text(text)
{
    m_ascii = isAscii(utf16(text), std::size_t(text.size()));
    if (m_ascii) {
        m_folded.reserve(std::size_t(text.size()));
        for (const QChar c : text)
            m_folded += lowerAscii(c.unicode());
    }
}

bool EventTextMatcher::contains(const std::string &cell) const
{
    if (m_ascii && isAscii(cell.data(), cell.size()))
        return containsFolded(cell.data(), cell.size(), m_folded);
    return qs(cell).contains(m_text, Qt::CaseInsensitive);
}

bool EventTextMatcher::contains(const QString &cell) const
{
    if (m_ascii && isAscii(utf16(cell), std::size_t(cell.size())))
        return containsFolded(utf16(cell), std::size_t(cell.size()), m_folded);
    return cell.contains(m_text, Qt::CaseInsensitive);
}

bool EventTextMatcher::kindCell(KindTable &table, unsigned code, int column, const platform::ChangeRecord &r)
{
    std::uint8_t &known = table[code & 0xff];
    if (known == 0)
        known
            = EventLogModel::recordCell(column, r, QString()).toString().contains(m_text, Qt::CaseInsensitive) ? 2 : 1;
    return known == 2;
}

bool EventTextMatcher::matches(std::uint64_t seq, const platform::ChangeRecord &r, const QString &ifName)
{
    if (m_text.isEmpty())
        return true;
    // Object, Change and Family: a name per kind (the cell depends on that field alone).
    if (kindCell(m_object, unsigned(r.object), EventLogModel::Object, r)
        || kindCell(m_change, unsigned(r.change), EventLogModel::Change, r)
        || kindCell(m_family, unsigned(r.family), EventLogModel::Family, r))
        return true;
    if (contains(ifName))
        return true;
    if (r.requester != 0) {
        // By: one text per requester, tried once.
        if (r.requester >= m_by.size())
            m_by.resize(std::size_t(r.requester) + 1, 0);
        std::uint8_t &known = m_by[r.requester];
        if (known == 0)
            known = contains(platform::requesterText(platform::RequesterTable::get(r.requester))) ? 2 : 1;
        if (known == 2)
            return true;
    }
    if (r.netns != 0) {
        // Namespace: one name per namespace, tried once.
        if (r.netns >= m_namespace.size())
            m_namespace.resize(std::size_t(r.netns) + 1, 0);
        std::uint8_t &known = m_namespace[r.netns];
        if (known == 0)
            known = contains(platform::NamespaceTable::name(r.netns)) ? 2 : 1;
        if (known == 2)
            return true;
    }
    char number[24];
    const auto [end, ec] = std::to_chars(number, number + sizeof number, seq);
    m_cell.assign(number, ec == std::errc() ? end : number);
    if (contains(m_cell))
        return true;
    m_time.utf8(r.timeUs, &m_cell);
    if (contains(m_cell))
        return true;
    // Key, then Summary, which repeats the key (formatted once for both).
    const bool keyed = r.object != ObjectKind::Gap && r.object != ObjectKind::None;
    m_key = platform::recordKeyText(r);
    if (!m_key.empty() && contains(m_key))
        return true;
    if (ifName != m_lastName) {
        m_lastName = ifName;
        m_lastNameUtf8 = ifName.toStdString();
    }
    m_cell.clear();
    platform::appendSummary(m_cell, r, m_lastNameUtf8, keyed ? std::string_view(m_key) : std::string_view());
    return contains(m_cell);
}

bool EventTextMatcher::matchesReference(std::uint64_t seq, const platform::ChangeRecord &r, const QString &ifName,
                                        const QString &text)
{
    for (int column = 0; column < EventLogModel::ColumnCount; ++column) {
        QVariant cell;
        if (column == EventLogModel::Sequence || column == EventLogModel::Time || column == EventLogModel::Interface)
            cell = EventLogModel::keyCell(column, false, seq, r.timeUs, ifName);
        else
            cell = EventLogModel::recordCell(column, r, ifName);
        if (cell.toString().contains(text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace ncv
