// The differential check: images made at test time with ImageMagick's
// `convert`, metadata written with `exiftool`, and every field our handler
// reports compared with `exiftool -json -n -G0` on the same file.
#include "plugins/image_metadata/image_metadata_handler.hpp"
#include "plugins/image_metadata/internal/base64.hpp"
#include "plugins/image_metadata/pixel_stats.hpp"
#include "test_images.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace nzl::plugins::image_metadata {
namespace {

using test::have_tool;
using test::run;

// Our field (section/name) -> exiftool's group:tag. A field we report that is
// missing here fails the test, so the table has to grow with the handler.
const std::map<std::string, std::vector<std::string>> exiftool_name = {
    {"mime_type", {"File:MIMEType"}},
    {"width", {"File:ImageWidth", "PNG:ImageWidth", "GIF:ImageWidth"}},
    {"height", {"File:ImageHeight", "PNG:ImageHeight", "GIF:ImageHeight"}},
    {"bit_depth", {"File:BitsPerSample", "PNG:BitDepth", "GIF:BitsPerPixel"}},
    {"exif/make", {"EXIF:Make"}},
    {"exif/model", {"EXIF:Model"}},
    {"exif/lens_make", {"EXIF:LensMake"}},
    {"exif/lens_model", {"EXIF:LensModel"}},
    {"exif/software", {"EXIF:Software"}},
    {"exif/artist", {"EXIF:Artist"}},
    {"exif/description", {"EXIF:ImageDescription"}},
    {"exif/exposure_time", {"EXIF:ExposureTime"}},
    {"exif/f_number", {"EXIF:FNumber"}},
    {"exif/iso", {"EXIF:ISO"}},
    {"exif/focal_length", {"EXIF:FocalLength"}},
    {"exif/focal_length_35mm", {"EXIF:FocalLengthIn35mmFormat"}},
    {"exif/exposure_compensation", {"EXIF:ExposureCompensation"}},
    {"exif/flash", {"EXIF:Flash"}},
    {"exif/date_time_original", {"EXIF:DateTimeOriginal"}},
    {"exif/create_date", {"EXIF:CreateDate"}},
    {"exif/modify_date", {"EXIF:ModifyDate"}},
    {"exif/orientation", {"EXIF:Orientation"}},
    {"exif/color_space", {"EXIF:ColorSpace"}},
    {"exif/gps/latitude", {"Composite:GPSLatitude"}},
    {"exif/gps/longitude", {"Composite:GPSLongitude"}},
    {"exif/gps/altitude", {"Composite:GPSAltitude"}},
    {"iptc/object_name", {"IPTC:ObjectName"}},
    {"iptc/headline", {"IPTC:Headline"}},
    {"iptc/caption", {"IPTC:Caption-Abstract"}},
    {"iptc/keywords", {"IPTC:Keywords"}},
    {"iptc/by_line", {"IPTC:By-line"}},
    {"iptc/city", {"IPTC:City"}},
    {"iptc/province_state", {"IPTC:Province-State"}},
    {"iptc/country", {"IPTC:Country-PrimaryLocationName"}},
    {"iptc/copyright_notice", {"IPTC:CopyrightNotice"}},
    {"iptc/credit", {"IPTC:Credit"}},
    {"iptc/source", {"IPTC:Source"}},
    {"xmp/title", {"XMP:Title"}},
    {"xmp/description", {"XMP:Description"}},
    {"xmp/rights", {"XMP:Rights"}},
    {"xmp/creator", {"XMP:Creator"}},
    {"xmp/subject", {"XMP:Subject"}},
    {"xmp/rating", {"XMP:Rating"}},
    {"xmp/label", {"XMP:Label"}},
    {"xmp/creator_tool", {"XMP:CreatorTool"}},
    {"xmp/headline", {"XMP:Headline"}},
    {"xmp/city", {"XMP:City"}},
    {"xmp/country", {"XMP:Country"}},
};

// exiftool writes one-element lists as scalars and may write numeric-looking
// strings as numbers; compare on our shape.
bool same(const nlohmann::json& ours, const nlohmann::json& theirs) {
  if (ours.is_array()) {
    const auto list = theirs.is_array() ? theirs : nlohmann::json::array({theirs});
    if (list.size() != ours.size())
      return false;
    for (std::size_t i = 0; i < ours.size(); ++i)
      if (!same(ours[i], list[i]))
        return false;
    return true;
  }
  if (ours.is_number() && theirs.is_number()) {
    const double a = ours.get<double>();
    const double b = theirs.get<double>();
    return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::fabs(b));
  }
  if (ours.is_string() && !theirs.is_string())
    return ours.get<std::string>() == theirs.dump();
  return ours == theirs;
}

