#include "model/array_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace accelscope::model {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// A dimension cut into tiles: `full_count` tiles of `full_size` and at most one remainder tile.
struct Split {
  std::int64_t full_size = 0;
  std::int64_t full_count = 0;
  std::int64_t rest_size = 0;
  std::int64_t rest_count = 0;

  std::int64_t tiles() const { return full_count + rest_count; }
  std::int64_t total() const { return full_size * full_count + rest_size * rest_count; }
  // Sum over tiles of ceil(tile / side): folds of this dimension onto an array side.
  std::int64_t folds(std::int64_t side) const {
    return full_count * ceil_div(full_size, side) +
           (rest_count ? rest_count * ceil_div(rest_size, side) : 0);
  }
};

Split split(std::int64_t extent, std::int64_t tile) {
  Split s;
  s.full_size = tile;
  s.full_count = extent / tile;
  s.rest_size = extent % tile;
  s.rest_count = s.rest_size > 0 ? 1 : 0;
  return s;
}

// Splits scaled by a factor (m rows of out_cols pixels, repeated per image).
Split scaled(Split s, std::int64_t size_factor, std::int64_t count_factor) {
  s.full_size *= size_factor;
  s.rest_size *= size_factor;
  s.full_count *= count_factor;
  s.rest_count *= count_factor;
  return s;
}

// The reduction dimension cut into tiles: by input channels, and by kernel rows when the whole
// window of even the smallest channel group does not fit (a backward-weight convolution, whose
// window is an image). A tile is channels x kernel rows x kernel cols.
struct KSplit {
  Split channels;
  Split kernel_rows;
  std::int64_t kernel_cols = 1;

  std::int64_t tiles() const { return channels.tiles() * kernel_rows.tiles(); }
  std::int64_t full_size() const {
    return channels.full_size * kernel_rows.full_size * kernel_cols;
  }
  // Sum over tiles of the folds onto `rows` array rows: the tile flattened onto the rows when the
  // kernel is unrolled, else taps x ceil(channels / rows) (each tap a fold of its own).
  std::int64_t folds(std::int64_t rows, bool unroll_kernel) const {
    if (!unroll_kernel) return kernel_rows.total() * kernel_cols * channels.folds(rows);
    const std::array<std::pair<std::int64_t, std::int64_t>, 2> channel_tiles = {
        {{channels.full_size, channels.full_count}, {channels.rest_size, channels.rest_count}}};
    const std::array<std::pair<std::int64_t, std::int64_t>, 2> row_tiles = {
        {{kernel_rows.full_size, kernel_rows.full_count},
         {kernel_rows.rest_size, kernel_rows.rest_count}}};
    std::int64_t total = 0;
    for (const auto& [channel_size, channel_count] : channel_tiles)
      for (const auto& [row_size, row_count] : row_tiles)
        total += channel_count * row_count * ceil_div(channel_size * row_size * kernel_cols, rows);
    return total;
  }
};

// How a candidate tiling cuts the GEMM (per group) and what one pass over each operand costs.
struct Candidate {
  Split m, n;
  KSplit k;
  double input_pass_elements = 0;  // one pass over all input tiles (with conv halo)
};

// Per-group element counts of the three operands.
struct GroupSizes {
  double input = 0, weight = 0, output = 0;
};

// Refetch factors for a loop order: an operand tile is reloaded every time a loop it does not
// depend on, placed outside its innermost dependent loop, advances. Loops with one trip vanish.
struct Refetch {
  double input = 1, weight = 1, output = 1;
};

constexpr std::array<std::array<char, 3>, 6> kLoopOrders = {{{'m', 'n', 'k'},
                                                             {'n', 'm', 'k'},
                                                             {'m', 'k', 'n'},
                                                             {'k', 'm', 'n'},
                                                             {'n', 'k', 'm'},
                                                             {'k', 'n', 'm'}}};

// Position (0 = outermost) of the m, n and k loops in each of kLoopOrders.
struct LoopPositions {
  int m, n, k;
};
constexpr std::array<LoopPositions, 6> kLoopPositions = {
    {{0, 1, 2}, {1, 0, 2}, {0, 2, 1}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}};

// Whether each operand is refetched under a loop order, given which loops have more than one trip
// (bit 0: m, bit 1: n, bit 2: k): bit 0 the input, bit 1 the weight, bit 2 the output.
constexpr int refetched_operands(std::size_t order, int multi_trip) {
  const LoopPositions& p = kLoopPositions[order];
  const bool many_m = (multi_trip & 1) != 0, many_n = (multi_trip & 2) != 0,
             many_k = (multi_trip & 4) != 0;
  const int m = many_m ? p.m : -1, n = many_n ? p.n : -1, k = many_k ? p.k : -1;
  // A factor of one trip refetches nothing, whatever the position.
  return (many_n && p.n < std::max(m, k) ? 1 : 0) | (many_m && p.m < std::max(k, n) ? 2 : 0) |
         (many_k && p.k < std::max(m, n) ? 4 : 0);
}

