#include "plugins/image_metadata/internal/exiv2_metadata.hpp"

#include "plugins/image_metadata/internal/utf8.hpp"

// Exiv2 0.27's API hands out std::auto_ptr, deprecated since C++11.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <cmath>
#include <exception>
#include <exiv2/exiv2.hpp>
#include <mutex>
#include <string>

namespace nzl::plugins::image_metadata::internal {

namespace {

enum class kind { text, number, integer, list, lang_alt };

struct field {
  const char* key;  // Exiv2 key
  const char* name; // our name
  kind type;
};

constexpr field exif_fields[] = {
    {"Exif.Image.Make", "make", kind::text},
    {"Exif.Image.Model", "model", kind::text},
    {"Exif.Photo.LensMake", "lens_make", kind::text},
    {"Exif.Photo.LensModel", "lens_model", kind::text},
    {"Exif.Image.Software", "software", kind::text},
    {"Exif.Image.Artist", "artist", kind::text},
    {"Exif.Image.ImageDescription", "description", kind::text},
    {"Exif.Photo.ExposureTime", "exposure_time", kind::number},
    {"Exif.Photo.FNumber", "f_number", kind::number},
    {"Exif.Photo.ISOSpeedRatings", "iso", kind::integer},
    {"Exif.Photo.FocalLength", "focal_length", kind::number},
    {"Exif.Photo.FocalLengthIn35mmFilm", "focal_length_35mm", kind::integer},
    {"Exif.Photo.ExposureBiasValue", "exposure_compensation", kind::number},
    {"Exif.Photo.Flash", "flash", kind::integer},
    {"Exif.Photo.DateTimeOriginal", "date_time_original", kind::text},
    {"Exif.Photo.DateTimeDigitized", "create_date", kind::text},
    {"Exif.Image.DateTime", "modify_date", kind::text},
    {"Exif.Image.Orientation", "orientation", kind::integer},
    {"Exif.Photo.ColorSpace", "color_space", kind::integer},
};

constexpr field iptc_fields[] = {
    {"Iptc.Application2.ObjectName", "object_name", kind::text},
    {"Iptc.Application2.Headline", "headline", kind::text},
    {"Iptc.Application2.Caption", "caption", kind::text},
    {"Iptc.Application2.Keywords", "keywords", kind::list},
    {"Iptc.Application2.Byline", "by_line", kind::list},
    {"Iptc.Application2.City", "city", kind::text},
    {"Iptc.Application2.ProvinceState", "province_state", kind::text},
    {"Iptc.Application2.CountryName", "country", kind::text},
    {"Iptc.Application2.Copyright", "copyright_notice", kind::text},
    {"Iptc.Application2.Credit", "credit", kind::text},
    {"Iptc.Application2.Source", "source", kind::text},
};

constexpr field xmp_fields[] = {
    {"Xmp.dc.title", "title", kind::lang_alt},
    {"Xmp.dc.description", "description", kind::lang_alt},
    {"Xmp.dc.rights", "rights", kind::lang_alt},
    {"Xmp.dc.creator", "creator", kind::list},
    {"Xmp.dc.subject", "subject", kind::list},
    {"Xmp.xmp.Rating", "rating", kind::number},
    {"Xmp.xmp.Label", "label", kind::text},
    {"Xmp.xmp.CreatorTool", "creator_tool", kind::text},
    {"Xmp.photoshop.Headline", "headline", kind::text},
    {"Xmp.photoshop.City", "city", kind::text},
    {"Xmp.photoshop.Country", "country", kind::text},
};

// Lists and texts are bounded so that a crafted file cannot make the answer
// much larger than the file itself.
constexpr long max_list_items = 256;

// IPTC without a declared character set is Latin-1 by convention (exiftool
// reads it so); anything that is valid UTF-8 is kept as it is.
std::string iptc_text(const std::string& raw) {
  auto clean = clean_text(raw);
  if (clean.find("\xEF\xBF\xBD") == std::string::npos ||
      raw.find("\xEF\xBF\xBD") != std::string::npos)
    return clean;
  std::string latin;
  for (char ch : raw) {
    if (ch == '\0')
      break;
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      latin.push_back(ch);
    } else {
      latin.push_back(static_cast<char>(0xC0 | (c >> 6)));
      latin.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return latin;
}

// A number as JSON: integral values as integers, non-finite ones left out.
bool put_number(nlohmann::json& out, const char* name, double v) {
  if (!std::isfinite(v))
    return false;
  if (v == std::floor(v) && std::fabs(v) < 9.0e15)
    out[name] = static_cast<std::int64_t>(v);
  else
    out[name] = v;
  return true;
}

void put_value(nlohmann::json& out, const field& f, const Exiv2::Value& value) {
  if (value.count() <= 0)
    return;
  switch (f.type) {
  case kind::text: {
    auto s = clean_text(value.toString());
    if (!s.empty())
      out[f.name] = std::move(s);
    break;
  }
  case kind::number:
    put_number(out, f.name, static_cast<double>(value.toFloat(0)));
    break;
  case kind::integer:
    out[f.name] = static_cast<std::int64_t>(value.toLong(0));
    break;
  case kind::list: {
    auto& list = out[f.name];
    list = nlohmann::json::array();
    for (long i = 0; i < value.count() && i < max_list_items; ++i)
      list.push_back(clean_text(value.toString(i)));
    break;
  }
  case kind::lang_alt: {
    const auto* alt = dynamic_cast<const Exiv2::LangAltValue*>(&value);
    if (alt == nullptr || alt->value_.empty())
      break;
    auto it = alt->value_.find("x-default");
    out[f.name] = clean_text(it != alt->value_.end() ? it->second : alt->value_.begin()->second);
    break;
  }
  }
}

// Degrees, minutes, seconds (each a rational) to decimal degrees.
bool to_degrees(const Exiv2::Value& v, double& out) {
  double parts[3] = {0, 0, 0};
  const long n = std::min<long>(v.count(), 3);
  if (n < 1)
    return false;
  for (long i = 0; i < n; ++i) {
    const auto r = v.toRational(i);
    if (r.second == 0)
      return false;
    parts[i] = static_cast<double>(r.first) / r.second;
  }
  out = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0;
  return std::isfinite(out);
}

nlohmann::json read_gps(const Exiv2::ExifData& exif) {
  nlohmann::json gps = nlohmann::json::object();
  const auto find = [&](const char* key) {
    return exif.findKey(Exiv2::ExifKey(key));
  };
  const auto ref_is = [&](const char* key, char c) {
    auto it = find(key);
    return it != exif.end() && it->count() > 0 && !it->toString().empty() && it->toString()[0] == c;
  };
  double deg = 0;
  if (auto it = find("Exif.GPSInfo.GPSLatitude"); it != exif.end() && to_degrees(it->value(), deg))
    put_number(gps, "latitude", ref_is("Exif.GPSInfo.GPSLatitudeRef", 'S') ? -deg : deg);
  if (auto it = find("Exif.GPSInfo.GPSLongitude"); it != exif.end() && to_degrees(it->value(), deg))
    put_number(gps, "longitude", ref_is("Exif.GPSInfo.GPSLongitudeRef", 'W') ? -deg : deg);
  if (auto it = find("Exif.GPSInfo.GPSAltitude"); it != exif.end() && it->count() > 0) {
    const auto r = it->toRational(0);
    auto ref = find("Exif.GPSInfo.GPSAltitudeRef");
    const bool below = ref != exif.end() && ref->count() > 0 && ref->toLong(0) == 1;
    if (r.second != 0) {
      const double m = static_cast<double>(r.first) / r.second;
      put_number(gps, "altitude", below ? -m : m);
    }
  }
  return gps;
}

void xmp_lock(void* mutex, bool lock) {
  auto* m = static_cast<std::mutex*>(mutex);
  if (lock)
    m->lock();
  else
    m->unlock();
}

void init_exiv2() {
  static std::once_flag once;
  static std::mutex xmp_mutex;
  std::call_once(once, [] {
    // Exiv2 logs warnings about odd files to stderr; those are answers for
    // the client, not log lines for the operator.
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::XmpParser::initialize(xmp_lock, &xmp_mutex);
  });
}

exiv2_metadata extract(std::string_view bytes, bool strip_gps) {
  auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(bytes.data()),
                                         static_cast<long>(bytes.size()));
  if (image.get() == nullptr)
    throw Exiv2::Error(Exiv2::kerMemoryContainsUnknownImageType);
  image->readMetadata();
  exiv2_metadata md;
  md.width = static_cast<std::uint32_t>(std::max(0, image->pixelWidth()));
  md.height = static_cast<std::uint32_t>(std::max(0, image->pixelHeight()));

  const auto& exif = image->exifData();
  for (const auto& f : exif_fields)
    if (auto it = exif.findKey(Exiv2::ExifKey(f.key)); it != exif.end())
      put_value(md.exif, f, it->value());
  if (!strip_gps) {
    auto gps = read_gps(exif);
    if (!gps.empty())
      md.exif["gps"] = std::move(gps);
  }
  if (auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.BitsPerSample"));
      it != exif.end() && it->count() > 0)
    md.bits_per_sample = static_cast<int>(it->toLong(0));

  const auto& iptc = image->iptcData();
  for (const auto& f : iptc_fields) {
    const Exiv2::IptcKey key(f.key);
    nlohmann::json values = nlohmann::json::array();
    for (const auto& d : iptc)
      if (d.tag() == key.tag() && d.record() == key.record() &&
          values.size() < static_cast<std::size_t>(max_list_items))
        values.push_back(iptc_text(d.toString()));
    if (values.empty())
      continue;
    if (f.type == kind::list)
      md.iptc[f.name] = std::move(values);
    else if (!values[0].get_ref<const std::string&>().empty())
      md.iptc[f.name] = std::move(values[0]);
  }

  const auto& xmp = image->xmpData();
  for (const auto& f : xmp_fields)
    if (auto it = xmp.findKey(Exiv2::XmpKey(f.key)); it != xmp.end())
      put_value(md.xmp, f, it->value());
  return md;
}

} // namespace

result<exiv2_metadata> read_metadata(std::string_view bytes, bool strip_gps) {
  init_exiv2();
  try {
    return extract(bytes, strip_gps);
  } catch (const std::exception& e) {
    return fail(errc::task_failed,
                std::string("image metadata cannot be read: ") + clean_text(e.what()),
                {{"problem", "corrupt-image"}});
  } catch (...) {
    return fail(errc::task_failed, "image metadata cannot be read", {{"problem", "corrupt-image"}});
  }
}

} // namespace nzl::plugins::image_metadata::internal

#pragma GCC diagnostic pop
