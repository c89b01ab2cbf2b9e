// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/history/requestermatcher.h"

#include "platform/requester.h"

#include <QSet>
#include <QStringList>

namespace ncv {

using platform::Requester;

RequesterMatcher::RequesterMatcher(const QString &text) : m_text(text.trimmed())
{
    if (m_text.contains(u'*') || m_text.contains(u'?')) {
        // Our own glob: QRegularExpression's wildcard conversion treats '/' as a path separator
        // (a cause may hold one).
        QString re;
        for (const QChar c : std::as_const(m_text)) {
            if (c == u'*')
                re += QStringLiteral(".*");
            else if (c == u'?')
                re += u'.';
            else
                re += QRegularExpression::escape(QString(c));
        }
        m_pattern = QRegularExpression(QRegularExpression::anchoredPattern(re),
                                       QRegularExpression::CaseInsensitiveOption
                                           | QRegularExpression::DotMatchesEverythingOption);
    }
}

bool RequesterMatcher::matchesText(const QString &candidate) const
{
    if (candidate.isEmpty())
        return false;
    if (m_pattern.isValid() && !m_pattern.pattern().isEmpty())
        return m_pattern.match(candidate).hasMatch();
    return candidate.compare(m_text, Qt::CaseInsensitive) == 0;
}

bool RequesterMatcher::matches(const Requester &r) const
{
    if (m_text.isEmpty())
        return true;
    if (r.kind == Requester::Kind::None)
        return false;
    if (matchesText(QString::fromStdString(platform::requesterText(r))))
        return true;
    if (matchesText(QString::fromStdString(r.command)))
        return true;
    if (r.pid != 0 && matchesText(QString::number(r.pid)))
        return true;
    if (r.kind == Requester::Kind::Cause) {
        const std::size_t paren = r.cause.find(" (");
        if (paren != std::string::npos && matchesText(QString::fromStdString(r.cause.substr(0, paren))))
            return true;
    }
    return false;
}

bool RequesterMatcher::matches(std::uint32_t requesterId)
{
    if (m_text.isEmpty())
        return true;
    if (requesterId == 0)
        return false;
    if (requesterId >= m_cache.size())
        m_cache.resize(std::size_t(requesterId) + 1, 0);
    std::uint8_t &known = m_cache[requesterId];
    if (known == 0)
        known = matches(platform::RequesterTable::get(requesterId)) ? 2 : 1;
    return known == 2;
}

QStringList RequesterMatcher::knownNames()
{
    QSet<QString> names {QStringLiteral("kernel")};
    const std::size_t n = platform::RequesterTable::size();
    for (std::uint32_t id = 1; id < n; ++id) {
        const Requester &r = platform::RequesterTable::get(id);
        if (!r.command.empty())
            names.insert(QString::fromStdString(r.command));
    }
    QStringList list(names.begin(), names.end());
    list.sort(Qt::CaseInsensitive);
    return list;
}

} // namespace ncv