// Per combination of loops with more than one trip, the loop orders that refetch differently,
// each the first of its kind in kLoopOrders (orders differing only in loops of one trip refetch
// the same, and the first one stands).
struct DistinctOrders {
  std::array<std::size_t, kLoopOrders.size()> orders{};
  std::array<int, kLoopOrders.size()> refetched{};  // refetched_operands of each
  std::size_t count = 0;
};
constexpr std::array<DistinctOrders, 8> kDistinctOrders = [] {
  std::array<DistinctOrders, 8> table{};
  for (int multi_trip = 0; multi_trip < 8; ++multi_trip) {
    DistinctOrders& d = table[static_cast<std::size_t>(multi_trip)];
    for (std::size_t order = 0; order < kLoopOrders.size(); ++order) {
      bool repeated = false;
      for (std::size_t i = 0; i < d.count; ++i)
        repeated = repeated || refetched_operands(d.orders[i], multi_trip) ==
                                   refetched_operands(order, multi_trip);
      if (repeated) continue;
      d.orders[d.count] = order;
      d.refetched[d.count++] = refetched_operands(order, multi_trip);
    }
  }
  return table;
}();

// DRAM bytes of one group for a candidate and a loop order.
struct Traffic {
  double input_bytes = 0, weight_bytes = 0, output_write_bytes = 0, psum_read_bytes = 0;
  double total() const { return input_bytes + weight_bytes + output_write_bytes + psum_read_bytes; }
};

// Bytes per element each operand moves to or from DRAM: 0 for an operand resident on chip.
struct DramBytes {
  double input = 0, weight = 0, output = 0, psum = 0;
};

// Bytes per element of a run-length coded tensor with a fraction `density` of non-zero values,
// its zeros taken as independent of each other: a pair holds a run of zeros and the value ending
// it, at most 2^run_bits elements, so an element costs density / (1 - (1 - density)^(2^run_bits))
// pairs (a pair per non-zero value, plus one per run of zeros cut at its longest).
double rlc_bytes_per_element(const RunLengthCode& code, double density) {
  const double elements_per_full_run = std::ldexp(1.0, code.run_bits);
  const double pairs = density / (1 - std::pow(1 - density, elements_per_full_run));
  return pairs * static_cast<double>(code.word_bits) / code.pairs_per_word / 8;
}

DramBytes dram_bytes_per_element(const DesignContext& ctx, const ArrayPlacement& placement,
                                 const GemmView& g) {
  const RunLengthCode& rlc = ctx.accelerator->dram.activation_rlc;
  // Activations of known density move coded when the design compresses them (weights do not).
  auto coded = [&](double raw_bytes, double density) {
    return rlc.on() && density > 0 ? rlc_bytes_per_element(rlc, density) : raw_bytes;
  };
  return {placement.input_on_chip ? 0 : coded(ctx.operand_bytes, g.input_density),
          placement.weight_on_chip ? 0 : ctx.operand_bytes,
          placement.output_on_chip ? 0 : coded(ctx.output_bytes, g.output_density), ctx.psum_bytes};
}

Traffic traffic_for(const Refetch& r, double input_pass_elements, const GroupSizes& sizes,
                    const DramBytes& bytes) {
  Traffic t;
  t.input_bytes = input_pass_elements * bytes.input * r.input;
  t.weight_bytes = sizes.weight * bytes.weight * r.weight;
  // Partial sums spilled between reduction tiles go out and come back at accumulator width.
  const double spills = r.output - 1;
  const double psum_bytes = bytes.psum;
  t.output_write_bytes = sizes.output * (bytes.output + spills * psum_bytes);
  t.psum_read_bytes = sizes.output * spills * psum_bytes;
  return t;
}

// Input rows a tile of `out_rows` output rows touches: a window plus stride steps, or, when the
// stride skips rows (a strided 1x1 filter), only the rows under each window. Capped at the input.
std::int64_t input_rows_needed(const GemmView& g, std::int64_t out_rows) {
  return std::min(
      {g.in_rows, (out_rows - 1) * g.row_stride + g.window_rows, out_rows * g.window_rows});
}

// Sum over the row tiles of one image of the input rows each needs (halo re-reads included).
double input_rows_per_image(const GemmView& g, std::int64_t rows_per_tile) {
  const std::int64_t full = g.out_rows_per_image / rows_per_tile;
  const std::int64_t rest = g.out_rows_per_image % rows_per_tile;
  double rows = static_cast<double>(full * input_rows_needed(g, rows_per_tile));
  if (rest) rows += static_cast<double>(input_rows_needed(g, rest));
  return rows;
}

bool is_convolution(const GemmView& g) {
  return g.window_rows > 1 || g.taps > 1 || g.images > 1 || g.out_cols > 1;
}

// The convolution seen by one slice of `slice_rows` kernel rows (its window is that tall).
GemmView kernel_slice(const GemmView& g, std::int64_t slice_rows) {
  GemmView slice = g;
  slice.window_rows = static_cast<std::int64_t>(g.kernel_row_dilation) * (slice_rows - 1) + 1;
  return slice;
}

// One pass over the input by a tile holding whole images (all kernel rows): the least any
// tiling reads.
double whole_input_pass(const GemmView& g, const GroupSizes& sizes) {
  if (!is_convolution(g)) return sizes.input;
  return sizes.input * static_cast<double>(input_rows_needed(g, g.out_rows_per_image)) /
         static_cast<double>(g.in_rows);
}

// Folds of a tiling per dimension, each depending on that dimension's split alone (as the dataflow
// needs them: m onto its array side, n onto the columns, the reduction onto the rows), and the
// tiles of each. The tiling search computes each once per split.
struct FoldCounts {
  double m = 0, n = 0, k = 0;
  double tm = 0, tn = 0, tk = 0;
};

