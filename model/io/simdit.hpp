// SimDIT / GeneSys inputs: the GeneSys hardware JSON and SimDIT's DNN spec JSON (github.com/
// VeriGOOD-ML/public, genesys/SimDIT), so its users can move over and so the model can be checked
// against SimDIT (spaces/reference/simdit, tests/model/test_simdit.cpp).
//
// Hardware (read_genesys_config): an ARRAY_N x ARRAY_M weight-stationary array whose rows take
// input channels and whose kernel taps are stepped in time (array.unroll_kernel = false: each tap
// pays ceil(IC / ARRAY_N) x ceil(OC / ARRAY_M) folds, the cycles of SimDIT's zero-padded
// channels), consecutive folds of a tile pipelined (fold_overlap), fill and drain once per tile.
// Buffers: IBUF -> inputs, WBUF -> weights, 2 x OBUF -> outputs (the file gives one of GeneSys'
// two output banks), VMEM1 + VMEM2 -> vector; the array's buffers double-buffered, VMEM single-
// buffered (its DRAM transfers are fully exposed). One DRAM interface per buffer at its AXI width
// in bits per cycle (the weight interface capped at ARRAY_N x WGT_DATA_WIDTH, the WBUF write
// port). Vector unit: ARRAY_M lanes, 32-bit, a 6-stage pipeline plus one cycle per lane of the
// ALU chain per tile, two NOP cycles after each dependent instruction (no forwarding).
// Clock: 1250 MHz, the 800 ps period SimDIT's latency figures assume (cycles are what SimDIT
// reports; the clock only turns them into seconds). Bit widths 4, 8, 16, 32 map to int4 ... int32.
//
// Network (read_simdit_spec): SimDIT's inference spec (conv_bias, relu, elem_add, max_pool,
// global_avg_pool, gemm, coarse_flatten) and training spec (conv forward / backward-data /
// backward-weight, mean_var, batch_norm, relu(_grad), elem_add, max_pool(_grad),
// global_avg_pool, global_average_pool_grad, batchnorm_grad_*, sgd1d/2d/4d, tensor_transpose4d,
// cross_entropy_loss(_grad), flatten_grad, gemm, reduce_sum). SimDIT's conventions, reproduced:
//   - batch: inference sets N = batch on every op; training specs are written for N = 1 and
//     N = batch replaces N == 1, except in backward-weight convolutions and GEMMs (N != 1, or
//     M != 1 for a GEMM), which carry the batch in IC (GEMM: N), the reduction dimension;
//     weight updates (sgd*) have no batch.
//   - convolutions are dense over SimDIT's padded input: IH = (OH - 1) x stride + KH, no padding
//     field, no zero skipping (a strided layer's backward-data is a stride-1 convolution over the
//     zero-inserted gradient, its MACs counted as SimDIT counts them).
//   - channel padding: SimDIT pads IC to a multiple of ARRAY_N and OC to one of ARRAY_M (its
//     `Op count` is 2 x the padded MACs). The import keeps the real channels (MACs stay real
//     work) and the GeneSys hardware folds each tap over ceil(IC/rows) x ceil(OC/cols), which
//     costs the same cycles; the padded zeros show as idle PEs (utilisation), not as MACs.
//   - a vector op followed in program order by conv/gemm writes its result in the array's
//     activation width (Op::output_to_array); every other vector operand is 32-bit.
//   - batchnorm_grad_x_mu is costed as the whole batch-norm backward (SimDIT's model of it: two
//     passes over the tensors, reading x, the gradient twice and x-hat, writing x-hat and dx);
//     the nine batchnorm_grad_* steps after it carry no shapes and become zero-cost reshapes, so
//     the backward is counted once.
//   - ops SimDIT does not model (it reports 0 cycles) are still costed: tensor_transpose4d (a
//     data move of the operand of the neighbouring convolution it lays out: before a backward-
//     data conv its weights, before a backward-weight conv its input then its gradient operand,
//     after it the weight gradient) and cross_entropy_loss(_grad) (over the logits of the GEMM
//     before it); coarse_flatten and flatten_grad are reshapes.
// Phases: ops before the first gradient op are forward; after it, convolutions and GEMMs are
// backward-weight when they carry the batch in the reduction dimension or follow the two
// transposes that lay out a backward-weight convolution's operands, else backward-data; sgd*
// are updates, reduce_sum (the FC bias gradient) backward-weight, other ops backward-data.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "model/hardware.hpp"
#include "model/workload.hpp"

namespace accelscope::io {

// Throws InputError naming the file, the field, the bad value and what is allowed.
model::Accelerator parse_genesys_config(const nlohmann::json& json, const std::string& file);
model::Accelerator read_genesys_config(const std::string& path);

// Throws InputError naming the file, the op index and operation (unknown operations included).
model::Network parse_simdit_spec(const nlohmann::json& json, const std::string& file,
                                 std::int64_t batch = 1);
model::Network read_simdit_spec(const std::string& path, std::int64_t batch = 1);

// Content sniffing for the loaders: a GeneSys config has ARRAY_N, a SimDIT spec a "program".
bool is_genesys_config(const nlohmann::json& json);
bool is_simdit_spec(const nlohmann::json& json);

}  // namespace accelscope::io
