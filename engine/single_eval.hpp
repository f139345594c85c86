// `accelscope eval`: one design on one workload. The command and the Python module (python/) both
// call this, so they give the same figures, the same JSON (eval_output.hpp) and the same errors.
#pragma once

#include <string>

#include "model/evaluate.hpp"
#include "model/io/technology_io.hpp"

namespace accelscope::engine {

struct SingleEvalOptions {
  bool per_layer = true;         // false: totals only, from a prepared network (the fast path)
  bool scalesim_compat = false;  // SCALE-Sim's view (--compat scalesim)
};

// The technology at the design's node; io::InputError "<hardware_source>: ..." listing the
// supported nodes when the library has none for it.
model::Technology technology_for(const io::TechLibrary& library,
                                 const model::Accelerator& accelerator,
                                 const std::string& hardware_source);

// Evaluates the design on the network, per layer or totals only, from `prepared` (a preparation
// of `network`) when given (null: the totals path prepares it here). Hardware the model rejects
// gives io::InputError
// "<hardware_source>: ...".
model::NetworkReport evaluate_single(model::Accelerator accelerator, const model::Network& network,
                                     const model::PreparedNetwork* prepared,
                                     const model::Technology& tech,
                                     const SingleEvalOptions& options,
                                     const std::string& hardware_source);

}  // namespace accelscope::engine
