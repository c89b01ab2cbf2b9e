// SPDX-License-Identifier: GPL-2.0-or-later
// Test helper for tests that run the netchangeview binary headless: waiting for its
// "ready:" line, reading the CSV it wrote.
#pragma once

#include "model/export/csvreader.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStringList>

namespace ncv::test {

/// Appends p's standard error to err until err holds "ready:" (the headless mode's line once
/// the first snapshot is in), p is not running, or timeoutMs pass; waits pollMs (ms) for
/// output at a time. True when the line came.
inline bool readUntilReady(QProcess &p, QByteArray &err, int timeoutMs, int pollMs = 200)
{
    QElapsedTimer t;
    t.start();
    while (!err.contains("ready:") && t.elapsed() < timeoutMs && p.state() != QProcess::NotRunning) {
        p.waitForReadyRead(pollMs);
        err += p.readAllStandardError();
    }
    return err.contains("ready:");
}

/// The rows of the CSV file at path, its header first. error: why the file cannot be opened
/// or parsed, else left as it was.
inline QList<QStringList> readCsvFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = path + QStringLiteral(": ") + f.errorString();
        return {};
    }
    return ncv::csv::parse(f.readAll(), error);
}

} // namespace ncv::test
