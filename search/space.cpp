#include "search/space.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

namespace accelscope::search {
namespace {

// A span of more than this ratio between the smallest and largest level value makes a discrete
// dimension log-normalised: sizes that double are far apart in value but equally "far" as choices.
constexpr double kLogSpanRatio = 8.0;

std::string quoted(const std::string& name) {
  return "'" + name + "'";
}

std::string format_double(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

bool is_level_index(double coordinate, std::size_t level_count) {
  return std::isfinite(coordinate) && coordinate >= 0.0 &&
         coordinate < static_cast<double>(level_count) && coordinate == std::floor(coordinate);
}

std::size_t level_of(double coordinate) {
  return static_cast<std::size_t>(coordinate);
}

}  // namespace

Dimension Dimension::numeric_levels(std::string dimension_name, std::vector<double> level_values) {
  Dimension dimension;
  dimension.name = std::move(dimension_name);
  dimension.values = std::move(level_values);
  return dimension;
}

Dimension Dimension::ordinal_levels(std::string dimension_name,
                                    std::vector<std::string> level_labels) {
  Dimension dimension;
  dimension.name = std::move(dimension_name);
  dimension.labels = std::move(level_labels);
  return dimension;
}

Dimension Dimension::categorical_levels(std::string dimension_name,
                                        std::vector<std::string> level_labels) {
  Dimension dimension = ordinal_levels(std::move(dimension_name), std::move(level_labels));
  dimension.categorical = true;
  return dimension;
}

Dimension Dimension::continuous_range(std::string dimension_name, double range_lo, double range_hi,
                                      bool log_scaled) {
  Dimension dimension;
  dimension.name = std::move(dimension_name);
  dimension.kind = Kind::continuous;
  dimension.lo = range_lo;
  dimension.hi = range_hi;
  dimension.log_scale = log_scaled;
  return dimension;
}

std::size_t Dimension::level_count() const {
  if (!is_discrete()) return 0;
  return std::max(values.size(), labels.size());
}

bool Dimension::normalises_in_log() const {
  if (!is_discrete()) return log_scale;
  if (categorical || values.empty()) return false;
  const auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
  return *min_it > 0.0 && *max_it > kLogSpanRatio * *min_it;
}

void Dimension::validate() const {
  const std::string who = name.empty() ? std::string("a dimension") : "dimension " + quoted(name);
  if (name.empty()) throw std::invalid_argument("search space: a dimension has an empty name");
  if (is_discrete()) {
    if (values.empty() && labels.empty()) {
      throw std::invalid_argument("search space: " + who +
                                  " has zero levels (give level values or labels)");
    }
    if (!values.empty() && !labels.empty() && values.size() != labels.size()) {
      throw std::invalid_argument("search space: " + who + " has " + std::to_string(values.size()) +
                                  " level values but " + std::to_string(labels.size()) + " labels");
    }
    for (double value : values) {
      if (!std::isfinite(value)) {
        throw std::invalid_argument("search space: " + who + " has a non-finite level value");
      }
    }
    const std::set<std::string> distinct_labels(labels.begin(), labels.end());
    if (distinct_labels.size() != labels.size()) {
      throw std::invalid_argument("search space: " + who + " has repeated level labels");
    }
    return;
  }
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) {
    throw std::invalid_argument("search space: continuous " + who + " needs finite lo < hi (got [" +
                                format_double(lo) + ", " + format_double(hi) + "])");
  }
  if (log_scale && !(lo > 0.0)) {
    throw std::invalid_argument("search space: log-scaled " + who + " needs lo > 0 (got " +
                                format_double(lo) + ")");
  }
}

Space::Space(std::vector<Dimension> dimensions) {
  for (auto& dimension : dimensions) add(std::move(dimension));
}

void Space::add(Dimension dimension) {
  dimension.validate();
  if (find(dimension.name)) {
    throw std::invalid_argument("search space: dimension " + quoted(dimension.name) +
                                " is declared twice");
  }
  dimensions_.push_back(std::move(dimension));
}

std::optional<std::size_t> Space::find(std::string_view dimension_name) const {
  for (std::size_t i = 0; i < dimensions_.size(); ++i) {
    if (dimensions_[i].name == dimension_name) return i;
  }
  return std::nullopt;
}

bool Space::is_fully_discrete() const {
  return std::all_of(dimensions_.begin(), dimensions_.end(),
                     [](const Dimension& dimension) { return dimension.is_discrete(); });
}

std::optional<std::uint64_t> Space::grid_size() const {
  if (dimensions_.empty() || !is_fully_discrete()) return std::nullopt;
  std::uint64_t size = 1;
  for (const auto& dimension : dimensions_) {
    const std::uint64_t levels = dimension.level_count();
    if (size > std::numeric_limits<std::uint64_t>::max() / levels) return std::nullopt;
    size *= levels;
  }
  return size;
}

double Space::grid_size_approx() const {
  if (dimensions_.empty()) return 0.0;
  double size = 1.0;
  for (const auto& dimension : dimensions_) {
    if (!dimension.is_discrete()) return std::numeric_limits<double>::infinity();
    size *= static_cast<double>(dimension.level_count());
  }
  return size;
}

Point Space::grid_point(std::uint64_t grid_index) const {
  const auto size = grid_size();
  if (!size) {
    throw std::invalid_argument(
        "search space: grid enumeration needs a non-empty, fully discrete space of < 2^64 points");
  }
  if (grid_index >= *size) {
    throw std::out_of_range("search space: grid index " + std::to_string(grid_index) +
                            " is past the grid of " + std::to_string(*size) + " points");
  }
  Point point(dimensions_.size());
  for (std::size_t i = dimensions_.size(); i-- > 0;) {
    const std::uint64_t levels = dimensions_[i].level_count();
    point[i] = static_cast<double>(grid_index % levels);
    grid_index /= levels;
  }
  return point;
}

std::uint64_t Space::grid_index(const Point& point) const {
  check(point);
  if (!grid_size()) {
    throw std::invalid_argument(
        "search space: grid indices need a fully discrete space of < 2^64 points");
  }
  std::uint64_t index = 0;
  for (std::size_t i = 0; i < dimensions_.size(); ++i) {
    index = index * dimensions_[i].level_count() + level_of(point[i]);
  }
  return index;
}

bool Space::contains(const Point& point) const {
  if (point.size() != dimensions_.size()) return false;
  for (std::size_t i = 0; i < dimensions_.size(); ++i) {
    const auto& dimension = dimensions_[i];
    if (dimension.is_discrete()) {
      if (!is_level_index(point[i], dimension.level_count())) return false;
    } else if (!(point[i] >= dimension.lo && point[i] <= dimension.hi)) {
      return false;
    }
  }
  return true;
}

void Space::check(const Point& point) const {
  if (point.size() != dimensions_.size()) {
    throw std::invalid_argument("search space: point has " + std::to_string(point.size()) +
                                " coordinates, the space has " +
                                std::to_string(dimensions_.size()) + " dimensions");
  }
  for (std::size_t i = 0; i < dimensions_.size(); ++i) {
    const auto& dimension = dimensions_[i];
    if (dimension.is_discrete() && !is_level_index(point[i], dimension.level_count())) {
      throw std::invalid_argument("search space: coordinate " + format_double(point[i]) +
                                  " of dimension " + quoted(dimension.name) +
                                  " is not a level index in [0, " +
                                  std::to_string(dimension.level_count()) + ")");
    }
    if (!dimension.is_discrete() && !(point[i] >= dimension.lo && point[i] <= dimension.hi)) {
      throw std::invalid_argument("search space: value " + format_double(point[i]) +
                                  " of dimension " + quoted(dimension.name) + " is outside [" +
                                  format_double(dimension.lo) + ", " + format_double(dimension.hi) +
                                  "]");
    }
  }
}

Point Space::snap(Point point) const {
  point.resize(dimensions_.size(), 0.0);
  for (std::size_t i = 0; i < dimensions_.size(); ++i) {
    const auto& dimension = dimensions_[i];
    double& coordinate = point[i];
    if (dimension.is_discrete()) {
      const double top = static_cast<double>(dimension.level_count() - 1);
      coordinate = std::isfinite(coordinate) ? std::clamp(std::round(coordinate), 0.0, top) : 0.0;
    } else {
      coordinate = std::isfinite(coordinate) ? std::clamp(coordinate, dimension.lo, dimension.hi)
                                             : dimension.lo;
    }
  }
  return point;
}

double Space::normalised_coordinate(std::size_t dimension_index, double coordinate) const {
  const auto& dimension = dimensions_.at(dimension_index);
  if (!dimension.is_discrete()) {
    if (dimension.log_scale) {
      return (std::log(coordinate) - std::log(dimension.lo)) /
             (std::log(dimension.hi) - std::log(dimension.lo));
    }
    return (coordinate - dimension.lo) / (dimension.hi - dimension.lo);
  }
  const std::size_t levels = dimension.level_count();
  if (levels <= 1) return 0.0;
  const std::size_t level = std::min(level_of(std::max(coordinate, 0.0)), levels - 1);
  if (dimension.categorical || dimension.values.empty()) {
    return static_cast<double>(level) / static_cast<double>(levels - 1);
  }
  const auto [min_it, max_it] =
      std::minmax_element(dimension.values.begin(), dimension.values.end());
  const double value_min = *min_it;
  const double value_max = *max_it;
  if (value_max == value_min) return 0.0;
  const double value = dimension.values[level];
  if (dimension.normalises_in_log()) {
    return (std::log(value) - std::log(value_min)) / (std::log(value_max) - std::log(value_min));
  }
  return (value - value_min) / (value_max - value_min);
}

std::vector<double> Space::normalise(const Point& point) const {
  std::vector<double> unit(dimensions_.size());
  for (std::size_t i = 0; i < dimensions_.size(); ++i) {
    unit[i] = normalised_coordinate(i, point.at(i));
  }
  return unit;
}

Point Space::from_unit(const std::vector<double>& unit) const {
  Point point(dimensions_.size());
  for (std::size_t i = 0; i < dimensions_.size(); ++i) {
    const auto& dimension = dimensions_[i];
    const double u = std::clamp(unit.at(i), 0.0, 1.0);
    if (dimension.is_discrete()) {
      const double levels = static_cast<double>(dimension.level_count());
      point[i] = std::min(std::floor(u * levels), levels - 1.0);
    } else if (dimension.log_scale) {
      const double log_lo = std::log(dimension.lo);
      const double log_hi = std::log(dimension.hi);
      point[i] = std::clamp(std::exp(log_lo + u * (log_hi - log_lo)), dimension.lo, dimension.hi);
    } else {
      point[i] =
          std::clamp(dimension.lo + u * (dimension.hi - dimension.lo), dimension.lo, dimension.hi);
    }
  }
  return point;
}

std::string Space::key(const Point& point) const {
  std::string text;
  text.reserve(point.size() * 4);
  for (std::size_t i = 0; i < point.size(); ++i) {
    if (i > 0) text += ',';
    const bool discrete = i < dimensions_.size() && dimensions_[i].is_discrete();
    if (discrete && std::isfinite(point[i]) && point[i] == std::floor(point[i])) {
      text += std::to_string(static_cast<long long>(point[i]));
    } else {
      text += format_double(point[i]);
    }
  }
  return text;
}

std::string Space::describe(const Point& point) const {
  std::string text;
  for (std::size_t i = 0; i < point.size() && i < dimensions_.size(); ++i) {
    if (i > 0) text += ", ";
    const auto& dimension = dimensions_[i];
    text += dimension.name + '=';
    if (dimension.is_discrete() && is_level_index(point[i], dimension.level_count())) {
      const std::size_t level = level_of(point[i]);
      text += dimension.labels.empty() ? format_double(dimension.values[level])
                                       : dimension.labels[level];
    } else {
      text += format_double(point[i]);
    }
  }
  return text;
}

}  // namespace accelscope::search