// Folds of the reduction onto the rows. With pipelined tiles and the kernel unrolled, weights
// reach the array as a stream of fold-sized blocks of the flattened reduction (im2col order): a
// fold may span two k tiles, so only the whole reduction's length counts. Otherwise each k tile
// is folded on its own.
inline double stream_k_folds(const PeArray& array, const KSplit& ks, double k) {
  if (array.pipelined_tiles && array.unroll_kernel)
    return std::ceil(k / static_cast<double>(array.rows));
  return static_cast<double>(ks.folds(array.rows, array.unroll_kernel));
}

inline double m_folds(const PeArray& array, const Split& ms) {
  switch (array.dataflow) {
    case Dataflow::output_stationary:
      return static_cast<double>(ms.folds(array.rows));
    case Dataflow::input_stationary:
      return static_cast<double>(ms.folds(array.cols));
    default:
      return 0;
  }
}

double n_folds(const PeArray& array, const Split& ns) {
  const bool folded = array.dataflow == Dataflow::output_stationary ||
                      array.dataflow == Dataflow::weight_stationary;
  return folded ? static_cast<double>(ns.folds(array.cols)) : 0;
}

double k_folds(const PeArray& array, const KSplit& ks, const GemmView& g) {
  const bool folded =
      array.dataflow == Dataflow::weight_stationary || array.dataflow == Dataflow::input_stationary;
  return folded ? stream_k_folds(array, ks, static_cast<double>(g.k)) : 0;
}

FoldCounts fold_counts(const PeArray& array, const GemmView& g, const Split& ms, const Split& ns,
                       const KSplit& ks) {
  return {m_folds(array, ms),
          n_folds(array, ns),
          k_folds(array, ks, g),
          static_cast<double>(ms.tiles()),
          static_cast<double>(ns.tiles()),
          static_cast<double>(ks.tiles())};
}

// Row stationary (Eyeriss' mapping): a logical set of R filter rows x E output rows, replicated
// down the columns where R is short and across the rows where E is short, folded where longer.
// The fraction of the PEs it keeps busy.
double row_stationary_utilization(const PeArray& array, const GemmView& g) {
  const double r = static_cast<double>(g.kernel_rows);
  const double e = static_cast<double>(g.out_rows_per_image);
  const double R = static_cast<double>(array.rows), C = static_cast<double>(array.cols);
  const double vertical = r <= R ? std::floor(R / r) * r / R : r / (R * std::ceil(r / R));
  const double horizontal = e <= C ? std::floor(C / e) * e / C : e / (C * std::ceil(e / C));
  return std::max(1e-9, vertical * horizontal);
}

// Row stationary: cycles streaming the whole layer through the busy PEs (whatever the tiles).
double row_stationary_streamed(const PeArray& array, const GemmView& g) {
  const double M = static_cast<double>(g.m), N = static_cast<double>(g.n),
               K = static_cast<double>(g.k);
  const double R = static_cast<double>(array.rows), C = static_cast<double>(array.cols);
  return std::ceil(M * N * K / (R * C * row_stationary_utilization(array, g)));
}

// Compute cycles (per group) of a tiling from its fold counts: the folds, the cycles streaming
// through them, fill and drain.
struct FoldCycles {
  double folds = 0;
  double streamed = 0;  // sum over folds of the streamed extent
  double fill = 0;
  double compute() const { return streamed + fill; }
};

inline FoldCycles fold_cycles(const PeArray& array, const GemmView& g, const FoldCounts& c) {
  const std::int64_t rows = array.rows, cols = array.cols;
  const double M = static_cast<double>(g.m), N = static_cast<double>(g.n),
               K = static_cast<double>(g.k);
  FoldCycles f;
  switch (array.dataflow) {
    case Dataflow::output_stationary:
      f.folds = c.m * c.n * c.tk;
      f.streamed = c.m * c.n * K;
      break;
    case Dataflow::weight_stationary:
      f.folds = c.k * c.n * c.tm;
      f.streamed = c.k * c.n * M;
      break;
    case Dataflow::input_stationary:
      f.folds = c.k * c.m * c.tn;
      f.streamed = c.k * c.m * N;
      break;
    case Dataflow::row_stationary: {
      const double R = static_cast<double>(rows), C = static_cast<double>(cols);
      const double tiles = c.tm * c.tn * c.tk;
      f.folds = tiles;
      f.streamed = row_stationary_streamed(array, g);
      f.fill = tiles * (R + C - 2);
      return f;
    }
  }
  if (array.fold_overlap && array.pipelined_tiles) {
    f.fill = static_cast<double>(rows + cols - 2) / static_cast<double>(g.groups);
  } else if (array.fold_overlap) {
    f.fill = c.tm * c.tn * c.tk * static_cast<double>(rows + cols - 2);
  } else {
    const double fill = array.dataflow == Dataflow::output_stationary
                            ? static_cast<double>(rows + cols - 2)
                            : static_cast<double>(2 * rows + cols - 2);
    f.fill = f.folds * fill;
  }
  return f;
}

// Folds of a tiling onto the array: compute cycles (per group) and array-side SRAM reads.
struct Folding {
  double streamed_fold_cycles = 0;  // sum over folds of the streamed extent
  double folds = 0;
  double fill_cycles = 0;
  double input_reads = 0, weight_reads = 0;  // array-side SRAM reads per group
  double output_write_passes = 0;            // partial-sum sets written per output
  // Row stationary: words the array's network delivers into PE scratchpads (inputs and weights)
  // and partial sums PEs pass on, per group.
  double network_operands = 0, network_psums = 0;
  double compute_cycles() const { return streamed_fold_cycles + fill_cycles; }
};

