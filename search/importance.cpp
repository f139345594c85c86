#include "search/importance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace accelscope::search {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// splitmix64: a small generator with the same sequence on every platform (std distributions are
// not portable), so a report made twice samples the same designs.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
double next_unit(std::uint64_t& state) {
  return static_cast<double>(next_random(state) >> 11) * 0x1.0p-53;
}

// Bin of each design for one parameter, and the number of bins. NaN values get a bin of their own.
struct Binning {
  std::vector<std::uint32_t> bin;
  std::size_t count = 0;
};

Binning bin_parameter(const std::vector<double>& values, bool categorical, std::size_t max_bins) {
  Binning out;
  out.bin.assign(values.size(), 0);
  std::vector<std::size_t> order;
  order.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isnan(values[i])) order.push_back(i);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::size_t distinct = 0;
  for (std::size_t p = 0; p < order.size(); ++p)
    if (p == 0 || values[order[p]] != values[order[p - 1]]) ++distinct;
  const bool per_value = categorical || distinct <= max_bins;
  std::uint32_t current = 0;
  for (std::size_t p = 0; p < order.size(); ++p) {
    const bool tie = p > 0 && values[order[p]] == values[order[p - 1]];
    if (per_value) {
      if (p > 0 && !tie) ++current;
    } else if (!tie) {
      // Equal-count bins; ties stay together, so a bin may hold more than n / max_bins.
      current =
          std::max<std::uint32_t>(current, static_cast<std::uint32_t>(p * max_bins / order.size()));
    }
    out.bin[order[p]] = current;
  }
  out.count = order.empty() ? 0 : current + 1;
  if (order.size() < values.size()) {
    for (std::size_t i = 0; i < values.size(); ++i)
      if (std::isnan(values[i])) out.bin[i] = static_cast<std::uint32_t>(out.count);
    ++out.count;
  }
  return out;
}

// Ranks (1-based, ties averaged) of values[rows[r]].
std::vector<double> ranks_of(const std::vector<double>& values,
                             const std::vector<std::size_t>& rows) {
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return values[rows[a]] < values[rows[b]]; });
  std::vector<double> ranks(rows.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && values[rows[order[end]]] == values[rows[order[start]]]) ++end;
    const double average = 0.5 * static_cast<double>(start + end - 1) + 1.0;
    for (std::size_t p = start; p < end; ++p) ranks[order[p]] = average;
    start = end;
  }
  return ranks;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const auto n = static_cast<double>(a.size());
  if (a.size() < 2) return kNaN;
  const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double cov = 0, var_a = 0, var_b = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    cov += (a[i] - mean_a) * (b[i] - mean_b);
    var_a += (a[i] - mean_a) * (a[i] - mean_a);
    var_b += (b[i] - mean_b) * (b[i] - mean_b);
  }
  if (var_a <= 0 || var_b <= 0) return kNaN;
  return std::clamp(cov / std::sqrt(var_a * var_b), -1.0, 1.0);
}

// Epsilon-squared of y (over rows) grouped by bins.
double first_order_index(const std::vector<double>& y, const std::vector<std::size_t>& rows,
                         const Binning& binning, double mean, double ss_total) {
  std::vector<double> sum(binning.count, 0.0);
  std::vector<std::size_t> count(binning.count, 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::uint32_t b = binning.bin[rows[r]];
    sum[b] += y[r];
    ++count[b];
  }
  double ss_between = 0;
  std::size_t groups = 0;
  for (std::size_t b = 0; b < binning.count; ++b) {
    if (count[b] == 0) continue;
    ++groups;
    const double group_mean = sum[b] / static_cast<double>(count[b]);
    ss_between += static_cast<double>(count[b]) * (group_mean - mean) * (group_mean - mean);
  }
  if (groups <= 1) return 0.0;  // the parameter does not vary among these designs
  if (rows.size() <= groups) return kNaN;
  const double ss_within = std::max(0.0, ss_total - ss_between);
  const double ms_within = ss_within / static_cast<double>(rows.size() - groups);
  const double epsilon_squared =
      (ss_between - static_cast<double>(groups - 1) * ms_within) / ss_total;
  return std::clamp(epsilon_squared, 0.0, 1.0);
}

