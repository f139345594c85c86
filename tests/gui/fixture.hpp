// Synthetic but realistic study databases for the viewer's tests and screenshot: a small
// analytical stand-in for the engine (systolic array cycles with fill/drain, SRAM-dependent DRAM
// refetch, memory stalls, vector-unit ops, component energy and area at 22 or 7 nm) evaluated on
// ResNet-50- and MobileNetV2-shaped layer lists, written through the store API exactly as a search
// would (add_pending, claim_pending, complete_many, set_breakdown).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace accelscope::gui::fixture {

struct StudyOptions {
  std::string name = "edge-inference-22nm";
  std::string strategy = "nsga2";
  std::int64_t budget = 300;
  std::int64_t evaluate = 300;     // trials finished now (< budget: an unfinished study)
  std::string mode = "inference";  // or "training"
  int tech_nm = 22;                // 22 or 7
  double area_limit_mm2 = 10;
  std::uint64_t seed = 1;
  int breakdown_every = 8;  // besides front designs, every n-th design keeps one (0: none)
  int fail_every = 0;       // every n-th evaluation fails (0: none)
};

store::StudyConfig study_config(const StudyOptions& options);
// The parameters of design `seq` (deterministic in seed and seq).
store::ProposedPoint propose(const StudyOptions& options, std::int64_t seq);
// Evaluates a design; the breakdown is always filled in (callers decide whether to store it).
store::TrialResult evaluate(const StudyOptions& options, const nlohmann::json& params);

// Proposes, claims and completes trials first_seq .. first_seq + count - 1 of the study.
void add_trials(store::Database& db, store::StudyId study, const StudyOptions& options,
                std::int64_t first_seq, std::int64_t count);
// Creates (or resumes) the study and evaluates options.evaluate designs; stores breakdowns for
// the final front members and every breakdown_every-th design; sets the status.
store::StudyId write_study(store::Database& db, const StudyOptions& options);

// The example file: inference at 22 nm (done), inference at 7 nm (done), training at 22 nm
// (paused part-way). `scale` multiplies the design counts.
void write_example_database(const std::filesystem::path& path, double scale = 1.0);

}  // namespace accelscope::gui::fixture
