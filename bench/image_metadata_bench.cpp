// Images per second for a 1 MP JPEG with EXIF, IPTC and XMP: metadata only
// (the <= 10 ms target) and with pixel decoding and statistics. The image is
// made at start with ImageMagick's convert and exiftool into /tmp.
#include "plugins/image_metadata/image_analysis.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

std::string make_jpeg() {
  const std::string path = "/tmp/nzl-image-bench-" + std::to_string(::getpid()) + ".jpg";
  const std::string cmd =
      "convert -size 1000x1000 plasma:fractal -seed 1 -quality 90 " + path +
      " && exiftool -q -overwrite_original -Make=Canon -Model='EOS R5' -LensModel='RF24-70mm' "
      "-ExposureTime=0.004 -FNumber=2.8 -ISO=400 -FocalLength=50 "
      "'-DateTimeOriginal=2023:05:06 07:08:09' -Orientation#=1 -GPSLatitude=48.8583 "
      "-GPSLatitudeRef=N -GPSLongitude=2.2945 -GPSLongitudeRef=E -IPTC:Keywords=bench "
      "-XMP:Title=bench " +
      path;
  if (std::system(cmd.c_str()) != 0)
    return {};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  std::remove(path.c_str());
  return s.str();
}

const std::string& jpeg() {
  static const std::string bytes = make_jpeg();
  return bytes;
}

void run(benchmark::State& state, bool pixels) {
  if (jpeg().empty()) {
    state.SkipWithError("convert or exiftool failed");
    return;
  }
  nzl::plugins::image_metadata::analysis_options o;
  o.pixels = pixels;
  for (auto _ : state) {
    auto r = nzl::plugins::image_metadata::analyze_image(jpeg(), o);
    if (!r) {
      state.SkipWithError(r.err().detail.c_str());
      return;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * jpeg().size()));
}

void BM_image_metadata_1mp_jpeg_metadata_only(benchmark::State& state) {
  run(state, false);
}
void BM_image_metadata_1mp_jpeg_with_pixels(benchmark::State& state) {
  run(state, true);
}

} // namespace

BENCHMARK(BM_image_metadata_1mp_jpeg_metadata_only)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_image_metadata_1mp_jpeg_with_pixels)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
