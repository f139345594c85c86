#include "engine/single_eval.hpp"

#include <optional>
#include <stdexcept>

#include "model/io/json_reader.hpp"

namespace accelscope::engine {

model::Technology technology_for(const io::TechLibrary& library,
                                 const model::Accelerator& accelerator,
                                 const std::string& hardware_source) {
  try {
    return io::technology_at(library, accelerator.tech_node_nm);
  } catch (const io::InputError& e) {
    throw io::InputError(hardware_source + ": " + e.what());
  }
}

model::NetworkReport evaluate_single(model::Accelerator accelerator, const model::Network& network,
                                     const model::PreparedNetwork* prepared,
                                     const model::Technology& tech,
                                     const SingleEvalOptions& options,
                                     const std::string& hardware_source) {
  model::EvalOptions eval;
  eval.per_op = options.per_layer;
  if (options.scalesim_compat) {
    // SCALE-Sim's view: SRAM streams a whole layer, every fold pays fill and drain, layers run
    // one at a time through DRAM.
    eval.tile_for_capacity = false;
    accelerator.array.fold_overlap = false;
    accelerator.inter_layer = model::InterLayer::through_dram;
    accelerator.fusion = false;
  }
  try {
    if (options.per_layer)
      return prepared ? model::evaluate(accelerator, *prepared, tech, eval)
                      : model::evaluate(accelerator, network, tech, eval);
    std::optional<model::PreparedNetwork> own;
    if (!prepared) prepared = &own.emplace(model::prepare(network));
    model::NetworkReport report;
    report.design = model::evaluate_design(accelerator, tech);
    report.total = model::evaluate_totals(accelerator, *prepared, tech, eval);
    return report;
  } catch (const std::invalid_argument& e) {
    throw io::InputError(hardware_source + ": " + e.what());
  }
}

}  // namespace accelscope::engine
