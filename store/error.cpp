#include "store/error.hpp"

namespace accelscope::store {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::not_found:
      return "not_found";
    case ErrorKind::cannot_open:
      return "cannot_open";
    case ErrorKind::not_sqlite:
      return "not_sqlite";
    case ErrorKind::not_accelscope:
      return "not_accelscope";
    case ErrorKind::corrupt:
      return "corrupt";
    case ErrorKind::too_new:
      return "too_new";
    case ErrorKind::needs_migration:
      return "needs_migration";
    case ErrorKind::locked:
      return "locked";
    case ErrorKind::full:
      return "full";
    case ErrorKind::read_only:
      return "read_only";
    case ErrorKind::io:
      return "io";
    case ErrorKind::no_such_study:
      return "no_such_study";
    case ErrorKind::no_such_trial:
      return "no_such_trial";
    case ErrorKind::spec_mismatch:
      return "spec_mismatch";
    case ErrorKind::seq_conflict:
      return "seq_conflict";
    case ErrorKind::invalid_argument:
      return "invalid_argument";
    case ErrorKind::sql:
      return "sql";
  }
  return "unknown";
}

}  // namespace accelscope::store
