// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/sqlitedb.h"

#include <sqlite3.h>

namespace ncv::recording::sql {

Db::~Db()
{
    close();
}

int Db::open(const std::string &path, int flags, std::string *error)
{
    close();
    // SQLite counts the bytes it allocates under a global mutex unless told not to, before
    // its first use in the process (later it refuses, harmlessly): nothing here reads the
    // counts, and the lock and unlock around every allocation cost about 5% of an insert.
    static const bool noMemStatus [[maybe_unused]] = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
    const int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        if (error)
            *error = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
        close();
        return rc;
    }
    sqlite3_extended_result_codes(m_db, 1);
    return rc;
}

void Db::close()
{
    if (m_db)
        sqlite3_close_v2(m_db);
    m_db = nullptr;
}

int Db::exec(const char *sql, std::string *error)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK && error)
        *error = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return rc;
}

std::string Db::errorMessage() const
{
    return m_db ? sqlite3_errmsg(m_db) : "no database";
}

int Db::extendedErrorCode() const
{
    return m_db ? sqlite3_extended_errcode(m_db) : SQLITE_MISUSE;
}

int Db::backupTo(Db &dest, std::string *error)
{
    if (!m_db || !dest.m_db) {
        if (error)
            *error = "no database";
        return SQLITE_MISUSE;
    }
    sqlite3_backup *backup = sqlite3_backup_init(dest.m_db, "main", m_db, "main");
    if (!backup) {
        if (error)
            *error = sqlite3_errmsg(dest.m_db);
        return sqlite3_extended_errcode(dest.m_db);
    }
    int rc = sqlite3_backup_step(backup, -1);
    const int finishRc = sqlite3_backup_finish(backup);
    if (rc == SQLITE_DONE)
        rc = finishRc;
    if (rc != SQLITE_OK && error)
        *error = finishRc != SQLITE_OK ? sqlite3_errmsg(dest.m_db) : sqlite3_errstr(rc);
    return rc;
}

void Db::setBusyTimeout(int ms)
{
    if (m_db)
        sqlite3_busy_timeout(m_db, ms);
}

Stmt::~Stmt()
{
    finalize();
}

int Stmt::prepare(Db &db, const char *sql)
{
    finalize();
    return sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
}

void Stmt::finalize()
{
    if (m_stmt)
        sqlite3_finalize(m_stmt);
    m_stmt = nullptr;
}

void Stmt::bind(int i, std::int64_t v)
{
    sqlite3_bind_int64(m_stmt, i, v);
}

void Stmt::bind(int i, std::string_view text)
{
    sqlite3_bind_text(m_stmt, i, text.data(), int(text.size()), SQLITE_TRANSIENT);
}

void Stmt::bindBlob(int i, const void *data, std::size_t size)
{
    sqlite3_bind_blob(m_stmt, i, data, int(size), SQLITE_TRANSIENT);
}

void Stmt::bindStatic(int i, std::string_view text)
{
    sqlite3_bind_text(m_stmt, i, text.data(), int(text.size()), SQLITE_STATIC);
}

void Stmt::bindBlobStatic(int i, const void *data, std::size_t size)
{
    sqlite3_bind_blob(m_stmt, i, data, int(size), SQLITE_STATIC);
}

void Stmt::bindNull(int i)
{
    sqlite3_bind_null(m_stmt, i);
}

int Stmt::step()
{
    return sqlite3_step(m_stmt);
}

void Stmt::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::int64_t Stmt::int64(int col) const
{
    return sqlite3_column_int64(m_stmt, col);
}

bool Stmt::isNull(int col) const
{
    return sqlite3_column_type(m_stmt, col) == SQLITE_NULL;
}

std::string_view Stmt::text(int col) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
    return p ? std::string_view(p, std::size_t(sqlite3_column_bytes(m_stmt, col))) : std::string_view();
}

std::string_view Stmt::blob(int col) const
{
    const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, col));
    return p ? std::string_view(p, std::size_t(sqlite3_column_bytes(m_stmt, col))) : std::string_view();
}

} // namespace ncv::recording::sql
