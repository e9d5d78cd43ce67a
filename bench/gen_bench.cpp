// Generator timings, each against a peer measured in the same run:
// - generation alone for a spec with 200 message types (100 driver-to-device and 100
//   device-to-driver queues, each carrying its own struct): load + render + clang-format,
//   against loading and checking the same spec (what `vgen check` does), and against
//   rendering without clang-format;
// - from `vgen new-device` to a built pair: scaffold, configure against this build tree, build
//   from cold; against a no-op rebuild and a rebuild after a spec edit.
// Usage: bench_gen [--skip-build]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "vgen/gen/load/loader.hpp"
#include "vgen/gen/render/formatter.hpp"
#include "vgen/gen/render/generator.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kMessageTypes = 200;
constexpr int kRepeats = 5;

// A valid virtio spec with `types` struct types, each on its own queue.
std::string big_spec(int types) {
  std::string text =
      "kind: virtio\nname: bench-device\ndevice_id: 0x7f01\nfeatures:\n  - name: VIRTIO_F_VERSION_1\ntypes:\n";
  for (int i = 0; i < types; ++i) {
    text += "  - name: message_" + std::to_string(i) + "\n    kind: struct\n    fields:\n";
    text += "      - {name: sequence, type: u32}\n      - {name: flags, type: u16, byte_order: be}\n";
    text +=
        "      - {name: code, type: u8}\n      - {name: value, type: u64}\n      - {name: bytes, type: \"u8[12]\"}\n";
  }
  text += "queues:\n";
  for (int i = 0; i < types; ++i) {
    text += "  - {name: queue_" + std::to_string(i) +
            ", size: 16, direction: " + (i % 2 == 0 ? "driver-to-device" : "device-to-driver") +
            ", messages: [message_" + std::to_string(i) + "]}\n";
  }
  return text;
}

// Best of kRepeats runs of `work`, in milliseconds.
double best_ms(const std::function<void()>& work) {
  double best = 1e300;
  for (int i = 0; i < kRepeats; ++i) {
    const auto start = Clock::now();
    work();
    best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  return best;
}

double once_ms(const std::string& command) {
  const auto start = Clock::now();
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "bench_gen: failed: %s\n", command.c_str());
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void generation_bench(const fs::path& folder) {
  const fs::path spec_path = folder / "bench-device.yaml";
  std::ofstream(spec_path) << big_spec(kMessageTypes);
  const auto clang_format = vgen::gen::find_clang_format();
  const fs::path templates = VGEN_TEMPLATES_DIR;
  std::size_t bytes = 0;
  const double check = best_ms([&] {
    if (!vgen::gen::load_file(spec_path.string()).ok()) std::exit(1);
  });
  const double render = best_ms([&] {
    const auto spec = vgen::gen::load_spec_or_throw(spec_path.string());
    bytes = 0;
    for (const auto& file : vgen::gen::render(spec, templates, {vgen::gen::FileRole::generated}))
      bytes += file.content.size();
  });
  const double generate = best_ms([&] {
    const auto spec = vgen::gen::load_spec_or_throw(spec_path.string());
    for (const auto& file : vgen::gen::render(spec, templates, {vgen::gen::FileRole::generated}, clang_format)) {
      vgen::gen::write_file(folder / "out", file);
    }
  });
  std::printf("generation, %d message types (%zu bytes of C++), best of %d:\n", kMessageTypes, bytes, kRepeats);
  std::printf("  load + check (peer, vgen check)          %9.1f ms\n", check);
  std::printf("  load + render, unformatted               %9.1f ms  (%.1fx check)\n", render, render / check);
  std::printf("  load + render + clang-format + write     %9.1f ms  (%.1fx check, %s)\n", generate, generate / check,
              clang_format ? clang_format->c_str() : "no clang-format found");
}

void new_device_bench(const fs::path& folder) {
  const std::string project = (folder / "bench-pair").string();
  const std::string build = (folder / "bench-pair-build").string();
  const std::string quiet = " > /dev/null 2>&1";
  const double scaffold =
      once_ms(std::string(VGEN_EXECUTABLE) + " new-device bench-pair --kind virtio --dir " + project + quiet);
  const double configure =
      once_ms("cmake -S " + project + " -B " + build + " -G Ninja -Dvgen_DIR=" + VGEN_BUILD_DIR + quiet);
  const double cold = once_ms("cmake --build " + build + quiet);
  const double noop = once_ms("cmake --build " + build + quiet);
  const double edit =
      once_ms("sed -i 's/size: 64, direction: driver-to-device/size: 32, direction: driver-to-device/' " + project +
              "/bench-pair.yaml && cmake --build " + build + quiet);
  const double demo = once_ms(build + "/bench-pair-demo" + quiet);
  std::printf("new-device to a built pair (virtio, no compiler cache):\n");
  std::printf("  vgen new-device                          %9.1f ms\n", scaffold);
  std::printf("  cmake configure (against this build)     %9.1f ms\n", configure);
  std::printf("  build from cold                          %9.1f ms\n", cold);
  std::printf("  total: new-device to a built pair        %9.1f ms\n", scaffold + configure + cold);
  std::printf("  peer: no-op rebuild                      %9.1f ms  (cold build is %.0fx)\n", noop, cold / noop);
  std::printf("  peer: rebuild after a spec edit          %9.1f ms  (cold build is %.1fx)\n", edit, cold / edit);
  std::printf("  demo run (threads and processes)         %9.1f ms\n", demo);
}

}  // namespace

int main(int argc, char** argv) {
  const bool skip_build = argc > 1 && std::string(argv[1]) == "--skip-build";
  const fs::path folder = fs::temp_directory_path() / ("vgen-bench-gen-" + std::to_string(::getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  try {
    generation_bench(folder);
    if (!skip_build) new_device_bench(folder);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_gen: %s\n", error.what());
    fs::remove_all(folder);
    return 1;
  }
  fs::remove_all(folder);
  return 0;
}
