// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/export/jsonlinesreader.h"

#include "model/export/jsonlines.h"
#include "model/history/eventcodec.h"
#include "platform/requester.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <cstring>

namespace ncv {

using namespace platform;

namespace {

// The largest integer a JSON number (an IEEE double) holds exactly.
constexpr double kMaxExactInteger = 9007199254740992.0;

bool integerMember(const QJsonObject &o, QLatin1StringView key, qint64 *out)
{
    const QJsonValue v = o.value(key);
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (d != double(qint64(d)) || d > kMaxExactInteger || d < -kMaxExactInteger)
        return false;
    *out = qint64(d);
    return true;
}

} // namespace

bool JsonLinesReader::parseLine(std::string_view line, ChangeRecord *record, QString *error)
{
    m_lineErrorKind = ErrorKind::Damaged;
    QJsonParseError parseError;
    const QJsonDocument doc
        = QJsonDocument::fromJson(QByteArray::fromRawData(line.data(), qsizetype(line.size())), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not JSON: %1 at byte %2").arg(parseError.errorString()).arg(parseError.offset + 1);
        return false;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("not a JSON object");
        return false;
    }
    const QJsonObject o = doc.object();
    const QJsonValue schema = o.value(QLatin1StringView("schema"));
    const QString schemaText = schema.toString();
    const QLatin1StringView schemaName(jsonlines::kSchemaName);
    // "netchangeview.event/N", or "/N.M" from a writer that marks additions too: major N.
    bool majorOk = false;
    const int major = schemaText.startsWith(schemaName)
        ? schemaText.mid(schemaName.size()).section(QLatin1Char('.'), 0, 0).toInt(&majorOk)
        : 0;
    if (!schema.isString() || !majorOk || major < 0) {
        m_lineErrorKind = ErrorKind::NotAnEventStream;
        *error = schema.isString()
            ? QStringLiteral("unknown schema \"%1\": not a netchangeview event stream").arg(schemaText)
            : QStringLiteral("no \"schema\" member: not a netchangeview event");
        return false;
    }
    if (major != jsonlines::kSchemaMajor) {
        m_lineErrorKind = major > jsonlines::kSchemaMajor ? ErrorKind::SchemaNewer : ErrorKind::SchemaOlder;
        m_remoteSchema = schemaText;
        *error = QStringLiteral("schema %1, this netchangeview reads %2")
                     .arg(schemaText, QLatin1StringView(jsonlines::kSchema));
        return false;
    }
    qint64 timeUs = 0;
    if (!integerMember(o, QLatin1StringView("time_us"), &timeUs)) {
        *error = QStringLiteral("\"time_us\" is missing or not an integer");
        return false;
    }
    const QJsonValue encodedValue = o.value(QLatin1StringView("record"));
    if (!encodedValue.isString()) {
        // The first writers of /1 did not write it: that is an older program, not damage.
        m_lineErrorKind = ErrorKind::SchemaOlder;
        m_remoteSchema = schemaText + QStringLiteral(" without \"record\"");
        *error = QStringLiteral("no \"record\" member (the writer is older than this netchangeview)");
        return false;
    }
    const auto decoded
        = QByteArray::fromBase64Encoding(encodedValue.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        *error = QStringLiteral("\"record\" is not base64");
        return false;
    }
    *record = ChangeRecord();
    const char *begin = decoded.decoded.constData();
    const char *end = begin + decoded.decoded.size();
    if (eventcodec::decode(begin, end, record) != end) {
        *error = QStringLiteral("\"record\" is damaged (not one event)");
        return false;
    }
    record->timeUs = timeUs;
    const QJsonValue process = o.value(QLatin1StringView("process"));
    if (process.isString()) {
        qint64 pid = 0;
        integerMember(o, QLatin1StringView("pid"), &pid);
        record->requester = requesterOf(process.toString(), pid);
    }
    return true;
}

std::uint32_t JsonLinesReader::requesterOf(const QString &process, qint64 pid)
{
    const std::string key = process.toStdString() + '\n' + std::to_string(pid);
    if (const auto it = m_requesters.find(key); it != m_requesters.end())
        return it->second;
    // Back from requesterText(): "kernel", "ip (4006)", "4006 (exited)", "port 4006", or an
    // inferred event's cause. The port id is the remote's, unknown here.
    Requester r;
    const QString pidSuffix = QStringLiteral(" (%1)").arg(pid);
    if (process == QLatin1StringView("kernel")) {
        r.kind = Requester::Kind::Kernel;
    } else if (pid > 0 && process.endsWith(pidSuffix)) {
        r.kind = Requester::Kind::Process;
        r.pid = std::int32_t(pid);
        r.command = process.chopped(pidSuffix.size()).toStdString();
    } else if (pid > 0 && process == QStringLiteral("%1 (exited)").arg(pid)) {
        r.kind = Requester::Kind::Exited;
        r.pid = std::int32_t(pid);
    } else if (process.startsWith(QLatin1StringView("port "))) {
        bool ok = false;
        r.portId = process.mid(5).toUInt(&ok);
        r.kind = ok ? Requester::Kind::Port : Requester::Kind::Cause;
        if (!ok)
            r.cause = process.toStdString();
    } else {
        r.kind = Requester::Kind::Cause;
        r.cause = process.toStdString();
    }
    const std::uint32_t id = RequesterTable::intern(r);
    m_requesters.emplace(key, id);
    return id;
}

bool JsonLinesReader::feed(const char *data, std::size_t size, std::vector<ChangeRecord> *out)
{
    if (!m_error.isEmpty())
        return false;
    const char *p = data;
    const char *end = data + size;
    while (p < end) {
        const auto *newline = static_cast<const char *>(std::memchr(p, '\n', std::size_t(end - p)));
        if (!newline) {
            m_partial.append(p, std::size_t(end - p));
            break;
        }
        std::string_view line(p, std::size_t(newline - p));
        if (!m_partial.empty()) {
            m_partial.append(line);
            line = m_partial;
        }
        ++m_lines;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (!line.empty()) {
            ChangeRecord record;
            QString error;
            if (!parseLine(line, &record, &error)) {
                m_error = QStringLiteral("line %1: %2").arg(m_lines).arg(error);
                m_errorKind = m_lineErrorKind;
                m_partial.clear();
                return false;
            }
            out->push_back(std::move(record));
        }
        m_partial.clear();
        p = newline + 1;
    }
    return true;
}

bool JsonLinesReader::finish()
{
    if (!m_error.isEmpty())
        return false;
    if (m_partial.empty())
        return true;
    m_errorKind = ErrorKind::Damaged;
    m_error = QStringLiteral("line %1 is cut off: the stream ended inside it (%2 bytes without a newline)")
                  .arg(m_lines + 1)
                  .arg(m_partial.size());
    m_partial.clear();
    return false;
}

} // namespace ncv