Folding fold(const PeArray& array, const GemmView& g, const Split& ms, const Split& ns,
             const KSplit& ks) {
  const double M = static_cast<double>(g.m), N = static_cast<double>(g.n),
               K = static_cast<double>(g.k);
  const FoldCounts c = fold_counts(array, g, ms, ns, ks);
  const FoldCycles cycles = fold_cycles(array, g, c);
  Folding f;
  f.folds = cycles.folds;
  f.streamed_fold_cycles = cycles.streamed;
  f.fill_cycles = cycles.fill;
  switch (array.dataflow) {
    case Dataflow::output_stationary:
      f.input_reads = c.n * M * K;
      f.weight_reads = c.m * N * K;
      f.output_write_passes = c.tk;
      break;
    case Dataflow::weight_stationary:
      f.input_reads = c.n * M * K;
      f.weight_reads = K * N * c.tm;
      f.output_write_passes = c.k;
      break;
    case Dataflow::input_stationary:
      f.input_reads = K * M * c.tn;
      f.weight_reads = c.m * N * K;
      f.output_write_passes = c.k;
      break;
    case Dataflow::row_stationary: {
      // Scratchpads hold p filters (one psum each) and q channels of an input row: the global
      // buffer sends each input once per p filters, each weight once per m tile, and takes
      // partial sums back once per q channels of every set.
      const double r = static_cast<double>(g.kernel_rows);
      const double R = static_cast<double>(array.rows);
      const double word_bytes = bits_of(array.precision) / 8.0;
      const double filters_per_pass =
          std::max(1.0, std::floor(array.psum_scratchpad_bytes / word_bytes));
      const double taps_per_row = static_cast<double>(g.taps / g.kernel_rows);
      const double channels_per_pass =
          std::max(1.0, std::floor(array.ifmap_scratchpad_bytes / word_bytes / taps_per_row));
      const double sets = r <= R ? std::floor(R / r) : 1;
      const double channels = K / static_cast<double>(g.taps);
      f.input_reads = static_cast<double>(g.input_elements) / static_cast<double>(g.groups) *
                      std::ceil(N / filters_per_pass);
      f.weight_reads = N * K * c.tm;
      f.output_write_passes = std::ceil(channels / (channels_per_pass * sets));
      // A PE computes one output column of p filters over q channels of an S-wide filter row
      // before it takes stride x q new inputs and passes p partial sums on; its weights are
      // reloaded once per output row (F columns).
      const double macs = M * N * K;
      const double p = std::min(filters_per_pass, N);
      const double q = std::min(channels_per_pass, std::max(1.0, channels));
      f.network_operands = macs / static_cast<double>(std::max<std::int64_t>(1, g.out_cols)) +
                           macs * static_cast<double>(g.row_stride) / (taps_per_row * p);
      f.network_psums = macs / (taps_per_row * q);
      break;
    }
  }
  return f;
}

// Fits the largest m tile for given k (channels x kernel rows) and n tiles (a candidate with
// m.tiles() == 0 when none fits). What does not depend on the tile sizes is computed once per op,
// what depends on the n tile alone once per n tile, what depends on the k tile alone (and the
// kernel-row slicing) once per k tile.
class MTileFitter {
 public:
  MTileFitter(const GemmView& g, const GroupSizes& sizes, const DesignContext& ctx,
              const ArrayPlacement& placement)
      : g_(g),
        array_(ctx.accelerator->array),
        sizes_(sizes),
        convolution_(is_convolution(g)),
        channels_(g.k / g.taps),
        kernel_cols_(g.taps / g.kernel_rows),
        in_bytes_(ctx.operand_bytes),
        psum_bytes_(ctx.psum_bytes),
        // A resident input is read where it lives: it does not limit the tile.
        in_cap_(placement.input_on_chip
                    ? std::numeric_limits<double>::infinity()
                    : placement.tile_capacity_bytes[static_cast<std::size_t>(Buffer::inputs)]),
        out_cap_(placement.tile_capacity_bytes[static_cast<std::size_t>(Buffer::outputs)]),
        input_row_elements_(convolution_ ? sizes.input / (static_cast<double>(channels_) *
                                                          static_cast<double>(g.images) *
                                                          static_cast<double>(g.in_rows))
                                         : 0),
        pixels_per_image_(g.out_rows_per_image * g.out_cols) {}

  // What a fit needs of an n tile: its split, its folds and the m limits the outputs set.
  struct NTile {
    std::int64_t size = 0;
    Split split;
    double folds = 0;
    double m_limit_by_outputs = 0, images_by_outputs = 0, rows_by_outputs = 0;
  };
  NTile n_tile(std::int64_t n_tile) const {
    NTile t;
    t.size = n_tile;
    t.split = split(g_.n, n_tile);
    t.folds = n_folds(array_, t.split);
    t.m_limit_by_outputs = std::floor(out_cap_ / (static_cast<double>(n_tile) * psum_bytes_));
    t.images_by_outputs = std::floor(t.m_limit_by_outputs / static_cast<double>(pixels_per_image_));
    t.rows_by_outputs = std::floor(t.m_limit_by_outputs / static_cast<double>(g_.out_cols));
    return t;
  }