// Compares every scalar or list under `ours` (a path prefix `at`) with the
// exiftool answer; returns how many fields were compared.
int compare(const nlohmann::json& ours, const std::string& at, const nlohmann::json& tool) {
  int compared = 0;
  for (auto it = ours.begin(); it != ours.end(); ++it) {
    const auto path = at.empty() ? it.key() : at + "/" + it.key();
    if (it->is_object()) {
      compared += compare(*it, path, tool);
      continue;
    }
    auto names = exiftool_name.find(path);
    if (names == exiftool_name.end()) {
      ADD_FAILURE() << "field " << path << " has no exiftool counterpart in the test's table";
      continue;
    }
    bool found = false;
    for (const auto& name : names->second)
      if (tool.contains(name)) {
        found = true;
        EXPECT_TRUE(same(*it, tool[name]))
            << path << ": ours " << it->dump() << ", exiftool " << name << " " << tool[name].dump();
        ++compared;
        break;
      }
    EXPECT_TRUE(found) << path << " = " << it->dump() << " is not in exiftool's output";
  }
  return compared;
}

class ImageMetadataExiftoolTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (!have_tool("convert") || !have_tool("exiftool"))
      GTEST_SKIP() << "needs ImageMagick's convert and exiftool";
  }

  // Makes `name` with convert, then writes the tags in `args` with exiftool.
  std::filesystem::path make(const std::string& name, const std::vector<std::string>& convert_args,
                             const std::vector<std::string>& tags) {
    const auto file = dir_.path() / name;
    std::vector<std::string> c{"convert"};
    c.insert(c.end(), convert_args.begin(), convert_args.end());
    c.push_back(file.string());
    EXPECT_TRUE(run(c)) << "convert failed for " << name;
    if (!tags.empty()) {
      std::vector<std::string> e{"exiftool", "-q", "-overwrite_original", "-n"};
      e.insert(e.end(), tags.begin(), tags.end());
      e.push_back(file.string());
      EXPECT_TRUE(run(e)) << "exiftool failed for " << name;
    }
    return file;
  }

  nlohmann::json exiftool_json(const std::filesystem::path& file) {
    std::string out;
    EXPECT_TRUE(run({"exiftool", "-json", "-n", "-G0", file.string()}, &out));
    auto parsed = nlohmann::json::parse(out, nullptr, false);
    EXPECT_TRUE(parsed.is_array() && parsed.size() == 1) << out;
    return parsed.is_array() && !parsed.empty() ? parsed[0] : nlohmann::json::object();
  }

  result<nlohmann::json> analyse(const std::filesystem::path& file,
                                 nlohmann::json options = nlohmann::json::object()) {
    image_metadata_handler h;
    return h.run({{"image", internal::encode_base64(test::read_file(file))},
                  {"options", std::move(options)}},
                 ctx_);
  }

  // Our answer minus what exiftool has no counterpart for.
  static nlohmann::json comparable(nlohmann::json r) {
    for (const char* k : {"format", "channels", "color_space", "has_alpha", "pixels"})
      r.erase(k);
    return r;
  }

  test::temp_dir dir_;
  test::null_context ctx_;
};

