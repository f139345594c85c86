// The search space: the dimensions a design is chosen along, and how a design is encoded as a
// point.
//
// The search library knows a design only as a Point. For a discrete dimension the coordinate is the
// level index (0 .. levels-1, an exact integer stored in a double); for a continuous dimension it
// is the value itself. The engine maps points to hardware; the search never sees hardware.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accelscope::search {

using Point = std::vector<double>;

struct Dimension {
  enum class Kind : std::uint8_t { discrete, continuous };

  std::string name;
  Kind kind = Kind::discrete;

  // Discrete: the ordered levels. `values` gives a number per level (e.g. SRAM sizes 16, 32, 64
  // KiB) and is what normalisation uses; `labels` names levels (dataflows, or display strings). At
  // least one of them is set; when both are, they have the same length.
  std::vector<double> values;
  std::vector<std::string> labels;
  // Unordered levels (e.g. dataflow): variation resets them at random instead of stepping to a
  // neighbouring level.
  bool categorical = false;

  // Continuous: the closed range [lo, hi]. log_scale samples and normalises in log(value) (lo > 0).
  double lo = 0.0;
  double hi = 0.0;
  bool log_scale = false;

  // Ordered numeric levels, e.g. numeric_levels("sram_kib", {16, 32, 64}).
  static Dimension numeric_levels(std::string dimension_name, std::vector<double> level_values);
  // Ordered levels known only by label; normalised by index.
  static Dimension ordinal_levels(std::string dimension_name,
                                  std::vector<std::string> level_labels);
  // Unordered levels, e.g. categorical_levels("dataflow", {"os", "ws", "is"}).
  static Dimension categorical_levels(std::string dimension_name,
                                      std::vector<std::string> level_labels);
  static Dimension continuous_range(std::string dimension_name, double range_lo, double range_hi,
                                    bool log_scaled = false);

  bool is_discrete() const { return kind == Kind::discrete; }
  // Number of levels of a discrete dimension (0 for a continuous one).
  std::size_t level_count() const;
  // True when a discrete dimension is normalised in log(value): every value is positive and the
  // values span more than 8x (typical of sizes that double). Continuous: log_scale.
  bool normalises_in_log() const;
  // Throws std::invalid_argument naming the dimension and what is wrong.
  void validate() const;
};

class Space {
 public:
  Space() = default;
  // Validates every dimension (see Dimension::validate) and that names are unique.
  explicit Space(std::vector<Dimension> dimensions);
  void add(Dimension dimension);

  std::size_t dimension_count() const { return dimensions_.size(); }
  bool empty() const { return dimensions_.empty(); }
  const Dimension& dimension(std::size_t index) const { return dimensions_.at(index); }
  const std::vector<Dimension>& dimensions() const { return dimensions_; }
  std::optional<std::size_t> find(std::string_view dimension_name) const;

  bool is_fully_discrete() const;
  // Number of points of the discrete grid; nullopt when a dimension is continuous or the count
  // overflows 64 bits.
  std::optional<std::uint64_t> grid_size() const;
  // The same as a double: +inf when a dimension is continuous. Never overflows.
  double grid_size_approx() const;
  // Grid enumeration in mixed radix, the LAST dimension varying fastest (like nested loops over the
  // dimensions in declared order). Throws std::out_of_range / std::invalid_argument when the index
  // is past the grid or the space is not fully discrete.
  Point grid_point(std::uint64_t grid_index) const;
  std::uint64_t grid_index(const Point& point) const;

  // True when the point has one coordinate per dimension, integral in-range levels for discrete
  // dimensions and in-range values for continuous ones.
  bool contains(const Point& point) const;
  // Throws std::invalid_argument explaining why the point is not in the space.
  void check(const Point& point) const;
  // Nearest point of the space: discrete coordinates rounded to a level, values clamped to ranges.
  Point snap(Point point) const;

  // Geometry for models and distances: each coordinate mapped to [0,1], in log(value) where
  // Dimension::normalises_in_log says so, by value for numeric levels, by index otherwise.
  double normalised_coordinate(std::size_t dimension_index, double coordinate) const;
  std::vector<double> normalise(const Point& point) const;

  // Sampling map: a uniform u in [0,1)^d gives a point uniform over the levels of each discrete
  // dimension and uniform (log-uniform with log_scale) over each continuous range.
  Point from_unit(const std::vector<double>& unit) const;

  // Stable text key, identical for identical points across runs and platforms: level indices as
  // integers, continuous values in shortest round-trip form, comma-separated. Use it to
  // de-duplicate.
  std::string key(const Point& point) const;
  // Human-readable "name=level, ..." for messages and logs.
  std::string describe(const Point& point) const;

 private:
  std::vector<Dimension> dimensions_;
};

}  // namespace accelscope::search
