// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_recording_corpus DIR: writes small recordings (512-byte pages, so each is a few KB)
// as seeds for fuzz_recordingreader: a finished one with keyframes, one killed before it
// finished (its WAL folded in by copying after a checkpoint-free close), an empty one.
#include "model/history/eventcodec.h"
#include "model/recording/recordingwriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cstdio>

using namespace ncv;
using namespace ncv::recording;
using namespace ncv::platform;

namespace {

bool write(const QString &path, int routes, std::int64_t keyframeEvents)
{
    QFile::remove(path);
    RecordingWriter w;
    RecordingWriter::Options options;
    options.pageSize = 512;
    options.keyframeEvents = keyframeEvents;
    options.keyframeRowFactor = 0;
    RecordingMeta meta;
    meta.hostName = QStringLiteral("seed");
    meta.source = QStringLiteral("manual");
    meta.familyFilter = QStringLiteral("unspec");
    QString error;
    if (!w.open(path, meta, options, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return false;
    }
    std::string bytes;
    std::uint64_t seq = 0;
    InterfaceRow i;
    i.ifIndex = 2;
    i.name = "d0";
    i.mtu = 1500;
    ChangeRecord r;
    r.object = ObjectKind::Interface;
    r.change = ChangeKind::Initial;
    r.after = i;
    eventcodec::encode(r, bytes);
    w.append(++seq, 1'790'000'000'000'000, bytes, QStringLiteral("d0"));
    w.requestKeyframe(QStringLiteral("start"));
    for (int k = 0; k < routes; ++k) {
        RouteRow route;
        route.destination = IpAddress::v4(10, 0, std::uint8_t(k / 256), std::uint8_t(k));
        route.prefixLength = 32;
        route.nextHops.push_back(NextHop {{}, 2, 1});
        ChangeRecord a;
        a.object = ObjectKind::Route;
        a.family = Family::IPv4;
        a.change = k % 4 == 3 ? ChangeKind::Delete : ChangeKind::Add;
        (k % 4 == 3 ? a.before : a.after) = route;
        bytes.clear();
        eventcodec::encode(a, bytes);
        w.append(++seq, 1'790'000'000'000'000 + k * 1000, bytes, {});
    }
    return w.finish(&error);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: ncv_recording_corpus DIR\n");
        return 2;
    }
    const QDir dir(QString::fromLocal8Bit(argv[1]));
    const bool ok = write(dir.filePath(QStringLiteral("empty.ncv")), 0, 100'000)
        && write(dir.filePath(QStringLiteral("routes.ncv")), 20, 100'000)
        && write(dir.filePath(QStringLiteral("keyframes.ncv")), 24, 4);
    return ok ? 0 : 1;
}
