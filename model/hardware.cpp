#include "model/hardware.hpp"

namespace accelscope::model {

std::string_view to_string(Dataflow dataflow) {
  switch (dataflow) {
    case Dataflow::output_stationary:
      return "os";
    case Dataflow::weight_stationary:
      return "ws";
    case Dataflow::input_stationary:
      return "is";
    case Dataflow::row_stationary:
      return "rs";
  }
  return "?";
}

std::string_view to_string(Precision precision) {
  switch (precision) {
    case Precision::int8:
      return "int8";
    case Precision::int16:
      return "int16";
    case Precision::int32:
      return "int32";
    case Precision::fp16:
      return "fp16";
    case Precision::bf16:
      return "bf16";
    case Precision::fp32:
      return "fp32";
    case Precision::int4:
      return "int4";
  }
  return "?";
}

std::string_view to_string(Buffer buffer) {
  switch (buffer) {
    case Buffer::inputs:
      return "inputs";
    case Buffer::weights:
      return "weights";
    case Buffer::outputs:
      return "outputs";
    case Buffer::vector:
      return "vector";
  }
  return "?";
}

std::string_view to_string(VectorFn fn) {
  switch (fn) {
    case VectorFn::copy:
      return "copy";
    case VectorFn::relu:
      return "relu";
    case VectorFn::add:
      return "add";
    case VectorFn::mul:
      return "mul";
    case VectorFn::div:
      return "div";
    case VectorFn::sqrt:
      return "sqrt";
    case VectorFn::exp:
      return "exp";
    case VectorFn::sigmoid:
      return "sigmoid";
    case VectorFn::tanh:
      return "tanh";
    case VectorFn::gelu:
      return "gelu";
    case VectorFn::pool:
      return "pool";
    case VectorFn::reduce:
      return "reduce";
    case VectorFn::batch_norm:
      return "batch_norm";
    case VectorFn::layer_norm:
      return "layer_norm";
    case VectorFn::softmax:
      return "softmax";
    case VectorFn::optimizer:
      return "optimizer";
    case VectorFn::loss:
      return "loss";
  }
  return "?";
}

std::string_view to_string(InterLayer policy) {
  switch (policy) {
    case InterLayer::resident:
      return "resident";
    case InterLayer::through_dram:
      return "through_dram";
  }
  return "?";
}

std::string_view to_string(Process cells) {
  switch (cells) {
    case Process::low_power:
      return "low_power";
    case Process::high_performance:
      return "high_performance";
  }
  return "?";
}

int bits_of(Precision precision) {
  switch (precision) {
    case Precision::int8:
      return 8;
    case Precision::int16:
      return 16;
    case Precision::int32:
      return 32;
    case Precision::fp16:
      return 16;
    case Precision::bf16:
      return 16;
    case Precision::fp32:
      return 32;
    case Precision::int4:
      return 4;
  }
  return 0;
}

std::array<double, kNumVectorFns> default_vector_cycles() {
  // A lane issues one simple ALU operation per cycle; transcendental functions go through a
  // shared special-function unit (piecewise polynomial), a few cycles each. Composite ops count
  // their per-element passes: batch norm y = (x - mean) * inv_std * gamma + beta is 2 fused
  // multiply-adds; layer norm adds the statistics pass; softmax = max, exp, sum, divide.
  std::array<double, kNumVectorFns> cycles{};
  auto set = [&](VectorFn fn, double value) { cycles[static_cast<std::size_t>(fn)] = value; };
  set(VectorFn::copy, 1);
  set(VectorFn::relu, 1);
  set(VectorFn::add, 1);
  set(VectorFn::mul, 1);
  set(VectorFn::div, 4);
  set(VectorFn::sqrt, 4);
  set(VectorFn::exp, 4);
  set(VectorFn::sigmoid, 5);
  set(VectorFn::tanh, 5);
  set(VectorFn::gelu, 6);
  set(VectorFn::pool, 1);
  set(VectorFn::reduce, 1);
  set(VectorFn::batch_norm, 2);
  set(VectorFn::layer_norm, 4);
  set(VectorFn::softmax, 7);
  set(VectorFn::optimizer, 2);
  set(VectorFn::loss, 6);
  return cycles;
}

}  // namespace accelscope::model