  // What a fit needs of a k tile of `channel_tile` channels x `slice_rows` kernel rows: its
  // split, its folds and the m limits the inputs set (the last one asked for is kept).
  struct KTile {
    std::int64_t channel_tile = -1, slice_rows = -1;
    KSplit split;
    double folds = 0;
    double m_by_inputs = 0;  // a matmul
    // A convolution: whole images, input rows (with the window) and output rows by the inputs.
    double images_by_inputs = 0, rows_by_inputs_needed = 0, rows_by_inputs = 0;
  };
  const KTile& k_tile(std::int64_t channel_tile, std::int64_t slice_rows) {
    KTile& k = k_tile_;
    if (k.channel_tile == channel_tile && k.slice_rows == slice_rows) return k;
    const Slicing& s = slicing(slice_rows);
    k.channel_tile = channel_tile;
    k.slice_rows = slice_rows;
    k.split = {split(channels_, channel_tile), s.slices, kernel_cols_};
    k.folds = k_folds(array_, k.split, g_);
    if (!convolution_) {
      const std::int64_t k_tile = channel_tile * slice_rows * kernel_cols_;
      k.m_by_inputs = std::floor(in_cap_ / (static_cast<double>(k_tile) * in_bytes_));
      return k;
    }
    const double channels = static_cast<double>(channel_tile);
    const double bytes_per_input_row = channels * input_row_elements_ * in_bytes_;
    k.images_by_inputs = std::floor(in_cap_ / (bytes_per_input_row * s.rows_per_image));
    k.rows_by_inputs_needed = std::floor(in_cap_ / bytes_per_input_row);
    k.rows_by_inputs =
        std::floor((k.rows_by_inputs_needed - static_cast<double>(s.slice.window_rows)) /
                   g_.row_stride) +
        1;
    return k;
  }

  // The candidate `c` of a k and an n tile, with its fold counts (false when none fits).
  bool fit(const KTile& k, const NTile& n, Candidate& c, FoldCounts& counts) {
    if (!fit_m(k, n, c)) return false;
    c.n = n.split;
    c.k = k.split;
    counts = {m_folds(array_, c.m),
              n.folds,
              k.folds,
              static_cast<double>(c.m.tiles()),
              static_cast<double>(c.n.tiles()),
              static_cast<double>(c.k.tiles())};
    return true;
  }

 private:
  bool fit_m(const KTile& k, const NTile& n, Candidate& c) {
    const GemmView& g = g_;
    if (!convolution_) {
      const double m_tile =
          std::min({static_cast<double>(g.m), k.m_by_inputs, n.m_limit_by_outputs});
      if (m_tile < 1) return false;
      c.m = split(g.m, static_cast<std::int64_t>(m_tile));
      c.input_pass_elements = sizes_.input;
      return true;
    }
    // Convolution: an m tile is a block of whole output rows of one image, or whole images.
    const Slicing& s = slicing(k.slice_rows);
    const double images_tile =
        std::min({static_cast<double>(g.images), k.images_by_inputs, n.images_by_outputs});
    if (images_tile >= 1) {
      c.m = scaled(split(g.images, static_cast<std::int64_t>(images_tile)), pixels_per_image_, 1);
      c.input_pass_elements = sizes_.input * s.whole_image_rows / static_cast<double>(g.in_rows);
      return true;
    }
    if (k.rows_by_inputs_needed < static_cast<double>(s.slice.window_rows)) return false;
    const double rows_tile =
        std::min({static_cast<double>(g.out_rows_per_image), k.rows_by_inputs, n.rows_by_outputs});
    if (rows_tile < 1) return false;
    const auto rows = static_cast<std::int64_t>(rows_tile);
    c.m = scaled(split(g.out_rows_per_image, rows), g.out_cols, g.images);
    c.input_pass_elements = sizes_.input * s.all_slices([rows](const GemmView& v) {
      return input_rows_per_image(v, rows);
    }) / static_cast<double>(g.in_rows);
    return true;
  }

  // The kernel rows cut into slices of `slice_rows`. Each slice reads the input rows under its own
  // window; the tallest slice sizes the buffer, and one pass over the input is the sum over
  // slices.
  struct Slicing {
    std::int64_t slice_rows = -1;
    Split slices;
    GemmView slice, rest_slice;   // the convolution seen by a full slice and by the rest
    double rows_per_image = 0;    // rows of one image a full slice touches (stride may skip some)
    double whole_image_rows = 0;  // one pass over whole images: input rows over all slices

    template <typename F>
    double all_slices(F&& rows_of) const {
      return static_cast<double>(slices.full_count) * rows_of(slice) +
             (slices.rest_count ? static_cast<double>(slices.rest_count) * rows_of(rest_slice) : 0);
    }
  };

  const Slicing& slicing(std::int64_t slice_rows) {
    if (slicing_.slice_rows == slice_rows) return slicing_;
    Slicing& s = slicing_;
    s.slice_rows = slice_rows;
    s.slices = split(g_.kernel_rows, slice_rows);
    if (convolution_) {
      s.slice = kernel_slice(g_, slice_rows);
      s.rest_slice = kernel_slice(g_, std::max<std::int64_t>(1, s.slices.rest_size));
      s.rows_per_image =
          static_cast<double>(input_rows_needed(s.slice, s.slice.out_rows_per_image));
      s.whole_image_rows = s.all_slices([](const GemmView& v) {
        return static_cast<double>(input_rows_needed(v, v.out_rows_per_image));
      });
    }
    return s;
  }

