// SPDX-License-Identifier: GPL-2.0-or-later
// copyRecording: a consistent copy of a recording file, also of one a RecordingWriter is
// still writing (File > Save Recording As in the live window).
//
// Why SQLite's online backup API and not a file copy: the events of a running recording
// are split between the database file and its -wal file, and the writer commits and
// checkpoints while we read. Copying the files could mix pages from before and after a
// commit; the backup, run from a read-only connection in one step, copies the pages of one
// read transaction (one snapshot: every committed transaction up to it, none half). In WAL
// mode that reader does not block the writer; it only keeps checkpoints from passing its
// snapshot for as long as the copy takes.
#pragma once

#include <QString>

namespace ncv::recording {

/// Copies the recording at from (a path; its -wal and -shm are read through SQLite) to to:
/// written first as "to.partial" next to it, switched to journal_mode=DELETE (one
/// self-contained file, as a finished recording), then renamed over to (an existing to and
/// its -wal / -shm are replaced). The copy holds what was committed when the copy started;
/// when from was still being written, it has no meta clean_end (as after a crash), and its
/// end_time_us is the last commit's. The copy's meta gains saved_copy_of (from's file
/// name) and saved_time_us (when the copy was taken, µs since the epoch, UTC). Runs on any
/// thread (its own connections). Returns false with *error one line naming the file and
/// the reason; to is then unchanged (unless only the final rename failed).
bool copyRecording(const QString &from, const QString &to, QString *error);

} // namespace ncv::recording
