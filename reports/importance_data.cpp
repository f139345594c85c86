#include "reports/importance_data.hpp"

#include <cmath>
#include <utility>

namespace accelscope::reports {

std::int64_t importance_stride(std::int64_t done_designs, std::size_t max_designs) {
  const auto most = static_cast<std::int64_t>(std::max<std::size_t>(max_designs, 1));
  if (done_designs <= most) return 1;
  auto is_prime = [](std::int64_t n) {
    for (std::int64_t d = 2; d * d <= n; ++d)
      if (n % d == 0) return false;
    return true;
  };
  std::int64_t stride = std::max<std::int64_t>((done_designs + most - 1) / most, 17);
  while (!is_prime(stride)) ++stride;
  return stride;
}

ImportanceData collect_importance(store::Database& db, store::StudyId study,
                                  std::vector<std::string> parameters,
                                  std::vector<bool> categorical,
                                  std::vector<std::string> objectives, std::int64_t done_designs,
                                  std::size_t max_designs) {
  ImportanceData out;
  out.parameters = std::move(parameters);
  out.categorical = std::move(categorical);
  out.objectives = std::move(objectives);
  if (out.parameters.empty() || out.objectives.empty()) return out;
  search::ImportanceOptions options;
  options.max_designs = std::max<std::size_t>(max_designs, 2);
  search::ImportanceSampler sampler(out.parameters.size(), out.objectives.size(), options);

  store::TrialFilter done;
  done.status = store::TrialStatus::done;
  done.every = importance_stride(done_designs, options.max_designs);
  store::ScanKeys keys;
  std::vector<int> metric_index(out.objectives.size(), -1);  // into keys.metrics
  std::size_t keys_seen = 0;
  std::vector<double> values(out.objectives.size());
  db.scan(
      study, done, keys,
      [&](const store::TrialRow& row) {
        if (row.point.size() != out.parameters.size()) return;  // not a point of this space
        if (keys.metrics.size() != keys_seen) {  // new metric names: look the objectives up again
          keys_seen = keys.metrics.size();
          for (std::size_t o = 0; o < out.objectives.size(); ++o)
            for (std::size_t k = 0; k < keys.metrics.size(); ++k)
              if (keys.metrics[k] == out.objectives[o]) metric_index[o] = static_cast<int>(k);
        }
        for (std::size_t o = 0; o < values.size(); ++o) {
          const int k = metric_index[o];
          values[o] = k >= 0 && static_cast<std::size_t>(k) < row.metrics.size()
                          ? row.metrics[static_cast<std::size_t>(k)]
                          : NAN;
        }
        sampler.add(row.point, values);
      },
      store::ScanColumns{.point = true, .params = false, .metrics = true});
  out.table = sampler.compute(out.categorical);
  return out;
}

}  // namespace accelscope::reports
