// Shared by the libFuzzer targets (one per parser, see fuzz/README.md): each writes the input to a
// file with the parser's extension and reads it the way the command line does, then runs the
// model on what the parser accepted. A bad input must end in io::InputError (a one-line message
// naming the file); any other exception, a crash, a sanitizer report or a non-finite result is a
// finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "model/hardware.hpp"
#include "model/workload.hpp"

namespace accelscope::fuzz {

// A private directory (created once per process) holding the input file and small fixtures a
// space spec can name: "tiny_hw.json" (hardware) and "tiny_net.json" (a workload).
const std::string& work_directory();

// Writes the input to <work_directory>/input<extension> and returns that path.
std::string write_input(const std::uint8_t* data, std::size_t size, const std::string& extension);

// The model on a parsed design or network, paired with a small fixed counterpart: per-op
// evaluation (and totals) must give finite figures.
void exercise(const model::Accelerator& accelerator);
void exercise(const model::Network& network);

// Runs `read`; io::InputError (the expected answer to bad input) is swallowed, anything else
// propagates to libFuzzer.
template <typename F>
void expecting_input_errors(F&& read);

}  // namespace accelscope::fuzz

#include "model/io/json_reader.hpp"

template <typename F>
void accelscope::fuzz::expecting_input_errors(F&& read) {
  try {
    read();
  } catch (const io::InputError&) {
  }
}
