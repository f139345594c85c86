// The one exception type of the store: every failure (bad file, lock, full disk, misuse) is a
// StoreError with a kind to branch on and a one-line message naming the file and the problem.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace accelscope::store {

enum class ErrorKind : std::uint8_t {
  not_found,         // the file does not exist (opened read-only or read_write)
  cannot_open,       // the file cannot be opened or created (permissions, missing directory)
  not_sqlite,        // the file is not an SQLite database
  not_accelscope,    // an SQLite database, but not one of ours (no accelscope_meta table)
  corrupt,           // SQLite reports a malformed file, or stored JSON does not parse
  too_new,           // written by a newer accelscope: its schema version is unknown here
  needs_migration,   // an older schema opened read-only (migrating would write)
  locked,            // another connection held the lock past the busy timeout
  full,              // the disk (or the configured size cap) is full
  read_only,         // a write on a read-only file or a Database opened read-only
  io,                // another I/O error
  no_such_study,     // unknown study id
  no_such_trial,     // unknown trial id
  spec_mismatch,     // resuming a study with a spec whose hash differs
  seq_conflict,      // add_pending: an existing seq holds a different point
  invalid_argument,  // the caller passed something malformed (not a JSON array, NaN objective)
  sql,               // any other SQLite failure (a bug in the store)
};

std::string_view to_string(ErrorKind kind);

class StoreError : public std::runtime_error {
 public:
  StoreError(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace accelscope::store
