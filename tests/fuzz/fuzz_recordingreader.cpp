// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: RecordingReader (model/recording/recordingreader.cpp) on arbitrary
// files: damaged, truncated and hand-made SQLite databases. The input is written to a
// temporary file (the reader opens files by name, as SQLite does), opened, and read every
// way the reader offers: info, a page of events, all events, the state at a few times.
#include "model/recording/recordingreader.h"

#include <QDir>
#include <QFile>

#include <cstddef>
#include <cstdint>
#include <limits>

#include <unistd.h>

using namespace ncv::recording;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const QString path
        = QDir::tempPath() + QStringLiteral("/ncv-fuzz-recording-%1.ncv").arg(QString::number(qint64(getpid())));
    for (const char *suffix : {"-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1StringView(suffix));
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 0;
        f.write(reinterpret_cast<const char *>(data), qint64(size));
    }
    RecordingReader reader;
    QString error;
    if (reader.open(path, &error)) {
        const RecordingInfo &info = reader.info();
        std::vector<RecordedEvent> page;
        reader.events(info.firstSeq, 50, &page, &error);
        int left = 5000;
        reader.forEachEvent(
            std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
            [&left](const RecordedEvent &) { return --left > 0; }, &error);
        RecordState state;
        NamespaceStates states;
        for (const std::int64_t t : {info.startUs, info.startUs + (info.endUs - info.startUs) / 2, info.endUs}) {
            reader.stateAt(t, &state, &error);
            reader.stateAt(t, &states, &error);
        }
        reader.refresh(&error);
    }
    return 0;
}
