// Limits on what the model accepts (README "Limits"). Every parser checks its input against them,
// so every count the model multiplies stays inside 64-bit integers and exact doubles, every
// physical quantity is finite and meaningful, and reading any file takes bounded time and memory.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>

namespace accelscope::model {
struct Accelerator;
struct Op;
struct Network;
}  // namespace accelscope::model

namespace accelscope::model::limits {

// ---- workloads ----
inline constexpr std::int64_t kMaxBatch = std::int64_t{1} << 20;  // 1,048,576 samples
// Any one extent: a tensor dimension, a kernel, stride, padding or dilation, a GEMM's m, k or n.
inline constexpr std::int64_t kMaxDimension = (std::int64_t{1} << 31) - 1;
// Elements of any tensor and MACs of any op: 2^53, exact as a double.
inline constexpr std::int64_t kMaxElements = std::int64_t{1} << 53;
inline constexpr std::int64_t kMaxOps = std::int64_t{1} << 20;  // ops of a network
// MACs of a whole network (2^62: the sum of its ops stays inside 64 bits).
inline constexpr std::int64_t kMaxNetworkMacs = std::int64_t{1} << 62;

// ---- hardware (physical ranges; outside them figures stop meaning anything) ----
inline constexpr double kMinClockMhz = 1e-3, kMaxClockMhz = 1e5;          // 1 kHz to 100 GHz
inline constexpr int kMaxArraySide = 1 << 16;                             // rows, cols: 65,536
inline constexpr double kMinSramKib = 1.0 / 1024, kMaxSramKib = 1 << 30;  // 1 byte to 1 TiB
inline constexpr double kMinBandwidthGbps = 1e-6, kMaxBandwidthGbps = 1e6;
inline constexpr double kMaxCapacityGib = 1 << 20;  // 1 PiB
inline constexpr int kMaxLanes = 1 << 20;
inline constexpr int kMaxPipelineDepth = 1 << 20;
inline constexpr int kMaxPortBits = 1 << 16;
inline constexpr double kMaxScratchpadBytes = 1 << 20;  // row stationary, per PE
inline constexpr double kMaxCyclesPerElement = 1e6;
inline constexpr double kMaxTileOverheadCycles = 1e9;
inline constexpr int kMaxChipLinks = 1 << 10;  // links per chip

// ---- technology tables (--tech: technology.json and its CACTI CSV files) ----
// Every number: 0, or a magnitude from 1e-9 to 1e9 in its unit (pJ, um2, mm2, mW, a factor); a
// node from 1 to 1000 nm; a table's SRAM capacities from 1 byte to kMaxSramKib, its ports up to
// kMaxPortBits. SRAM figures extrapolated over that capacity range must stay at most
// kMaxSramExtrapolated (per bank: pJ per bit, mW, mm2), so no cost can overflow.
inline constexpr double kMinTechnologyFigure = 1e-9, kMaxTechnologyFigure = 1e9;
inline constexpr int kMaxTechNodeNm = 1000;
inline constexpr double kMaxSramExtrapolated = 1e15;

// ---- input files ----
inline constexpr std::int64_t kMaxTextFileBytes = std::int64_t{64} << 20;  // JSON, cfg, CSV
inline constexpr std::int64_t kMaxOnnxFileBytes = std::int64_t{2} << 30;   // protobuf's own limit
inline constexpr int kMaxJsonDepth = 64;                                   // nested [ and {

// ---- design spaces and searches ----
inline constexpr std::int64_t kMaxLevels = 1 << 16;                 // levels of one parameter
inline constexpr std::int64_t kMaxParameters = 256;                 // parameters of a space
inline constexpr std::int64_t kMaxBudget = std::int64_t{1} << 40;   // designs of one study
inline constexpr std::int64_t kMaxPeCount = std::int64_t{1} << 32;  // pe_array rule
inline constexpr int kMaxThreads = 1024;
inline constexpr std::int64_t kMaxAskBatch = 1 << 16;  // designs per ask (--batch)

// The product of non-negative factors when it is at most `limit`, otherwise nullopt. Never
// overflows (each step is checked, and stops as soon as the limit is passed).
inline std::optional<std::int64_t> checked_product(std::initializer_list<std::int64_t> factors,
                                                   std::int64_t limit = kMaxElements) {
  for (std::int64_t f : factors)
    if (f == 0) return 0;
  std::int64_t product = 1;
  for (std::int64_t f : factors)
    if (f < 0 || __builtin_mul_overflow(product, f, &product) || product > limit)
      return std::nullopt;
  return product;
}

// Throw std::invalid_argument naming the field, its value and the allowed range when a value is
// outside the limits above (validate() and finalize() call them).
void check(const Accelerator& accelerator);
// An op whose fields are positive: each extent (before finalize derives the output size), then
// element and MAC counts (after).
void check_extents(const Op& op);
void check_products(const Op& op);
void check(const Network& network);  // number of ops, total MACs

}  // namespace accelscope::model::limits
