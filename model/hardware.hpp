// Hardware description of one accelerator: plain data, no behaviour.
//
// A design is a PE array with its dataflow, four on-chip buffers, a DRAM interface, a vector
// unit for everything that is not a GEMM, and a technology node. The model reads it; parsers at
// the edge (model/io) fill it. A later multi-unit design holds several of these sharing DRAM.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace accelscope::model {

// Output, weight or input stationary systolic arrays; row stationary (Eyeriss): each PE holds a
// filter row and slides it over an input row in its own scratchpads, psums add up down columns.
enum class Dataflow : std::uint8_t {
  output_stationary,
  weight_stationary,
  input_stationary,
  row_stationary
};

// int4 last: indices of the others are stable in files and tables.
enum class Precision : std::uint8_t { int8, int16, int32, fp16, bf16, fp32, int4 };

// The four on-chip buffers, also the four DRAM interfaces.
enum class Buffer : std::uint8_t { inputs = 0, weights = 1, outputs = 2, vector = 3 };
inline constexpr std::size_t kNumBuffers = 4;

// Classes of vector-unit work; each has its own cost in cycles per element per lane.
enum class VectorFn : std::uint8_t {
  copy,        // data movement (concat, transpose, pad, gather)
  relu,        // relu, clip, relu6, leaky relu; and their masks in backward
  add,         // add, sub, max, residual sums, bias
  mul,         // mul, scale
  div,         // div, reciprocal
  sqrt,        // sqrt, rsqrt, pow
  exp,         // exp, log
  sigmoid,     // sigmoid, hard sigmoid, hard swish
  tanh,        // tanh
  gelu,        // gelu (erf or tanh form), swish
  pool,        // per window element of max/avg pooling and its gradient
  reduce,      // reductions (mean, sum, variance)
  batch_norm,  // normalise-and-scale step of batch norm (per element)
  layer_norm,  // normalise-and-scale step of layer norm (per element)
  softmax,     // per element of softmax (max, exp, sum, divide)
  optimizer,   // per parameter of a weight update
  loss,        // per element of a loss (cross entropy)
};
inline constexpr std::size_t kNumVectorFns = 17;

struct PeArray {
  int rows = 0;
  int cols = 0;
  Dataflow dataflow = Dataflow::weight_stationary;
  Precision precision = Precision::int8;         // operand precision of inputs and weights
  int accumulator_bits = 32;                     // partial sums inside the array and in spills
  Precision output_precision = Precision::int8;  // what the array writes back as outputs
  // true: consecutive folds of one tile are pipelined, fill and drain are paid once per tile
  // (double-buffered PE registers, as GeneSys); false: every fold pays full fill and drain
  // (SCALE-Sim's accounting).
  bool fold_overlap = true;
  // With fold_overlap: true, tiles also stream through the array back to back (the next tile's
  // weights load into the PEs' second register while the current tile computes), so fill and
  // drain are paid once per op; false: once per tile (GeneSys).
  bool pipelined_tiles = true;
  // true: the reduction side of the array (rows in ws and is) takes input channels and kernel taps
  // flattened together (im2col), so a 3-channel 7x7 filter fills 147 rows; false: it takes input
  // channels only and the taps are stepped through in time, so each tap pays ceil(channels / rows)
  // folds and channels short of a multiple of the rows leave rows idle (GeneSys).
  bool unroll_kernel = true;
  // Row stationary: each PE's scratchpads (register files) in bytes.
  double filter_scratchpad_bytes = 0;
  double ifmap_scratchpad_bytes = 0;
  double psum_scratchpad_bytes = 0;
};

// Process flavour: low standby power (edge chips: little leakage, slower) or high performance
// (datacenter chips: fast, leaky). Each has its own SRAM (CACTI) table and logic leakage.
enum class Process : std::uint8_t { low_power, high_performance };
inline constexpr std::size_t kNumProcesses = 2;

