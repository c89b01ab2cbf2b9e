// SPDX-License-Identifier: GPL-2.0-or-later
// CSV export of the event history (the format the README documents): UTF-8, header row, RFC 4180
// quoting, CRLF line ends, one row per event (time_utc with 6 fraction digits, or 9 in every
// row of a history whose source had nanosecond times), columns in this order:
// sequence,time_utc,object,change,family,if_index,if_name,destination,gateway,metric,
// protocol,table,changed_fields,details,origin,process,pid,namespace
// (process and pid: who asked for the change, platform/requester.h: "ip (4006)", "kernel",
// "4006 (exited)", the cause of an inferred event; empty when not known. namespace: the
// network namespace, platform/netnstable.h; empty when only the program's own is watched.)
// A cell is quoted when it holds a comma, quote, CR or LF (quotes doubled); a cell that
// begins with = + - @ TAB or CR, or with apostrophes followed by one of them, gets a
// leading ' (formula guard; csv::needsFormulaGuard). Every cell is valid UTF-8: the rows'
// text is (OS bytes that are not UTF-8 arrive escaped as \xHH, platform/textescape.h), and
// csv::bytesFromCell gives the bytes back.
// When the history's capacity limit dropped its oldest events, the first row after the
// header is a marker that says so (droppedRow()).
// Streams to the device in chunks (no whole-file buffer). Thread: the EventHistory
// overloads run on the GUI thread (or wherever the history is not modified meanwhile); the
// EventHistory::Snapshot overloads run on any thread (take the snapshot on the GUI thread).
#pragma once

#include "model/history/eventhistory.h"

#include <QByteArray>
#include <QString>

#include <functional>

class QIODevice;

namespace ncv {

namespace csv {

/// Progress callback: done and total rows; return false to cancel.
using Progress = std::function<bool(qint64 done, qint64 total)>;

/// The header line with its CRLF.
QByteArray header();
/// Row i of the history as one CSV line with its CRLF.
QByteArray row(const EventHistory &h, qint64 i);
/// Row of record r with that sequence number and interface name, as row() and the export
/// write it (the cells of the row come from its description, platform/rowfields.h).
/// nanoseconds: time_utc with 9 fraction digits (r.timeUs and r.timeSubUsNs), for every row
/// of a file whose source had nanosecond times; else 6 (timeSubUsNs not shown).
QByteArray genericRow(const platform::ChangeRecord &r, quint64 sequence, const QString &ifName,
                      platform::KnownFields known = platform::KnownFields::All, bool nanoseconds = false);
/// genericRow() appended to out (no allocation once out has grown): ifName in UTF-8.
/// Thread-safe (no shared state).
/// known: the fields the row holds (a state of a recording converted from a CSV export
/// holds only the CSV's): the details leave the others out.
void appendGenericRow(std::string &out, const platform::ChangeRecord &r, quint64 sequence, std::string_view ifName,
                      platform::KnownFields known = platform::KnownFields::All, bool nanoseconds = false);
/// One cell as written: formula guard, then RFC 4180 quoting. UTF-8.
QByteArray cell(const QString &text);
QByteArray cell(std::string_view utf8);
/// How the details cell of the dropped-events marker row begins.
inline constexpr char kDroppedNote[] = "oldest events dropped:";
/// The marker row written first when the capacity limit dropped events before the first
/// one in h (Snapshot::droppedBefore() > 0), with its CRLF; empty otherwise. object and
/// change `gap`, origin `inferred`, an empty sequence cell (it stands for no single
/// event), time_utc = the newest dropped event's time, details = kDroppedNote, the count,
/// the range of missing sequence numbers and the capacity: "oldest events dropped:
/// 131076 events (sequence 1 to 131076) are missing: the history keeps at most 10000000
/// events".
QByteArray droppedRow(const EventHistory::Snapshot &h);
/// "2026-11-21T11:42:03.123456Z" for timeUs (µs since the epoch, UTC); with nanoseconds
/// "2026-11-21T11:42:03.123456789Z" (subUsNs 0..999: nanoseconds past timeUs).
QByteArray isoTimeUtc(qint64 timeUs, bool nanoseconds = false, unsigned subUsNs = 0);

/// Writes header and every row to out (opened for writing). progress is called every
/// few thousand rows and at the end. Returns false with *error set on a write error
/// ("write failed: <reason>") or when progress returned false ("cancelled").
bool write(const EventHistory &h, QIODevice *out, QString *error, const Progress &progress = {});
bool write(const EventHistory::Snapshot &h, QIODevice *out, QString *error, const Progress &progress = {});
/// Writes to path, opened by OutputFile (outputfile.h): a regular file (or a new name) through
/// QSaveFile, all or nothing — on any failure or cancel an existing file at path is left
/// untouched and no partial file is left behind, and a replaced file's owner and mode are
/// kept; a device, FIFO, socket or "-" (standard output) is written in place, in order, and
/// a write error on it (ENOSPC on /dev/full) is a failure. *error is one line naming the
/// path and the OS's reason, e.g. "cannot write /x/y.csv: No space left on device", or
/// "export to /x/y.csv cancelled".
bool exportToFile(const EventHistory &h, const QString &path, QString *error, const Progress &progress = {});
/// Same from a snapshot; runs on any thread.
bool exportToFile(const EventHistory::Snapshot &h, const QString &path, QString *error, const Progress &progress = {});
/// Writes to a new file named after nameTemplate ("/tmp/x-XXXXXX.csv": the X run becomes a
/// unique part), created exclusively with mode 0600 (OutputFile::openUnique). *createdPath
/// is the name made (set as soon as the file exists); on failure the file is removed.
bool exportToNewFile(const EventHistory &h, const QString &nameTemplate, QString *createdPath, QString *error);

} // namespace csv
} // namespace ncv
