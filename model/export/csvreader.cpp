// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/export/csvreader.h"

#include "platform/textescape.h"

namespace ncv::csv {

QList<QStringList> parse(const QByteArray &data, QString *error)
{
    QList<QStringList> records;
    QStringList record;
    QByteArray field;
    const qsizetype n = data.size();
    const char *p = data.constData();
    int line = 1;
    qsizetype i = 0;

    const auto fail = [&](int atLine, const QString &what) {
        if (error)
            *error = QStringLiteral("line %1: %2").arg(atLine).arg(what);
        return records;
    };
    const auto endField = [&]() {
        record.append(QString::fromUtf8(field));
        field.clear();
    };
    const auto endRecord = [&]() {
        endField();
        records.append(record);
        record.clear();
    };

    while (i < n) {
        if (p[i] == '"') {
            // Quoted field.
            const int startLine = line;
            ++i;
            bool closed = false;
            while (i < n) {
                const char c = p[i];
                if (c == '"') {
                    if (i + 1 < n && p[i + 1] == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                if (c == '\n')
                    ++line;
                field.append(c);
                ++i;
            }
            if (!closed)
                return fail(startLine, QStringLiteral("unterminated quoted field"));
            if (i == n) {
                endRecord();
                break;
            }
            if (p[i] == ',') {
                endField();
                ++i;
                if (i == n) { // "a", at end of data: one more empty field
                    endRecord();
                    break;
                }
                continue;
            }
            if (p[i] == '\n' || (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')) {
                i += p[i] == '\r' ? 2 : 1;
                endRecord();
                ++line;
                continue;
            }
            return fail(line, QStringLiteral("unexpected text after a closing quote"));
        }
        // Unquoted field: up to , or line end.
        while (i < n && p[i] != ',' && p[i] != '\n' && !(p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')) {
            if (p[i] == '"')
                return fail(line, QStringLiteral("quote inside an unquoted field"));
            field.append(p[i]);
            ++i;
        }
        if (i == n) {
            endRecord();
            break;
        }
        if (p[i] == ',') {
            endField();
            ++i;
            if (i == n) {
                endRecord();
                break;
            }
            continue;
        }
        i += p[i] == '\r' ? 2 : 1;
        endRecord();
        ++line;
    }
    if (error)
        error->clear();
    return records;
}

bool needsFormulaGuard(std::string_view utf8)
{
    const std::size_t i = utf8.find_first_not_of('\'');
    if (i == std::string_view::npos)
        return false;
    const char c = utf8[i];
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

QByteArray bytesFromCell(const QString &cell)
{
    const QByteArray utf8 = cell.toUtf8();
    std::string_view text(utf8.constData(), std::size_t(utf8.size()));
    if (text.starts_with('\'') && needsFormulaGuard(text.substr(1)))
        text.remove_prefix(1);
    const std::string bytes = platform::bytesFromText(text);
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

} // namespace ncv::csv