const std::vector<std::string> camera_tags = {"-EXIF:Make=Canon",
                                              "-EXIF:Model=Canon EOS 5D Mark IV",
                                              "-EXIF:LensMake=Canon",
                                              "-EXIF:LensModel=EF24-70mm f/2.8L II USM",
                                              "-EXIF:Software=test-suite 1.0",
                                              "-EXIF:Artist=Ann Example",
                                              "-EXIF:ImageDescription=A tower at dusk",
                                              "-EXIF:ExposureTime=0.004",
                                              "-EXIF:FNumber=2.8",
                                              "-EXIF:ISO=400",
                                              "-EXIF:FocalLength=50",
                                              "-EXIF:FocalLengthIn35mmFormat=50",
                                              "-EXIF:ExposureCompensation=-0.7",
                                              "-EXIF:Flash=16",
                                              "-EXIF:DateTimeOriginal=2023:05:06 07:08:09",
                                              "-EXIF:CreateDate=2023:05:06 07:08:10",
                                              "-EXIF:ModifyDate=2023:05:07 01:02:03",
                                              "-EXIF:Orientation=6",
                                              "-EXIF:ColorSpace=1",
                                              "-GPSLatitude=48.858222",
                                              "-GPSLatitudeRef=N",
                                              "-GPSLongitude=2.2945",
                                              "-GPSLongitudeRef=W",
                                              "-GPSAltitude=35.5",
                                              "-GPSAltitudeRef=1",
                                              "-IPTC:ObjectName=Tower",
                                              "-IPTC:Headline=Evening",
                                              "-IPTC:Caption-Abstract=A caption",
                                              "-IPTC:Keywords=paris",
                                              "-IPTC:Keywords=tower",
                                              "-IPTC:Keywords=2023",
                                              "-IPTC:By-line=Ann",
                                              "-IPTC:City=Paris",
                                              "-IPTC:Province-State=IDF",
                                              "-IPTC:Country-PrimaryLocationName=France",
                                              "-IPTC:CopyrightNotice=(c) Ann",
                                              "-IPTC:Credit=Ann Example",
                                              "-IPTC:Source=test",
                                              "-XMP:Title=Tour Eiffel",
                                              "-XMP:Description=Vue du Champ-de-Mars",
                                              "-XMP:Rights=CC-BY 4.0",
                                              "-XMP:Creator=Ann Example",
                                              "-XMP:Creator=Bob Example",
                                              "-XMP:Subject=tower",
                                              "-XMP:Rating=4",
                                              "-XMP:Label=Red",
                                              "-XMP:CreatorTool=ImageMagick",
                                              "-XMP:Headline=Evening",
                                              "-XMP:City=Zürich",
                                              "-XMP:Country=Schweiz"};

TEST_F(ImageMetadataExiftoolTest, JpegFieldsEqualExiftool) {
  const auto file = make("camera.jpg", {"-size", "320x240", "gradient:navy-orange"}, camera_tags);
  auto r = analyse(file);
  ASSERT_TRUE(r) << r.err().detail;
  const auto tool = exiftool_json(file);
  const int compared = compare(comparable(*r), "", tool);
  // Every tag we wrote is one we report.
  EXPECT_EQ(compared, static_cast<int>(exiftool_name.size()) - 0) << r->dump(2);
  EXPECT_EQ((*r)["format"], "jpeg");
  EXPECT_EQ((*r)["color_space"], "rgb");
  EXPECT_EQ((*r)["exif"]["gps"]["longitude"].get<double>() < 0, true);
  EXPECT_EQ((*r)["exif"]["gps"]["altitude"].get<double>(), -35.5);
}

