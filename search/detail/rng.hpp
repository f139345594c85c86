// Seeded random numbers with fully specified results. std::mt19937_64's output is fixed by the
// standard, but the std:: distributions are not (they differ between standard libraries), so the
// conversions to integers, reals and normals are written here. Never seeded from the environment.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

namespace accelscope::search::detail {

// SplitMix64 finaliser: derives independent seeds for separate streams from one study seed.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next_u64() { return engine_(); }

  // Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  bool bernoulli(double probability) { return uniform01() < probability; }

  // Uniform integer in [0, bound), bound > 0, without modulo bias (rejects the short tail).
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      const std::uint64_t draw = engine_();
      if (draw >= threshold) return draw % bound;
    }
  }
  std::size_t index(std::size_t count) { return static_cast<std::size_t>(below(count)); }

  // Standard normal (Box-Muller; the second variate is dropped to keep the state simple).
  double normal() {
    const double u1 = 1.0 - uniform01();  // (0, 1]: log is finite
    const double u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      std::swap(items[i - 1], items[index(i)]);
    }
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace accelscope::search::detail
