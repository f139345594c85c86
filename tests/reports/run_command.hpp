// Running a shell command from a test and capturing what it prints.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace accelscope::reports::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // standard output (and standard error when the command redirects it)
};

inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t read = 0;
  while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, read);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace accelscope::reports::testing
