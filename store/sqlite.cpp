#include "store/sqlite.hpp"

#include <utility>

namespace accelscope::store::sqlite {

StoreError make_error(ErrorKind kind, std::string_view path, std::string_view problem,
                      std::string_view context) {
  std::string message;
  message.append(path).append(": ").append(problem);
  if (!context.empty()) message.append(" (while ").append(context).append(")");
  return StoreError(kind, message);
}

namespace {

// Problem text and kind for an SQLite result code; detail is sqlite3_errmsg.
std::pair<ErrorKind, std::string> describe(int code, std::string_view detail, int busy_timeout_ms) {
  const std::string with_detail = " (" + std::string(detail) + ")";
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {ErrorKind::locked, "database is locked by another connection; gave up after the " +
                                     std::to_string(busy_timeout_ms) + " ms busy timeout"};
    case SQLITE_FULL:
      return {ErrorKind::full, "disk full (or the database size limit reached)"};
    case SQLITE_READONLY:
      return {ErrorKind::read_only, "cannot write: the database is read-only" + with_detail};
    case SQLITE_CORRUPT:
      return {ErrorKind::corrupt, "database file is corrupt" + with_detail};
    case SQLITE_NOTADB:
      return {ErrorKind::not_sqlite, "not an SQLite database"};
    case SQLITE_CANTOPEN:
      return {ErrorKind::cannot_open,
              "cannot open the file (missing, or its directory is not writable)" + with_detail};
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return {ErrorKind::cannot_open, "permission denied" + with_detail};
    case SQLITE_IOERR:
      return {ErrorKind::io, "I/O error" + with_detail};
    default:
      return {ErrorKind::sql, "SQLite error" + with_detail};
  }
}

}  // namespace

Query::Query(Connection& connection, sqlite3_stmt* statement, std::string_view context)
    : connection_(connection), statement_(statement), context_(context) {}

Query::~Query() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Query& Query::bind(int index, std::int64_t value) {
  const int code = sqlite3_bind_int64(statement_, index, value);
  if (code != SQLITE_OK) throw connection_.error(code, context_);
  return *this;
}

Query& Query::bind(int index, double value) {
  const int code = sqlite3_bind_double(statement_, index, value);
  if (code != SQLITE_OK) throw connection_.error(code, context_);
  return *this;
}

Query& Query::bind(int index, std::string_view text) {
  const int code = sqlite3_bind_text64(statement_, index, text.data(), text.size(),
                                       SQLITE_TRANSIENT, SQLITE_UTF8);
  if (code != SQLITE_OK) throw connection_.error(code, context_);
  return *this;
}

Query& Query::bind(int index, std::nullptr_t) {
  const int code = sqlite3_bind_null(statement_, index);
  if (code != SQLITE_OK) throw connection_.error(code, context_);
  return *this;
}

Query& Query::bind_blob(int index, std::string_view bytes) {
  const int code =
      sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (code != SQLITE_OK) throw connection_.error(code, context_);
  return *this;
}

bool Query::step() {
  const int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  throw connection_.error(code, context_);
}

void Query::run() {
  while (step()) {
  }
}

bool Query::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::int64_t Query::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double Query::real(int column) const {
  return sqlite3_column_double(statement_, column);
}

std::string Query::text(int column) const {
  const auto* data = sqlite3_column_text(statement_, column);
  if (data == nullptr) return {};
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
  return std::string(reinterpret_cast<const char*>(data), size);
}

bool Query::is_blob(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_BLOB;
}

std::string_view Query::bytes(int column) const {
  const void* data = is_blob(column)
                         ? sqlite3_column_blob(statement_, column)
                         : static_cast<const void*>(sqlite3_column_text(statement_, column));
  if (data == nullptr) return {};
  return {static_cast<const char*>(data),
          static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
}

std::optional<double> Query::optional_real(int column) const {
  if (is_null(column)) return std::nullopt;
  return real(column);
}

std::optional<std::int64_t> Query::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

Connection::Connection(std::string path, int flags, int busy_timeout_ms, const std::string& uri)
    : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms) {
  // SQLite may be built to read every name starting with "file:" as a URI (Debian's is), which
  // would turn a file called "file:x?mode=memory" into an in-memory database: "./" keeps a
  // relative name a plain file name.
  const std::string name = !uri.empty() ? uri : path_.starts_with("file:") ? "./" + path_ : path_;
  const int code = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (code != SQLITE_OK) {
    StoreError failure = db_ != nullptr ? error(code, "opening")
                                        : make_error(ErrorKind::sql, path_, "out of memory");
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw failure;
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms_);
}

Connection::~Connection() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  // A write transaction still open here (an exception unwound past it) is rolled back by close.
  sqlite3_close_v2(db_);
}

Query Connection::query(std::string_view sql, std::string_view context) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* statement = nullptr;
    const int code = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (code != SQLITE_OK) throw error(code, context);
    found = statements_.emplace(std::string(sql), statement).first;
  } else if (sqlite3_stmt_busy(found->second) != 0) {
    // Two live Query objects on one cached statement would silently reset each other.
    throw make_error(ErrorKind::sql, path_, "internal error: a statement was re-entered", context);
  }
  return Query(*this, found->second, context);
}

void Connection::exec(std::string_view sql, std::string_view context) {
  const std::string text(sql);
  const int code = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) throw error(code, context);
}

StoreError Connection::error(int code, std::string_view context) const {
  auto [kind, problem] = describe(code, sqlite3_errmsg(db_), busy_timeout_ms_);
  return make_error(kind, path_, problem, context);
}

}  // namespace accelscope::store::sqlite
