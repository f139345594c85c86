// accelscope-gui-fixture OUT.sqlite [SCALE]: writes the synthetic example database (three
// studies) used by the viewer's tests and by scripts/screenshot_gui.sh before real searches exist.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>

#include "fixture.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUT.sqlite [SCALE]\n", argv[0]);
    return 2;
  }
  try {
    const std::filesystem::path out = argv[1];
    std::filesystem::remove(out);
    std::filesystem::remove(out.string() + "-wal");
    std::filesystem::remove(out.string() + "-shm");
    accelscope::gui::fixture::write_example_database(out, argc == 3 ? std::atof(argv[2]) : 1.0);
    std::printf("wrote %s\n", out.c_str());
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "accelscope-gui-fixture: %s\n", failure.what());
    return 1;
  }
  return 0;
}
