// SPDX-License-Identifier: GPL-2.0-or-later
// The recording file's format: an SQLite database recognised by its content
// (PRAGMA application_id), its version (PRAGMA user_version) and its schema, documented
// for users in docs/recording-format.md. Compatibility: a reader opens every version up to
// kFormatVersion and refuses newer ones; a new version may add tables, columns and meta
// names (readers ignore what they do not know). A change of what a column holds is a new
// version whose reader still reads the older ones: version 2 changed events.record from the
// whole event (eventcodec.h) to what the key columns do not say (eventcolumns.h), and
// stores events.time_us as an offset from the file's time base (time_us is generated).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ncv::recording {

/// PRAGMA application_id of every recording: "NCVR" as a big-endian 32-bit number.
inline constexpr std::int32_t kApplicationId = 0x4E435652;
/// PRAGMA user_version: the format version this program writes and the newest it reads.
inline constexpr int kFormatVersion = 2;

/// Meta `source` of a recording converted from our CSV export (csvimport.h): its rows hold
/// only what the CSV's columns say (platform::KnownFields::CsvRow).
inline constexpr char kCsvImportSource[] = "CSV file";
/// Rows of one keyframe_rows blob at most.
inline constexpr int kKeyframePartRows = 65'536;

/// The time base of a file's schema(): events.time_us = base + time_offset_us.
inline constexpr char kTimeBasePlaceholder[] = "TIME_BASE_US";