struct BufferSpec {
  double capacity_bytes = 0;
  bool double_buffered = true;  // half of the capacity holds the tile being filled
  // Width of one SRAM access in bits; 0 means "derived from the array side it feeds".
  int port_bits = 0;
  // This buffer may keep activation tensors between their producer and their last consumer
  // (inter_layer = resident). Several buffers marked so pool their capacity (a unified buffer, or
  // inputs and outputs used as ping-pong halves).
  bool holds_activations = false;
};

// Run-length code of zero activations in DRAM (Eyeriss): each non-zero value, or a zero ending
// a run at its longest, is a pair of a run of up to 2^run_bits - 1 preceding zeros and a
// level_bits value; pairs_per_word pairs fill one word_bits word. Off when pairs_per_word is 0.
struct RunLengthCode {
  int run_bits = 0;
  int level_bits = 0;
  int word_bits = 0;
  int pairs_per_word = 0;
  bool on() const { return pairs_per_word > 0; }
};

struct DramSpec {
  std::string type = "lpddr4";  // a key of the technology's DRAM energy table
  // Either one shared channel, or one independent interface per buffer (a design knob).
  bool shared = true;
  double shared_gbps = 0;  // GB/s (1e9 bytes per second)
  std::array<double, kNumBuffers> interface_gbps{};
  double capacity_gib = 0;  // 0: not modelled (no capacity check)
  // The interface (PHY, controller) is part of the die (area, standing power, its energy); false
  // when the figure compared is the core alone.
  bool phy_on_die = true;
  // Activations of array ops with a known density (Op::input_density, output_density) move
  // run-length coded; partial sums, weights and activations of unknown density move as they are.
  RunLengthCode activation_rlc;
};

struct VectorUnitSpec {
  int lanes = 0;
  int pipeline_depth = 0;
  Precision precision = Precision::fp32;  // data type of vector-unit operands in DRAM
  std::array<double, kNumVectorFns> cycles_per_element{};
  // Cycles to start each DRAM tile of a vector op (instruction issue, address setup).
  double tile_overhead_cycles = 0;
};

// Chip-to-chip links of a multi-chip system (a torus of accelerators): SerDes lanes that stay
// trained and send idle symbols between packets, so they draw their power whenever the chip runs.
struct ChipLinks {
  int count = 0;    // links per chip (0: a single-chip design)
  double gbps = 0;  // GB/s each link carries in each direction
};

// Where a tensor lives between the op that writes it and the last op that reads it.
enum class InterLayer : std::uint8_t {
  resident,     // on chip (in the buffers holding activations) when it fits, else spilled to DRAM
  through_dram  // every op reads its inputs from DRAM and writes its output back (SCALE-Sim,
                // SimDIT: one layer at a time)
};

struct Accelerator {
  std::string name;
  double clock_mhz = 0;
  int tech_node_nm = 45;
  PeArray array;
  std::array<BufferSpec, kNumBuffers> sram{};
  // > 0: the inputs and outputs buffers are one pool of this many equal banks, each given to
  // inputs or outputs per op as its tiling needs (Eyeriss' 100 kB global buffer: 25 banks of
  // 4 kB); 0: the two capacities are fixed.
  int input_output_banks = 0;
  DramSpec dram;
  VectorUnitSpec vector;
  ChipLinks links;
  InterLayer inter_layer = InterLayer::resident;
  Process process = Process::low_power;
  // Element-wise ops (activations, bias, residual adds, inference batch-norm) run on the output
  // path of the op producing their input instead of as separate passes through memory.
  bool fusion = true;
};

// ---- names (for files, tables and errors) ----
std::string_view to_string(Dataflow);
std::string_view to_string(Precision);
std::string_view to_string(Buffer);
std::string_view to_string(VectorFn);
std::string_view to_string(InterLayer);
std::string_view to_string(Process);
int bits_of(Precision);
inline double bytes_of(Precision p) {
  return bits_of(p) / 8.0;
}

// Defaults for cycles per element by VectorFn (documented in README: a single-issue lane of
// adders and multipliers with a shared special-function unit).
std::array<double, kNumVectorFns> default_vector_cycles();

}  // namespace accelscope::model
