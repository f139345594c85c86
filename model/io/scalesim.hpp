// SCALE-Sim (v2) inputs: the .cfg architecture file and the topology CSV, so its users can move
// over and so the model can be checked against it (--compat scalesim).
#pragma once

#include <cstdint>
#include <string>

#include "model/hardware.hpp"
#include "model/workload.hpp"

namespace accelscope::io {

// SCALE-Sim counts cycles and words only: the design gets int8 words (1 byte), a 1 GHz clock
// (so Bandwidth in words/cycle becomes GB/s), folds that each pay fill and drain, and this
// project's default vector unit and technology (45 nm, LPDDR4) for the figures SCALE-Sim lacks.
model::Accelerator read_scalesim_config(const std::string& path);

// Convolution topology: "name, IFMAP H, IFMAP W, Filter H, Filter W, Channels, Num Filter,
// Strides," (unpadded inputs; output = ceil((H - R + S) / S)); or GEMM topology "name, M, N, K,".
// A header line is detected and skipped.
model::Network read_scalesim_topology(const std::string& path, std::int64_t batch = 1);

}  // namespace accelscope::io