TEST_F(ImageMetadataExiftoolTest, StripGpsLeavesGpsOut) {
  const auto file = make("gps.jpg", {"-size", "64x64", "xc:gray"},
                         {"-GPSLatitude=10.5", "-GPSLatitudeRef=S", "-GPSLongitude=20.25",
                          "-GPSLongitudeRef=E", "-EXIF:Make=X"});
  auto with = analyse(file);
  ASSERT_TRUE(with) << with.err().detail;
  EXPECT_DOUBLE_EQ((*with)["exif"]["gps"]["latitude"].get<double>(), -10.5);
  compare(comparable(*with), "", exiftool_json(file));
  auto without = analyse(file, {{"strip_gps", true}});
  ASSERT_TRUE(without);
  EXPECT_FALSE((*without)["exif"].contains("gps"));
  EXPECT_EQ((*without)["exif"]["make"], "X");
  EXPECT_EQ(without->dump().find("10.5"), std::string::npos);
}

TEST_F(ImageMetadataExiftoolTest, PngWithXmpEqualsExiftool) {
  const auto file =
      make("xmp.png", {"-size", "100x50", "xc:#336699"},
           {"-XMP:Title=PNG title", "-XMP:Subject=a", "-XMP:Subject=b", "-XMP:Rating=2"});
  auto r = analyse(file);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_GE(compare(comparable(*r), "", exiftool_json(file)), 7);
  EXPECT_EQ((*r)["xmp"]["subject"], nlohmann::json::array({"a", "b"}));
  EXPECT_NEAR((*r)["pixels"]["mean_brightness"].get<double>(),
              0.299 * 0x33 + 0.587 * 0x66 + 0.114 * 0x99, 1);
  EXPECT_EQ((*r)["pixels"]["dominant_colors"][0]["color"], "#336699");
}

TEST_F(ImageMetadataExiftoolTest, PlainImagesOfEachFormatEqualExiftool) {
  for (const char* name : {"plain.jpg", "plain.png", "plain.gif", "gray.png", "deep.png"}) {
    std::vector<std::string> args{"-size", "33x17", "gradient:white-black"};
    if (std::string(name) == "gray.png")
      args.insert(args.end(), {"-colorspace", "Gray"});
    if (std::string(name) == "deep.png")
      args.insert(args.end(), {"-depth", "16"});
    const auto file = make(name, args, {});
    auto r = analyse(file);
    ASSERT_TRUE(r) << name << ": " << r.err().detail;
    EXPECT_GE(compare(comparable(*r), "", exiftool_json(file)), 4) << name;
  }
}

TEST_F(ImageMetadataExiftoolTest, NearDuplicateJpegsHaveCloseDhash) {
  // -seed before plasma: makes the same image, so the same distances, every run.
  const auto a = make("a.jpg", {"-seed", "3", "-size", "400x300", "plasma:fractal"}, {});
  const auto b = make("b.jpg", {a.string(), "-resize", "50%", "-quality", "60"}, {});
  const auto c = make("c.jpg", {a.string(), "-flop"}, {});
  auto ra = analyse(a);
  auto rb = analyse(b);
  auto rc = analyse(c);
  ASSERT_TRUE(ra && rb && rc);
  const auto hash = [](const nlohmann::json& r) {
    return std::stoull(r["pixels"]["dhash"].get<std::string>(), nullptr, 16);
  };
  EXPECT_LE(hamming_distance(hash(*ra), hash(*rb)), 8);
  EXPECT_GE(hamming_distance(hash(*ra), hash(*rc)), 16) << "a flopped copy is not a near duplicate";
}

TEST_F(ImageMetadataExiftoolTest, TruncatedRealJpegIs422) {
  const auto file = make("t.jpg", {"-size", "200x200", "plasma:"}, camera_tags);
  const auto bytes = test::read_file(file);
  image_metadata_handler h;
  for (std::size_t keep : {bytes.size() / 4, bytes.size() / 2, bytes.size() - 3}) {
    auto r = h.run({{"image", internal::encode_base64(bytes.substr(0, keep))}}, ctx_);
    ASSERT_FALSE(r) << keep;
    EXPECT_EQ(r.err().code, errc::task_failed) << keep;
  }
}

} // namespace
} // namespace nzl::plugins::image_metadata
