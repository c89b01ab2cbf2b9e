// SPDX-License-Identifier: GPL-2.0-or-later
// JsonLinesReader: reads back the JSON Lines stream that `netchangeview --headless --stream`
// writes (jsonlines.h, schema netchangeview.event/1), one line into one ChangeRecord: what
// a window watching a remote host (ssh://host) shows and records.
//
// The event comes from the line's "record" member (the compact form of the whole event,
// driven by the row descriptions, so a new object kind or field needs no change here), its
// time from "time_us", and who asked from "process" and "pid". The row objects ("before",
// "after") are the tables' texts and are not read. Each line is parsed with QJsonDocument.
//
// Errors stop reading: a line that is not a JSON object, a schema of another major version
// than jsonlines::kSchemaMajor (errorKind() says newer or older, remoteSchema() which), a
// missing or damaged member, and (finish()) a last line without its newline. The records of
// the lines before it have been handed out; nothing after it is.
// Not thread-safe: one reader per stream, used on one thread at a time.
#pragma once

#include "platform/types.h"

#include <QString>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ncv {

class JsonLinesReader {
public:
    /// What stopped reading.
    enum class ErrorKind {
        None,
        Damaged, ///< not JSON, not an object, a member missing or of the wrong type, a cut line
        NotAnEventStream, ///< no "schema", or one that is not netchangeview.event/N
        SchemaNewer, ///< netchangeview.event/N with N above kSchemaMajor: the writer is newer
        SchemaOlder, ///< N below kSchemaMajor, or /1 without "record": the writer is older
    };

    /// Appends the records of the complete lines in [data, data + size) to *out (bytes of an
    /// unfinished line wait for the next call). Empty lines are skipped. False at the first
    /// bad line, with error() saying which ("line 12: ..."); the records of the lines before
    /// it are in *out, and every later call returns false at once.
    bool feed(const char *data, std::size_t size, std::vector<platform::ChangeRecord> *out);
    /// The end of the stream: false when an unfinished last line remains (the stream was cut
    /// inside it), with error() saying so; true otherwise (unless an error came before).
    bool finish();

    /// Parses one line (without its newline) into *record. False with *error on a bad line.
    bool parseLine(std::string_view line, platform::ChangeRecord *record, QString *error);

    /// The first error, "" while there is none.
    QString error() const { return m_error; }
    /// The class of the first error (None while there is none).
    ErrorKind errorKind() const { return m_errorKind; }
    /// The "schema" of the line that had SchemaNewer / SchemaOlder ("netchangeview.event/2";
    /// "netchangeview.event/1 without \"record\"" for the early /1 writers); "" otherwise.
    QString remoteSchema() const { return m_remoteSchema; }
    /// Lines read so far (complete ones, empty ones included).
    std::uint64_t lines() const { return m_lines; }

private:
    std::uint32_t requesterOf(const QString &process, qint64 pid);

    std::string m_partial; ///< an unfinished line
    QString m_error;
    ErrorKind m_errorKind = ErrorKind::None;
    ErrorKind m_lineErrorKind = ErrorKind::None; ///< parseLine()'s last error
    QString m_remoteSchema;
    std::uint64_t m_lines = 0;
    std::unordered_map<std::string, std::uint32_t> m_requesters; ///< "process\npid" -> RequesterTable id
};

} // namespace ncv
