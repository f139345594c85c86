#pragma once

namespace accelscope::engine {
// Engine version, stored with every study so results can be traced to the code that made them.
inline constexpr const char* kVersion = "0.1.0";
// Version of the model's figures: bump it with every change that alters any metric of any design.
// It is part of a study's identity, so a study is never continued with different figures.
// 2: residency, fusion, calibrated area and power (issue 9); 3: the array registers' clock drawn
// on every cycle, row-stationary array network energy; 4 (one release): an off-die DRAM
// interface's energy counted on the system side, run-length coded activations in DRAM and a pool
// of input/output banks split per op (Eyeriss), 7 nm energy from Google's published table and
// 16 nm interpolated to it, chip-to-chip links' standing power; 5: 16 nm energy from TSMC's
// published 16FF+ -> 10FF -> 7FF power reductions (0.821 of 45 nm, was 0.531); 6: layers of the
// same shape and different activation densities costed apart (they shared the first one's cost).
inline constexpr int kModelVersion = 6;
}  // namespace accelscope::engine
