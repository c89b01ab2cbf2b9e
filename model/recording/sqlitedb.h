// SPDX-License-Identifier: GPL-2.0-or-later
// Small RAII wrappers over the SQLite C API for the recording's writer and reader: a
// connection and prepared statements, with errors as one line (sqlite3_errmsg). Not
// thread-safe: one connection per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace ncv::recording::sql {

class Db {
public:
    Db() = default;
    ~Db();
    Db(const Db &) = delete;
    Db &operator=(const Db &) = delete;

    /// sqlite3_open_v2 with flags (SQLITE_OPEN_*). Returns the SQLite result code; *error
    /// is its message when not SQLITE_OK.
    int open(const std::string &path, int flags, std::string *error);
    void close();
    sqlite3 *handle() const { return m_db; }
    /// Runs statements without results. Returns the result code; *error set on failure.
    int exec(const char *sql, std::string *error = nullptr);
    std::string errorMessage() const;
    int extendedErrorCode() const;
    /// Copies this whole database into dest (both open) with SQLite's online backup API
    /// (sqlite3_backup_init / _step(-1) / _finish): every page in one step, so in one read
    /// transaction of this connection, a consistent snapshot even while another connection
    /// writes (in WAL mode the writer is not blocked). Returns the result code; *error set
    /// on failure.
    int backupTo(Db &dest, std::string *error);
    /// sqlite3_busy_timeout: how long a locked database is retried, ms.
    void setBusyTimeout(int ms);

private:
    sqlite3 *m_db = nullptr;
};

class Stmt {
public:
    Stmt() = default;
    ~Stmt();
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;

    /// Prepares sql on db (persistent). Returns the result code.
    int prepare(Db &db, const char *sql);
    bool isPrepared() const { return m_stmt != nullptr; }
    sqlite3_stmt *handle() const { return m_stmt; }
    void finalize();

    void bind(int i, std::int64_t v);
    void bind(int i, std::string_view text); ///< TEXT, copied by SQLite
    void bindBlob(int i, const void *data, std::size_t size); ///< BLOB, copied by SQLite
    /// TEXT / BLOB not copied: the bytes must stay as they are until step() and reset().
    void bindStatic(int i, std::string_view text);
    void bindBlobStatic(int i, const void *data, std::size_t size);
    void bindNull(int i);
    /// sqlite3_step: SQLITE_ROW, SQLITE_DONE or an error code.
    int step();
    /// Resets and clears the bindings.
    void reset();

    std::int64_t int64(int col) const;
    bool isNull(int col) const;
    std::string_view text(int col) const;
    std::string_view blob(int col) const;

private:
    sqlite3_stmt *m_stmt = nullptr;
};

} // namespace ncv::recording::sql