ImportanceTable analyse(const std::vector<std::vector<double>>& parameters,
                        const std::vector<bool>& categorical,
                        const std::vector<std::vector<double>>& objectives,
                        const ImportanceOptions& options, std::size_t designs_seen) {
  ImportanceTable table;
  table.designs_seen = designs_seen;
  table.designs_used =
      parameters.empty() ? (objectives.empty() ? 0 : objectives[0].size()) : parameters[0].size();
  std::vector<Binning> bins;
  bins.reserve(parameters.size());
  for (std::size_t j = 0; j < parameters.size(); ++j)
    bins.push_back(bin_parameter(parameters[j], categorical[j], options.max_bins));
  // Ranks of each ordered parameter over every design, for the objectives every design has.
  std::vector<std::size_t> all_rows(table.designs_used);
  std::iota(all_rows.begin(), all_rows.end(), std::size_t{0});
  std::vector<std::vector<double>> parameter_ranks(parameters.size());
  for (std::size_t j = 0; j < parameters.size(); ++j)
    if (!categorical[j] && std::none_of(parameters[j].begin(), parameters[j].end(),
                                        [](double v) { return std::isnan(v); }))
      parameter_ranks[j] = ranks_of(parameters[j], all_rows);

  for (const std::vector<double>& column : objectives) {
    std::vector<std::size_t> rows;
    bool all_positive = true;
    for (std::size_t i = 0; i < column.size(); ++i) {
      if (!std::isfinite(column[i])) continue;
      rows.push_back(i);
      all_positive = all_positive && column[i] > 0;
    }
    const bool use_log = options.log_positive_objectives && all_positive && !rows.empty();
    std::vector<double> y(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r)
      y[r] = use_log ? std::log(column[rows[r]]) : column[rows[r]];
    const double mean =
        y.empty() ? 0.0 : std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
    double ss_total = 0;
    for (const double v : y) ss_total += (v - mean) * (v - mean);
    // Constant up to rounding: nothing to explain.
    const bool varies =
        ss_total > static_cast<double>(y.size()) * 1e-24 * std::max(1.0, mean * mean);

    std::vector<ParameterImportance> row(parameters.size());
    std::vector<double> y_ranks;
    if (varies) y_ranks = ranks_of(column, rows);
    double sum = 0;
    for (std::size_t j = 0; j < parameters.size(); ++j) {
      if (!varies) continue;
      row[j].first_order = first_order_index(y, rows, bins[j], mean, ss_total);
      if (!std::isnan(row[j].first_order)) sum += row[j].first_order;
      if (categorical[j]) continue;
      if (rows.size() == all_rows.size() && !parameter_ranks[j].empty()) {
        row[j].rank_correlation = pearson(parameter_ranks[j], y_ranks);
      } else {
        std::vector<std::size_t> present;
        std::vector<double> y_present;
        for (std::size_t r = 0; r < rows.size(); ++r)
          if (!std::isnan(parameters[j][rows[r]])) {
            present.push_back(rows[r]);
            y_present.push_back(y_ranks[r]);
          }
        if (present.size() != rows.size()) y_present = ranks_of(column, present);
        row[j].rank_correlation = pearson(ranks_of(parameters[j], present), y_present);
      }
    }
    table.objective_designs.push_back(rows.size());
    table.objective_log.push_back(use_log);
    table.first_order_sum.push_back(varies ? sum : kNaN);
    table.entries.push_back(std::move(row));
  }
  return table;
}

void check_options(const ImportanceOptions& options) {
  if (options.max_bins < 2)
    throw std::invalid_argument("parameter importance: max_bins must be at least 2, is " +
                                std::to_string(options.max_bins));
  if (options.max_designs < 2)
    throw std::invalid_argument("parameter importance: max_designs must be at least 2, is " +
                                std::to_string(options.max_designs));
}

}  // namespace

