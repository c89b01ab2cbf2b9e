// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_jsonbench [N]: writing N route-add events as JSON Lines, three ways, side by side with
// the CSV row writer in the same run (figures printed, not asserted):
//   ours      jsonlines::appendEvent: one std::string per line, a hand-written escaper
//   qjson     the same members in a QJsonObject, QJsonDocument::toJson(Compact)
//   nlohmann  the same members in an nlohmann::json, dump() (Debian's nlohmann-json3-dev;
//             left out when it is not installed)
//   csv       csv::appendGenericRow, the CSV export's row (the reference)
// Each writes into a buffer that is emptied every 4 MiB (as a stream's writes would be), best
// of 3 rounds; the output of the three JSON writers is checked to parse to the same values.
#include "support/modeltestrows.h"

#include "model/export/csvwriter.h"
#include "model/export/jsonlines.h"
#include "model/export/jsonlinesreader.h"
#include "platform/format.h"
#include "platform/rowfields.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>
#define NCV_HAVE_NLOHMANN 1
#endif

using namespace ncv;
using namespace ncv::platform;

namespace {

std::string cellOf(const Row &row, CsvColumn c)
{
    std::string text;
    appendCsvCell(text, row, c);
    return text;
}

QJsonValue qText(const std::string &text)
{
    return text.empty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromStdString(text));
}

QJsonValue qNumber(const std::string &text)
{
    return text.empty() ? QJsonValue(QJsonValue::Null) : QJsonValue(std::stoll(text));
}

QJsonValue qRow(const Row &row)
{
    if (std::holds_alternative<std::monostate>(row))
        return QJsonValue(QJsonValue::Null);
    QJsonObject o;
    forEachFieldText(row, [&](std::string_view name, std::string_view text) {
        o.insert(QString::fromUtf8(name.data(), qsizetype(name.size())),
                 QString::fromUtf8(text.data(), qsizetype(text.size())));
    });
    return o;
}

void appendQJson(std::string &out, const ChangeRecord &r, std::uint64_t sequence, std::string_view ifName)
{
    const Row &row = r.row();
    QJsonObject o;
    o.insert(QLatin1String("schema"), QLatin1String(jsonlines::kSchema));
    o.insert(QLatin1String("sequence"), qint64(sequence));
    o.insert(QLatin1String("time_utc"), QString::fromLatin1(csv::isoTimeUtc(r.timeUs)));
    o.insert(QLatin1String("time_us"), qint64(r.timeUs));
    o.insert(QLatin1String("object"), QString::fromStdString(std::string(objectName(r.object))));
    o.insert(QLatin1String("change"), QString::fromStdString(std::string(changeName(r.change))));
    o.insert(QLatin1String("family"), QString::fromStdString(std::string(familyName(r.family))));
    o.insert(QLatin1String("if_index"), qNumber(cellOf(row, CsvColumn::IfIndex)));
    o.insert(QLatin1String("if_name"), qText(std::string(ifName)));
    o.insert(QLatin1String("destination"), qText(cellOf(row, CsvColumn::Destination)));
    o.insert(QLatin1String("gateway"), qText(cellOf(row, CsvColumn::Gateway)));
    o.insert(QLatin1String("metric"), qNumber(cellOf(row, CsvColumn::Metric)));
    o.insert(QLatin1String("protocol"), qText(cellOf(row, CsvColumn::Protocol)));
    o.insert(QLatin1String("table"), qText(cellOf(row, CsvColumn::Table)));
    o.insert(QLatin1String("changed_fields"), QJsonArray());
    std::string details;
    appendDetails(details, r);
    o.insert(QLatin1String("details"), qText(details));
    o.insert(QLatin1String("origin"), QString::fromStdString(std::string(originName(r.origin))));
    o.insert(QLatin1String("process"), QJsonValue(QJsonValue::Null)); // the benchmark's events name nobody
    o.insert(QLatin1String("pid"), QJsonValue(QJsonValue::Null));
    o.insert(QLatin1String("before"), qRow(r.before));
    o.insert(QLatin1String("after"), qRow(r.after));
    const QByteArray json = QJsonDocument(o).toJson(QJsonDocument::Compact);
    out.append(json.constData(), std::size_t(json.size()));
    out += '\n';
}

#ifdef NCV_HAVE_NLOHMANN
nlohmann::json nText(const std::string &text)
{
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json nNumber(const std::string &text)
{
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::stoll(text));
}

nlohmann::json nRow(const Row &row)
{
    if (std::holds_alternative<std::monostate>(row))
        return nullptr;
    nlohmann::json o = nlohmann::json::object();
    forEachFieldText(row,
                     [&](std::string_view name, std::string_view text) { o[std::string(name)] = std::string(text); });
    return o;
}

void appendNlohmann(std::string &out, const ChangeRecord &r, std::uint64_t sequence, std::string_view ifName)
{
    const Row &row = r.row();
    // ordered_json keeps the members in the order written, as the other two writers do.
    nlohmann::ordered_json o;
    o["schema"] = jsonlines::kSchema;
    o["sequence"] = sequence;
    o["time_utc"] = csv::isoTimeUtc(r.timeUs).toStdString();
    o["time_us"] = r.timeUs;
    o["object"] = std::string(objectName(r.object));
    o["change"] = std::string(changeName(r.change));
    o["family"] = std::string(familyName(r.family));
    o["if_index"] = nNumber(cellOf(row, CsvColumn::IfIndex));
    o["if_name"] = nText(std::string(ifName));
    o["destination"] = nText(cellOf(row, CsvColumn::Destination));
    o["gateway"] = nText(cellOf(row, CsvColumn::Gateway));
    o["metric"] = nNumber(cellOf(row, CsvColumn::Metric));
    o["protocol"] = nText(cellOf(row, CsvColumn::Protocol));
    o["table"] = nText(cellOf(row, CsvColumn::Table));
    o["changed_fields"] = nlohmann::json::array();
    std::string details;
    appendDetails(details, r);
    o["details"] = nText(details);
    o["origin"] = std::string(originName(r.origin));
    o["process"] = nullptr; // the benchmark's events name nobody
    o["pid"] = nullptr;
    o["before"] = nRow(r.before);
    o["after"] = nRow(r.after);
    out += o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
}
#endif