/// The schema of format 2 with kTimeBasePlaceholder for the time base (created in one
/// transaction by the writer). Format 1 stored time_us itself (no time_offset_us).
inline constexpr char kSchemaTemplate[] = R"sql(
CREATE TABLE meta(name TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE object_kinds(code INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE change_kinds(code INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE families(code INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE origins(code INTEGER PRIMARY KEY, name TEXT NOT NULL);
-- The network namespaces of events.ns: 0 the one recorded by default; 1, 2... those of a
-- recording of several (--netns), with their inode (the number of net:[inode]) when known.
CREATE TABLE namespaces(ns INTEGER PRIMARY KEY, name TEXT NOT NULL, inode INTEGER);
CREATE TABLE names(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE events(
    seq INTEGER PRIMARY KEY,
    -- An offset from the file's time base (meta time_base_us): 4 bytes for the first 35
    -- minutes, 6 bytes for 4 years, where the time itself takes 8.
    time_us INTEGER GENERATED ALWAYS AS (TIME_BASE_US + time_offset_us) VIRTUAL,
    object INTEGER NOT NULL,
    change INTEGER NOT NULL,
    family INTEGER NOT NULL,
    origin INTEGER NOT NULL,
    ns INTEGER NOT NULL,
    ifindex INTEGER NOT NULL,
    name_id INTEGER NOT NULL,
    destination TEXT,
    route_table INTEGER,
    metric INTEGER,
    tos INTEGER,
    protocol INTEGER,
    record BLOB NOT NULL,
    time_offset_us INTEGER NOT NULL,
    -- Who asked for the change: requesters.id; NULL when not known (initial rows, Windows,
    -- files written before the column was added).
    requester INTEGER,
    key TEXT GENERATED ALWAYS AS (ns || ' ' || CASE object
        WHEN 1 THEN 'interface ' || ifindex
        WHEN 2 THEN 'address ' || ifindex || ' ' || destination
        WHEN 3 THEN 'route ' || route_table || ' ' || destination || ' tos ' || tos || ' metric ' || metric
                    || ' dev ' || ifindex
        WHEN 4 THEN 'entity ' || protocol
        WHEN 6 THEN 'neighbor ' || ifindex || ' ' || destination
        WHEN 7 THEN 'rule ' || family || ' ' || metric || ': ' || destination || ' proto ' || protocol
        WHEN 8 THEN 'nexthop ' || destination
        WHEN 9 THEN 'nsid ' || destination
        ELSE 'gap' END) VIRTUAL
);
CREATE TABLE commits(
    first_seq INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    min_time_us INTEGER NOT NULL,
    max_time_us INTEGER NOT NULL,
    commit_time_us INTEGER NOT NULL
);
CREATE TABLE keyframes(
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    time_us INTEGER NOT NULL,
    reason TEXT NOT NULL,
    interfaces INTEGER NOT NULL,
    addresses INTEGER NOT NULL,
    routes INTEGER NOT NULL,
    parts INTEGER NOT NULL
);
CREATE TABLE keyframe_rows(
    keyframe INTEGER NOT NULL,
    part INTEGER NOT NULL,
    rows BLOB NOT NULL,
    PRIMARY KEY(keyframe, part)
) WITHOUT ROWID;
-- Rows of the object kinds added after format 2 (neighbors), as keyframe_rows holds them:
-- a reader that does not know this table reads the keyframe without them.
CREATE TABLE keyframe_more_rows(
    keyframe INTEGER NOT NULL,
    part INTEGER NOT NULL,
    rows BLOB NOT NULL,
    PRIMARY KEY(keyframe, part)
) WITHOUT ROWID;
-- Rows of the kinds added later still (6 rule, 7 nexthop: the Row index), one kind per `kind`, in the
-- same form: a reader reads the kinds it knows and loads the keyframe without the others.
CREATE TABLE keyframe_kind_rows(
    keyframe INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    part INTEGER NOT NULL,
    rows BLOB NOT NULL,
    PRIMARY KEY(keyframe, kind, part)
) WITHOUT ROWID;
-- Rows of the namespaces other than 0 (a recording of several: events.ns), every kind (the
-- Row index: 1 interface, 2 address, 3 route, 5 neighbor, 6 rule, 7 nexthop) by itself, in
-- parts of at most 65536 rows, in the form of keyframe_kind_rows. Namespace 0 stays in the
-- tables above, so a reader that does not know this table reads it alone, as before.
CREATE TABLE keyframe_ns_rows(
    keyframe INTEGER NOT NULL,
    ns INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    part INTEGER NOT NULL,
    rows BLOB NOT NULL,
    PRIMARY KEY(keyframe, ns, kind, part)
) WITHOUT ROWID;
-- Who asked for changes (events.requester), each once: a process (the holder of the netlink
-- socket whose port id, nlmsg_pid, the notification carried), the kernel, a bare port id, or
-- the cause of an inferred event.
CREATE TABLE requesters(
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    port_id INTEGER,
    pid INTEGER,
    command TEXT,
    command_line TEXT,
    cgroup TEXT,
    cause TEXT
);
INSERT INTO object_kinds VALUES (1, 'interface'), (2, 'address'), (3, 'route'), (4, 'entity'), (5, 'gap'), (6, 'neighbor'), (7, 'rule'), (8, 'nexthop'), (9, 'nsid');
INSERT INTO change_kinds VALUES (0, 'initial'), (1, 'add'), (2, 'delete'), (3, 'parameter'), (4, 'expired'),
    (5, 'registered'), (6, 'deregistered'), (7, 'gap');
INSERT INTO families VALUES (0, 'unspec'), (1, 'ipv4'), (2, 'ipv6');
INSERT INTO origins VALUES (0, 'observed'), (1, 'inferred');
INSERT INTO names VALUES (0, '');
CREATE VIEW event_log AS
SELECT e.seq AS seq,
       strftime('%Y-%m-%dT%H:%M:%S', e.time_us / 1000000, 'unixepoch') || printf('.%06dZ', e.time_us % 1000000)
           AS time_utc,
       e.time_us AS time_us, o.name AS object, c.name AS change, f.name AS family, g.name AS origin,
       e.ifindex AS ifindex, n.name AS if_name, e.destination AS destination, e.key AS key,
       e.route_table AS route_table, e.metric AS metric, e.protocol AS protocol,
       -- Who asked, as the event log's By column and the CSV's process column write it
       -- (requesterText): 'ip (4006)', '4006 (exited)', 'kernel', 'port 4006', the cause.
       CASE r.kind
           WHEN 'kernel' THEN 'kernel'
           WHEN 'port' THEN 'port ' || r.port_id
           WHEN 'cause' THEN r.cause
           WHEN 'process' THEN coalesce(r.command || ' (' || r.pid || ')', CAST(r.pid AS TEXT),
                                        'port ' || r.port_id)
           WHEN 'exited' THEN coalesce(r.command || ' (' || r.pid || ')', r.pid || ' (exited)',
                                       'port ' || r.port_id)
       END AS process,
       r.pid AS pid, r.command AS command, r.command_line AS command_line
FROM events e
LEFT JOIN object_kinds o ON o.code = e.object
LEFT JOIN change_kinds c ON c.code = e.change
LEFT JOIN families f ON f.code = e.family
LEFT JOIN origins g ON g.code = e.origin
LEFT JOIN names n ON n.id = e.name_id
LEFT JOIN requesters r ON r.id = e.requester;
)sql";

/// kSchemaTemplate for a file whose time base is timeBaseUs (µs since the epoch, UTC).
inline std::string schema(std::int64_t timeBaseUs)
{
    std::string sql = kSchemaTemplate;
    const std::string base = std::to_string(timeBaseUs);
    const std::string_view placeholder = kTimeBasePlaceholder;
    for (std::size_t at = sql.find(placeholder); at != std::string::npos; at = sql.find(placeholder, at))
        sql.replace(at, placeholder.size(), base);
    return sql;
}

} // namespace ncv::recording