std::vector<std::size_t> ImportanceTable::ranking(std::size_t objective) const {
  const std::vector<ParameterImportance>& row = entries.at(objective);
  std::vector<std::size_t> order(row.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double va = row[a].first_order, vb = row[b].first_order;
    if (std::isnan(va) || std::isnan(vb)) return !std::isnan(va) && std::isnan(vb);
    return va > vb;
  });
  return order;
}

ImportanceTable parameter_importance(const std::vector<std::vector<double>>& parameter_columns,
                                     const std::vector<bool>& categorical,
                                     const std::vector<std::vector<double>>& objective_columns,
                                     const ImportanceOptions& options) {
  check_options(options);
  if (categorical.size() != parameter_columns.size())
    throw std::invalid_argument("parameter importance: " + std::to_string(categorical.size()) +
                                " categorical flags for " +
                                std::to_string(parameter_columns.size()) + " parameters");
  std::size_t designs = 0;
  bool first = true;
  for (const auto* columns : {&parameter_columns, &objective_columns})
    for (const std::vector<double>& column : *columns) {
      if (!first && column.size() != designs)
        throw std::invalid_argument("parameter importance: columns of different lengths (" +
                                    std::to_string(designs) + " and " +
                                    std::to_string(column.size()) + " designs)");
      designs = column.size();
      first = false;
    }
  if (designs <= options.max_designs)
    return analyse(parameter_columns, categorical, objective_columns, options, designs);

  // Selection sampling (Knuth's algorithm S): max_designs of the designs, each equally likely,
  // in their order, in one pass.
  std::vector<std::size_t> chosen;
  chosen.reserve(options.max_designs);
  std::uint64_t state = options.seed;
  for (std::size_t i = 0; i < designs && chosen.size() < options.max_designs; ++i)
    if (static_cast<double>(designs - i) * next_unit(state) <
        static_cast<double>(options.max_designs - chosen.size()))
      chosen.push_back(i);
  auto sample = [&](const std::vector<std::vector<double>>& columns) {
    std::vector<std::vector<double>> out(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
      out[c].reserve(chosen.size());
      for (const std::size_t i : chosen) out[c].push_back(columns[c][i]);
    }
    return out;
  };
  return analyse(sample(parameter_columns), categorical, sample(objective_columns), options,
                 designs);
}

ImportanceSampler::ImportanceSampler(std::size_t parameter_count, std::size_t objective_count,
                                     ImportanceOptions options)
    : options_(options),
      parameter_columns_(parameter_count),
      objective_columns_(objective_count),
      rng_state_(options.seed) {
  check_options(options_);
}

void ImportanceSampler::add(std::span<const double> parameters,
                            std::span<const double> objectives) {
  if (parameters.size() != parameter_columns_.size() ||
      objectives.size() != objective_columns_.size())
    throw std::invalid_argument("parameter importance: a design with " +
                                std::to_string(parameters.size()) + " parameters and " +
                                std::to_string(objectives.size()) + " objectives, expected " +
                                std::to_string(parameter_columns_.size()) + " and " +
                                std::to_string(objective_columns_.size()));
  // Reservoir sampling (algorithm R): after n designs, each is in the sample with probability
  // max_designs / n.
  std::size_t slot = seen_;
  if (seen_ >= options_.max_designs) {
    slot = static_cast<std::size_t>(next_random(rng_state_) % (seen_ + 1));
    if (slot >= options_.max_designs) {
      ++seen_;
      return;
    }
  }
  ++seen_;
  auto store = [slot](std::vector<std::vector<double>>& columns, std::span<const double> values) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (slot == columns[c].size()) {
        columns[c].push_back(values[c]);
      } else {
        columns[c][slot] = values[c];
      }
    }
  };
  store(parameter_columns_, parameters);
  store(objective_columns_, objectives);
}

ImportanceTable ImportanceSampler::compute(const std::vector<bool>& categorical) const {
  ImportanceTable table =
      parameter_importance(parameter_columns_, categorical, objective_columns_, options_);
  table.designs_seen = seen_;
  return table;
}

}  // namespace accelscope::search
