#include "apps/cloudagent/args.hpp"

#include <algorithm>

namespace nzl::cli {

namespace {

const option_spec* find_spec(std::span<const std::span<const option_spec>> specs,
                             std::string_view name) {
  for (auto list : specs)
    for (auto& spec : list)
      if (spec.name == name)
        return &spec;
  return nullptr;
}

} // namespace

bool parsed_args::has(std::string_view name) const {
  return values.find(name) != values.end();
}

const std::string* parsed_args::value(std::string_view name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty())
    return nullptr;
  return &it->second.back();
}

std::vector<std::string> parsed_args::all(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

outcome<parsed_args> parse_args(std::span<const std::string> args,
                                std::span<const std::span<const option_spec>> specs,
                                std::size_t max_positionals, bool stop_at_positional) {
  parsed_args out;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() > max_arg_bytes)
      return usage_error("an argument is longer than " + std::to_string(max_arg_bytes) + " bytes");
    bool positional = options_ended || arg.size() < 2 || arg[0] != '-' || arg == "-";
    if (positional) {
      if (stop_at_positional) {
        out.rest.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
        return out;
      }
      if (out.positionals.size() >= max_positionals)
        return usage_error(max_positionals == 0 ? "unexpected argument '" + arg + "'"
                                                : "too many arguments (unexpected '" + arg + "')");
      out.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    if (!arg.starts_with("--"))
      return usage_error("unknown option '" + arg + "' (options are --long-names)");
    std::string_view body = std::string_view{arg}.substr(2);
    std::string_view name = body.substr(0, body.find('='));
    const option_spec* spec = find_spec(specs, name);
    if (spec == nullptr)
      return usage_error("unknown option '--" + std::string{name} + "'");
    std::string value;
    bool inline_value = name.size() < body.size();
    if (spec->value_name.empty()) {
      if (inline_value)
        return usage_error("option '--" + std::string{name} + "' takes no value");
    } else if (inline_value) {
      value = std::string{body.substr(name.size() + 1)};
    } else {
      if (i + 1 >= args.size())
        return usage_error("option '--" + std::string{name} + "' needs a value (" +
                           std::string{spec->value_name} + ")");
      value = args[++i];
      if (value.size() > max_arg_bytes)
        return usage_error("an argument is longer than " + std::to_string(max_arg_bytes) +
                           " bytes");
    }
    auto& slot = out.values[std::string{name}];
    if (!slot.empty() && !spec->repeatable)
      return usage_error("option '--" + std::string{name} + "' is given more than once");
    if (slot.size() >= max_repeats)
      return usage_error("option '--" + std::string{name} + "' is given more than " +
                         std::to_string(max_repeats) + " times");
    slot.push_back(std::move(value));
  }
  return out;
}

std::string format_options(std::span<const option_spec> specs) {
  std::vector<std::string> left;
  std::size_t width = 0;
  for (auto& spec : specs) {
    std::string l = "  --" + std::string{spec.name};
    if (!spec.value_name.empty())
      l += " " + std::string{spec.value_name};
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  std::string out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    out += left[i];
    out.append(width - left[i].size() + 3, ' ');
    out += specs[i].help;
    if (specs[i].repeatable)
      out += " (repeatable)";
    out += '\n';
  }
  return out;
}

} // namespace nzl::cli
