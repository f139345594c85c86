// The validation table held to its tolerances (issue 9), and the residency claims a user can check
// on a TPU-v1-like design: ResNet-50 at batch 1 moves about its weights through DRAM once every
// activation fits on chip, and its DRAM traffic never grows with the activation buffer.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "engine/loaders.hpp"
#include "engine/validation.hpp"
#include "model/evaluate.hpp"
#include "model/io/hardware_json.hpp"
#include "model/io/json_reader.hpp"
#include "model/io/technology_io.hpp"
#include "tests/test_support.hpp"

namespace accelscope {
namespace {

using accelscope::testing::data_dir;

// Figures the model does not reach yet, each with the reason (docs/validation.md explains them),
// keyed by the reference's short name (its title up to " (") and the figure. A row listed here
// that starts passing fails the test: take it off the list.
const std::map<std::string, std::string>& known_gaps() {
  static const std::map<std::string, std::string> gaps = {
      {"Eyeriss v1: VGG-16 CONV, batch 3: frames/s",
       "the published fps and DRAM accesses per MAC leave 38 % compute efficiency on VGG-16 "
       "against 95 % on AlexNet; the paper blames the ramp-up of the many processing passes of "
       "the early layers, which depends on its per-layer VGG mapping (not in the sources found)"},
      {"DianNao: area",
       "DianNao's layout area is below what the calibrated cell library gives at 65 nm"},
      {"DianNao: power at full activity",
       "DianNao's layout power implies multipliers ~2x cheaper than Horowitz's scaled to 65 nm"},
  };
  return gaps;
}

std::string gap_key(const engine::ValidationRow& row) {
  return row.reference.substr(0, row.reference.find(" (")) + ": " + row.figure;
}

model::Accelerator load_chip(const std::string& name) {
  return io::parse_hardware(io::read_json_file(data_dir() + "/hardware/chips/" + name + ".json"),
                            name + ".json");
}

}  // namespace

TEST_CASE("validate: every judged figure is within its tolerance, or a stated gap",
          "[validation]") {
  const io::TechLibrary library = io::load_default_tech_library();
  const std::vector<engine::ValidationRow> rows = engine::run_validation(data_dir(), library);
  REQUIRE(rows.size() >= 40);
  std::set<std::string> references, gaps_seen;
  for (const engine::ValidationRow& row : rows) {
    INFO(row.reference << ": " << row.figure << " = " << row.model << " " << row.unit
                       << ", tolerance " << row.tolerance);
    references.insert(row.reference.substr(0, row.reference.find(' ')));
    if (!row.judged) continue;
    CHECK(std::isfinite(row.model));
    const auto gap = known_gaps().find(gap_key(row));
    if (gap == known_gaps().end()) {
      CHECK(row.pass());
    } else {
      INFO("known gap: " << gap->second);
      CHECK_FALSE(row.pass());
      gaps_seen.insert(gap->first);
    }
  }
  // Every listed gap names a judged row (a renamed figure cannot leave a stale entry).
  CHECK(gaps_seen.size() == known_gaps().size());
  // Both simulators and every published chip are in the table.
  for (const char* reference : {"SCALE-Sim", "SimDIT", "TPU", "Eyeriss", "DianNao"})
    CHECK(references.count(reference) == 1);
}

TEST_CASE("TPU v1-like ResNet-50: activations stay on chip and traffic falls as the buffer grows",
          "[validation][residency]") {
  const io::TechLibrary library = io::load_default_tech_library();
  model::Accelerator tpu = load_chip("tpu_v1");
  const model::Technology tech = io::technology_at(library, tpu.tech_node_nm);
  engine::WorkloadOptions load;
  load.batch = 1;
  const model::Network resnet =
      engine::load_workload(data_dir() + "/workloads/resnet50.json", load);
  auto dram_mb = [&](const model::Accelerator& a) {
    const model::NetworkReport r = model::evaluate(a, resnet, tech);
    return (r.total.all.dram_read_total() + r.total.all.dram_write_total()) * 1e-6;
  };
  double weights_mb = 0;
  for (const model::Op& op : resnet.ops)
    weights_mb += static_cast<double>(op.parameter_elements) * 1e-6;

  // 24 MiB holds every activation: about the int8 weights (25.6 MB) and the input image.
  const double full_mb = dram_mb(tpu);
  CHECK(full_mb < 40);
  CHECK(full_mb >= weights_mb);

  // Layer by layer through DRAM without fusion (SCALE-Sim's view, the model's before issue 9)
  // moves every activation out and back; fusion alone keeps the element-wise results on chip.
  model::Accelerator through = tpu;
  through.inter_layer = model::InterLayer::through_dram;
  const double fused_through_mb = dram_mb(through);
  CHECK(fused_through_mb > full_mb);
  through.fusion = false;
  CHECK(dram_mb(through) > 1.5 * fused_through_mb);

  const std::size_t inputs = static_cast<std::size_t>(model::Buffer::inputs);
  double previous_mb = std::numeric_limits<double>::infinity();
  for (double kib = 256; kib <= 24576; kib *= 2) {
    model::Accelerator a = tpu;
    a.sram[inputs].capacity_bytes = kib * 1024;
    const double mb = dram_mb(a);
    INFO(kib << " KiB: " << mb << " MB");
    CHECK(mb <= previous_mb * (1 + 1e-9));
    previous_mb = mb;
  }
  CHECK(previous_mb < 40);
}

}  // namespace accelscope
