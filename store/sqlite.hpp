// Internal to store/ (no other component includes it): a thin RAII layer over the SQLite C API,
// with a per-connection cache of prepared statements and the mapping of SQLite result codes to
// StoreError kinds and one-line messages.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "store/error.hpp"

namespace accelscope::store::sqlite {

// "<path>: <problem> (while <context>)"; the context part is left out when empty.
StoreError make_error(ErrorKind kind, std::string_view path, std::string_view problem,
                      std::string_view context = {});

class Connection;

// One use of a cached prepared statement. Resets the statement when it goes out of scope, so a
// cached statement never keeps a read snapshot (which would block WAL checkpoints) open.
class Query {
 public:
  Query(Connection& connection, sqlite3_stmt* statement, std::string_view context);
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, std::int64_t value);
  Query& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Query& bind(int index, double value);
  Query& bind(int index, std::string_view text);
  Query& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Query& bind(int index, std::nullptr_t);
  Query& bind_blob(int index, std::string_view bytes);
  template <class T>
  Query& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
  }

  bool step();  // true: a row is ready to read; throws StoreError on failure
  void run();   // steps to the end, ignoring any rows

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool is_blob(int column) const;
  // Text or blob bytes, valid until the next step() or the end of the query.
  std::string_view bytes(int column) const;
  std::optional<double> optional_real(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;

 private:
  Connection& connection_;
  sqlite3_stmt* statement_;
  std::string_view context_;
};

class Connection {
 public:
  // flags: SQLITE_OPEN_*; throws StoreError if SQLite cannot open the file. path names the file
  // in messages; uri, when given (with SQLITE_OPEN_URI), is what SQLite opens.
  Connection(std::string path, int flags, int busy_timeout_ms, const std::string& uri = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A statement prepared once per connection and reused.
  Query query(std::string_view sql, std::string_view context);
  // One or more statements, not cached (schema changes, pragmas, transaction control).
  void exec(std::string_view sql, std::string_view context);

  std::int64_t changes() const { return sqlite3_changes64(db_); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  bool read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }
  const std::string& path() const { return path_; }

  // The StoreError for a failed SQLite call that returned code.
  StoreError error(int code, std::string_view context) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  int busy_timeout_ms_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

}  // namespace accelscope::store::sqlite