  const GemmView& g_;
  const PeArray& array_;
  const GroupSizes& sizes_;
  const bool convolution_;
  const std::int64_t channels_, kernel_cols_;
  const double in_bytes_, psum_bytes_;
  const double in_cap_, out_cap_;
  const double input_row_elements_;
  const std::int64_t pixels_per_image_;
  Slicing slicing_;
  KTile k_tile_;
};

// Candidate tile sizes along a dimension: the whole extent, then halvings down to `floor_size`
// (rounded up to multiples of `granule`): at most kMaxCandidates halvings, then the floor.
constexpr int kMaxCandidates = 7;
constexpr std::size_t kMaxTileSizes = kMaxCandidates + 1;

template <typename F>
void for_each_tile_size(std::int64_t extent, std::int64_t granule, std::int64_t floor_size,
                        F&& visit) {
  std::int64_t last = -1;
  std::int64_t size = extent;
  for (int i = 0; i < kMaxCandidates && size >= 1; ++i) {
    const std::int64_t rounded = std::min(extent, ceil_div(size, granule) * granule);
    if (rounded != last) {
      visit(rounded);
      last = rounded;
    }
    if (rounded <= floor_size) return;
    size = ceil_div(size, 2);
  }
  // Out of halvings before the floor: the smallest tile is still a candidate (it may be the only
  // one that fits).
  const std::int64_t smallest = std::min(extent, ceil_div(floor_size, granule) * granule);
  if (smallest != last) visit(smallest);
}

}  // namespace

ArrayPlacement streaming_placement(const DesignContext& ctx) {
  ArrayPlacement placement;
  placement.tile_capacity_bytes = ctx.tile_capacity_bytes;
  return placement;
}