using Writer = std::function<void(std::string &, const ChangeRecord &, std::uint64_t, std::string_view)>;

struct Figures {
    double seconds = 1e9;
    std::size_t bytes = 0;
};

Figures run(const Writer &write, const std::vector<ChangeRecord> &records)
{
    Figures best;
    for (int round = 0; round < 3; ++round) {
        std::string out;
        out.reserve(4u << 20);
        std::size_t bytes = 0;
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < records.size(); ++i) {
            write(out, records[i], i + 1, "nb0");
            if (out.size() >= (4u << 20)) {
                bytes += out.size();
                out.clear();
            }
        }
        bytes += out.size();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (s < best.seconds)
            best = {s, bytes};
    }
    return best;
}

QJsonObject firstLine(const Writer &write, const ChangeRecord &r)
{
    std::string out;
    write(out, r, 1, "nb0");
    return QJsonDocument::fromJson(QByteArray(out.data(), qsizetype(out.size()))).object();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 1000000;
    std::vector<ChangeRecord> records(n);
    for (std::size_t i = 0; i < n; ++i) {
        ChangeRecord &r = records[i];
        r.object = ObjectKind::Route;
        r.change = ChangeKind::Add;
        r.family = Family::IPv4;
        r.timeUs = 1763725323123456 + std::int64_t(i);
        r.after = ncvtest::route("20." + std::to_string(i / 65536 % 256) + '.' + std::to_string(i / 256 % 256) + '.'
                                     + std::to_string(i % 256),
                                 32, "10.9.0.2", 2);
    }

    std::vector<std::pair<const char *, Writer>> writers {
        {"ours (jsonlines::appendEvent)",
         [](std::string &out, const ChangeRecord &r, std::uint64_t sequence, std::string_view ifName) {
             jsonlines::appendEvent(out, r, sequence, ifName);
         }},
        {"QJsonDocument::toJson(Compact)", &appendQJson},
#ifdef NCV_HAVE_NLOHMANN
        {"nlohmann::ordered_json::dump", &appendNlohmann},
#endif
    };
    // The three give the same values (member order aside).
    // (Ours alone adds "record", the compact form for a NetChangeView reading the stream.)
    const auto withoutRecord = [](QJsonObject o) {
        o.remove(QLatin1String("record"));
        return o;
    };
    const QJsonObject reference = withoutRecord(firstLine(writers[0].second, records[0]));
    for (const auto &[name, write] : writers) {
        if (withoutRecord(firstLine(write, records[0])) != reference) {
            std::fprintf(stderr, "ncv_jsonbench: %s writes other values than ours\n", name);
            return 1;
        }
    }

    std::printf("N = %zu route add events, best of 3 rounds\n\n", n);
    std::printf("| writer | s | events/s | MB/s | bytes/event |\n| --- | ---: | ---: | ---: | ---: |\n");
    const auto print = [&](const char *name, const Figures &f) {
        std::printf("| %s | %.3f | %.0f | %.1f | %.1f |\n", name, f.seconds, double(n) / f.seconds,
                    double(f.bytes) / 1e6 / f.seconds, double(f.bytes) / double(n));
    };
    for (const auto &[name, write] : writers)
        print(name, run(write, records));
#ifndef NCV_HAVE_NLOHMANN
    std::printf("| nlohmann::json | (nlohmann-json3-dev not installed) | | | |\n");
#endif
    print("reference: CSV row (csv::appendGenericRow)",
          run([](std::string &out, const ChangeRecord &r, std::uint64_t sequence,
                 std::string_view ifName) { csv::appendGenericRow(out, r, sequence, ifName); },
              records));
    // Reading back: what a window watching a remote host does with each line
    // (JsonLinesReader::feed: split into lines, QJsonDocument::fromJson, base64 and the
    // compact form of "record").
    {
        std::string stream;
        for (std::size_t i = 0; i < records.size(); ++i)
            jsonlines::appendEvent(stream, records[i], i + 1, "nb0");
        double best = 1e9;
        std::size_t count = 0;
        for (int round = 0; round < 3; ++round) {
            ncv::JsonLinesReader reader;
            std::vector<ChangeRecord> read;
            read.reserve(64 * 1024);
            count = 0;
            const auto start = std::chrono::steady_clock::now();
            // In the 64 KiB pieces a pipe hands out.
            for (std::size_t at = 0; at < stream.size(); at += 65536) {
                if (!reader.feed(stream.data() + at, std::min<std::size_t>(65536, stream.size() - at), &read)) {
                    std::fprintf(stderr, "ncv_jsonbench: %s\n", qPrintable(reader.error()));
                    return 1;
                }
                count += read.size();
                read.clear();
            }
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            best = std::min(best, s);
        }
        if (count != n) {
            std::fprintf(stderr, "ncv_jsonbench: read %zu events of %zu\n", count, n);
            return 1;
        }
        std::printf("\n| reader | s | events/s | MB/s |\n| --- | ---: | ---: | ---: |\n");
        std::printf("| JsonLinesReader (QJsonDocument::fromJson per line) | %.3f | %.0f | %.1f |\n\n", best,
                    double(n) / best, double(stream.size()) / 1e6 / best);
    }
    return 0;
}
