// What the libFuzzer targets run (fuzz/README.md): the input is written to a file with the
// reader's extension and read the way the command line reads it, then the model runs on whatever
// was accepted. A bad input must end in io::InputError (a one-line message naming the file); a
// crash, a sanitizer report, another exception escaping or a non-finite result is a finding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace accelscope::fuzz {

// `accelscope eval --hw FILE`, then the design evaluated on a small network.
void read_hardware(const std::uint8_t* data, std::size_t size, const char* extension);
// `accelscope eval --workload FILE [--training]`, then the network evaluated on a small design.
void read_workload(const std::uint8_t* data, std::size_t size, const char* extension);
// `accelscope search SPACE`: the spec, then three of its designs built and evaluated.
void read_space(const std::uint8_t* data, std::size_t size, const char* extension);
// A heterogeneous platform file (engine/platform_spec), its units costed on a small network.
void read_platform(const std::uint8_t* data, std::size_t size, const char* extension);
// `accelscope eval --tech DIR`: the input as DIR's technology.json (".json") or as its low-power
// CACTI table (".csv", next to the shipped technology.json), then the small design and network
// evaluated with that technology.
void read_technology(const std::uint8_t* data, std::size_t size, const char* extension);

}  // namespace accelscope::fuzz