ArrayOpResult evaluate_array_op(const DesignContext& ctx, const GemmView& g,
                                const EvalOptions& options, const ArrayPlacement& placement) {
  const Accelerator& acc = *ctx.accelerator;
  const PeArray& array = acc.array;
  const std::int64_t rows = array.rows, cols = array.cols;
  const double groups = static_cast<double>(g.groups);
  GroupSizes sizes;
  sizes.input = static_cast<double>(g.input_elements) / groups;
  sizes.weight = static_cast<double>(g.weight_elements) / groups;
  sizes.output = static_cast<double>(g.output_elements) / groups;

  ArrayOpResult result;

  // ---- choose the DRAM tiling ----
  // Tiled for capacity, a tiling is judged by its estimated latency (compute with its fill and
  // drain overlapped with its transfers), then by DRAM bytes, then by fewer tiles. In streaming
  // mode (SCALE-Sim's view) the array sees the whole layer whatever the tiles: bytes decide.
  Candidate best;
  Traffic best_traffic;
  std::array<char, 3> best_order = kLoopOrders[0];
  double best_cycles = std::numeric_limits<double>::infinity();
  double best_bytes = std::numeric_limits<double>::infinity();
  double best_tiles = 0;  // tiles of `best` (none yet)
  const DramBytes dram_bytes = dram_bytes_per_element(ctx, placement, g);
  // No tiling moves less than every operand once (the input with the halo of a whole image) nor
  // computes faster than the whole layer in one tile: a candidate reaching both bounds ends the
  // search.
  const Traffic compulsory = traffic_for(Refetch{}, whole_input_pass(g, sizes), sizes, dram_bytes);
  const double compulsory_bytes = compulsory.total() * (1 + 1e-12);
  const std::int64_t channels = g.k / g.taps;
  const std::int64_t kernel_cols = g.taps / g.kernel_rows;
  const Split whole_m = split(g.m, g.m), whole_n = split(g.n, g.n);
  const KSplit whole_k = {split(channels, channels), split(g.kernel_rows, g.kernel_rows),
                          kernel_cols};
  auto interface_bytes = [&](const Traffic& t) {
    return PerBuffer{t.input_bytes * groups, t.weight_bytes * groups,
                     (t.output_write_bytes + t.psum_read_bytes) * groups, 0};
  };
  const bool by_latency = options.tile_for_capacity;
  constexpr double kLatencyTolerance = 0.01;
  const double cycles_bound =
      by_latency ? std::max(fold(array, g, whole_m, whole_n, whole_k).compute_cycles() * groups,
                            overlap_cycles(ctx, 0, interface_bytes(compulsory), 1)) *
                       (1 + 1e-9)
                 : 0;
  // Within the latency tolerance of both bounds nothing can win any more.
  auto done = [&] {
    return best_bytes <= compulsory_bytes && best_cycles <= cycles_bound * (1 + kLatencyTolerance);
  };
  auto consider = [&](const Candidate& c, const FoldCounts& counts) {
    if (c.m.tiles() == 0) return;
    const std::int64_t tm = c.m.tiles(), tn = c.n.tiles(), tk = c.k.tiles();
    const double tiles = static_cast<double>(tm * tn * tk);
    const double compute = by_latency ? fold_cycles(array, g, counts).compute() * groups : 0;
    // Latency is at least the compute: a candidate already slower cannot win.
    if (compute > best_cycles * (1 + kLatencyTolerance)) return;
    const DistinctOrders& distinct =
        kDistinctOrders[(tm > 1 ? 1 : 0) | (tn > 1 ? 2 : 0) | (tk > 1 ? 4 : 0)];
    for (std::size_t i = 0; i < distinct.count; ++i) {
      const std::size_t order = distinct.orders[i];
      const int refetched = distinct.refetched[i];
      const Refetch r = {refetched & 1 ? static_cast<double>(tn) : 1.0,
                         refetched & 2 ? static_cast<double>(tm) : 1.0,
                         refetched & 4 ? static_cast<double>(tk) : 1.0};
      const Traffic t = traffic_for(r, c.input_pass_elements, sizes, dram_bytes);
      const double cycles =
          by_latency ? overlap_cycles(ctx, compute, interface_bytes(t), tiles * groups) : 0;
      const double bytes = t.total();
      // Within 1 % of the best latency, fewer bytes win (less energy), then fewer tiles, then the
      // first order (k innermost): a memory-bound op gains almost nothing from more, smaller
      // tiles that only hide a little more of its first load.
      const bool better =
          cycles < best_cycles * (1 - kLatencyTolerance) ||
          (cycles <= best_cycles * (1 + kLatencyTolerance) &&
           (bytes < best_bytes * (1 - 1e-12) || (bytes <= best_bytes && tiles < best_tiles)));
      if (better) {
        best_cycles = std::min(best_cycles, cycles);
        best_bytes = bytes;
        best = c;
        best_tiles = tiles;
        best_traffic = t;
        best_order = kLoopOrders[order];
      }
    }
  };

  const double in_bytes = ctx.operand_bytes;
  // Row stationary keeps a pass's filters in the PEs' filter scratchpads; the weight buffer only
  // stages them, so a weight tile can be as large as both together.
  const double filter_scratchpads_bytes =
      array.dataflow == Dataflow::row_stationary
          ? static_cast<double>(rows) * static_cast<double>(cols) * array.filter_scratchpad_bytes
          : 0.0;
  const double w_cap =
      placement.weight_on_chip
          ? std::numeric_limits<double>::infinity()
          : placement.tile_capacity_bytes[static_cast<std::size_t>(Buffer::weights)] +
                filter_scratchpads_bytes;
  {
    // k tiles in whole input channels, all kernel taps of a channel together unless even the
    // smallest channel group's window does not fit: then the tallest slice of kernel rows that
    // does. Channels per k tile come in units that fill the rows: rows / taps channels when taps
    // are unrolled onto the rows (as many whole channels as fit), whole rows of channels when
    // each tap is a fold of its own.
    const std::int64_t channel_granule =
        array.unroll_kernel ? std::max<std::int64_t>(1, rows / g.taps) : rows;
    const bool k_rows = array.dataflow == Dataflow::weight_stationary ||
                        array.dataflow == Dataflow::input_stationary;
    const std::int64_t n_granule =
        array.dataflow == Dataflow::input_stationary || array.dataflow == Dataflow::row_stationary
            ? 1
            : cols;
    // Kernel-row slice heights, tallest first: all kernel rows, then halvings down to one row.
    std::array<std::int64_t, 64> slice_heights;  // the first slice_count set below
    std::size_t slice_count = 0;
    for (std::int64_t slice_rows = g.kernel_rows;; slice_rows = ceil_div(slice_rows, 2)) {
      slice_heights[slice_count++] = slice_rows;
      if (slice_rows == 1) break;
    }
    auto search = [&](const ArrayPlacement& capacities) {
      MTileFitter fitter(g, sizes, ctx, capacities);
      // The n tiles are the same for every k tile.
      std::array<MTileFitter::NTile, kMaxTileSizes> n_tiles;
      std::size_t n_count = 0;
      for_each_tile_size(g.n, n_granule, n_granule,
                         [&](std::int64_t n_tile) { n_tiles[n_count++] = fitter.n_tile(n_tile); });
      Candidate candidate;
      FoldCounts counts;
      for_each_tile_size(
          channels, k_rows ? channel_granule : 1, k_rows ? channel_granule : 1,
          [&](std::int64_t channel_tile) {
            for (std::size_t i = 0; i < n_count; ++i) {
              const MTileFitter::NTile& n = n_tiles[i];
              if (done()) return;  // nothing left to gain
              // The tallest slice whose weight tile fits and whose m tile fits.
              for (std::size_t j = 0; j < slice_count; ++j) {
                const std::int64_t slice_rows = slice_heights[j];
                const std::int64_t k_tile = channel_tile * slice_rows * kernel_cols;
                if (static_cast<double>(k_tile * n.size) * in_bytes <= w_cap &&
                    fitter.fit(fitter.k_tile(channel_tile, slice_rows), n, candidate, counts)) {
                  consider(candidate, counts);
                  break;
                }
              }
            }
          });
    };
    if (acc.input_output_banks >= 2) {
      // One pool of banks for inputs and outputs: every split is a candidate (a resident input
      // needs no tile, so its banks all go to outputs).
      constexpr auto in = static_cast<std::size_t>(Buffer::inputs);
      constexpr auto out = static_cast<std::size_t>(Buffer::outputs);
      ArrayPlacement split = placement;
      const double pool = placement.tile_capacity_bytes[in] + placement.tile_capacity_bytes[out];
      const double bank = pool / acc.input_output_banks;
      if (placement.input_on_chip) {
        split.tile_capacity_bytes[out] = pool;
        search(split);
      } else {
        for (int b = 1; b < acc.input_output_banks; ++b) {
          split.tile_capacity_bytes[in] = b * bank;
          split.tile_capacity_bytes[out] = pool - b * bank;
          search(split);
        }
      }
    } else {
      search(placement);
    }
    if (!std::isfinite(best_bytes)) {
      // Nothing fits: run with the smallest tiles anyway and say so.
      result.fits = false;
      Candidate smallest;
      smallest.m = split(g.m, std::min<std::int64_t>(g.m, std::max<std::int64_t>(1, g.out_cols)));
      smallest.n = split(g.n, std::min<std::int64_t>(g.n, cols));
      smallest.k = {split(channels, std::min(channels, k_rows ? channel_granule : 1)),
                    split(g.kernel_rows, 1), kernel_cols};
      smallest.input_pass_elements = is_convolution(g)
                                         ? sizes.input * static_cast<double>(g.kernel_rows) *
                                               input_rows_per_image(kernel_slice(g, 1), 1) /
                                               static_cast<double>(g.in_rows)
                                         : sizes.input;
      consider(smallest, fold_counts(array, g, smallest.m, smallest.n, smallest.k));
    }
  }

  // The array works through the chosen tiles; in streaming mode (SCALE-Sim's view) it sees the
  // whole layer as one tile while DRAM still moves what buffers of this size force it to.
  Candidate whole;
  whole.m = whole_m;
  whole.n = whole_n;
  whole.k = whole_k;
  const Candidate& compute_tiles = options.tile_for_capacity ? best : whole;
  const Split& ms = compute_tiles.m;
  const Split& ns = compute_tiles.n;
  const KSplit& ks = compute_tiles.k;
  const double M = static_cast<double>(g.m), N = static_cast<double>(g.n),
               K = static_cast<double>(g.k);
  const double tiles_per_group =
      static_cast<double>(ms.tiles()) * static_cast<double>(ns.tiles() * ks.tiles());
  const double dram_tiles_per_group =
      static_cast<double>(best.m.tiles() * best.n.tiles() * best.k.tiles());

  // ---- compute cycles and SRAM accesses (sums over tiles separate per dimension) ----
  const Folding folding = fold(array, g, ms, ns, ks);
  const double compute_cycles = folding.compute_cycles() * groups;
  const double output_write_passes = folding.output_write_passes;
  PerBuffer sram_reads{}, sram_writes{};
  constexpr auto kIn = static_cast<std::size_t>(Buffer::inputs);
  constexpr auto kW = static_cast<std::size_t>(Buffer::weights);
  constexpr auto kOut = static_cast<std::size_t>(Buffer::outputs);
  sram_reads[kIn] = folding.input_reads;
  sram_reads[kW] = folding.weight_reads;

  sram_writes[kOut] = output_write_passes * M * N;
  sram_reads[kOut] = (output_write_passes - 1) * M * N;
  // Fills from DRAM write the input and weight buffers; write-backs read the output buffer.
  const double psum_bytes = ctx.psum_bytes;
  sram_writes[kIn] = best_traffic.input_bytes / in_bytes;
  sram_writes[kW] = best_traffic.weight_bytes / in_bytes;
  const bool writes_back = best_traffic.output_write_bytes > 0 || placement.output_on_chip;
  sram_reads[kOut] +=
      sizes.output * (writes_back ? 1 : 0) + best_traffic.psum_read_bytes / psum_bytes;
  // A resident result is written into the buffer holding activations.
  if (placement.output_on_chip)
    sram_writes[static_cast<std::size_t>(placement.activation_buffer)] += sizes.output;
  // Partial sums coming back from DRAM are written into the output buffer (in streaming mode the
  // array-side view has no spills, and only array-side writes are counted, as SCALE-Sim does).
  if (options.tile_for_capacity) sram_writes[kOut] += best_traffic.psum_read_bytes / psum_bytes;

  Costs& costs = result.costs;
  costs.macs = M * N * K * groups;
  costs.compute_cycles = compute_cycles;
  for (std::size_t b = 0; b < kNumBuffers; ++b) {
    costs.sram_reads[b] = sram_reads[b] * groups;
    costs.sram_writes[b] = sram_writes[b] * groups;
  }
  costs.dram_read_bytes[kIn] = best_traffic.input_bytes * groups;
  costs.dram_read_bytes[kW] = best_traffic.weight_bytes * groups;
  costs.dram_read_bytes[kOut] = best_traffic.psum_read_bytes * groups;
  costs.dram_write_bytes[kOut] = best_traffic.output_write_bytes * groups;
  costs.total_cycles =
      overlap_cycles(ctx, compute_cycles,
                     {costs.dram_read_bytes[kIn], costs.dram_read_bytes[kW],
                      costs.dram_read_bytes[kOut] + costs.dram_write_bytes[kOut], 0},
                     tiles_per_group * groups);
  costs.stall_cycles = costs.total_cycles - costs.compute_cycles;
  costs.busy_pe_cycles = costs.macs;
  costs.energy.mac_pj =
      costs.macs * ctx.mac_pj + groups * (folding.network_operands * ctx.network_pj_per_operand +
                                          folding.network_psums * ctx.network_pj_per_psum);
  add_memory_energy(ctx, costs);

  result.utilization =
      compute_cycles > 0 ? costs.macs / (static_cast<double>(rows * cols) * compute_cycles) : 0;
  result.tiling.m = best.m.full_size;
  result.tiling.n = best.n.full_size;
  result.tiling.k = best.k.full_size();
  for (int i = 0; i < 3; ++i) result.tiling.loop_order[i] = best_order[i];
  result.tiling.tiles = static_cast<std::int64_t>(dram_tiles_per_group * groups);
  return result;
}

}  // namespace accelscope::model
