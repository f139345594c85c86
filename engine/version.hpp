#pragma once

namespace accelscope::engine {
// Engine version, stored with every study so results can be traced to the code that made them.
inline constexpr const char* kVersion = "0.1.0";
}  // namespace accelscope::engine
