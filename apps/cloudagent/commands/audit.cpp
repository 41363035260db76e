// cloudagent audit tail: GET /v3/admin/audit. With --follow it polls every
// second with after=<next> until SIGINT or SIGTERM. Memory stays bounded:
// each page is printed and dropped; only the cursor is kept.
#include "apps/cloudagent/commands/command.hpp"
#include "apps/cloudagent/values.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <pthread.h>

namespace nzl::cli {

namespace {

constexpr std::uint64_t default_limit = 100;
constexpr std::size_t max_cursor_bytes = 1024;

constexpr std::array tail_options{
    option_spec{"follow", "", "keep printing new records (poll every second) until Ctrl-C"},
    // Not --key: that is the global option naming the API key to send.
    option_spec{"key-id", "ID", "only requests made with this key id"},
    option_spec{"status", "N", "only answers with this HTTP status"},
    option_spec{"since", "T", "from this time: RFC 3339 or a duration ago (10m, 2h)"},
    option_spec{"until", "T", "up to this time: RFC 3339 or a duration ago"},
    option_spec{"limit", "N", "records per request, 1-1000 (default 100)"},
};

constexpr std::size_t audit_columns = 10;

table audit_table() {
  table t{{"TIME", "STATUS", "MS", "METHOD", "PATH", "TASK", "KEY", "CLIENT", "COUNTRY", "RULE"}};
  // Fixed minimums so that the pages of --follow usually line up (a key id
  // is 18 characters).
  for (auto [column, width] : std::initializer_list<std::pair<std::size_t, std::size_t>>{
           {0, 24}, {1, 6}, {2, 6}, {3, 6}, {4, 24}, {5, 12}, {6, 18}, {7, 15}, {8, 7}})
    t.min_width(column, width);
  return t;
}

/// Adds a page's records. With `widths` (--follow), a column never narrows
/// again once a page widened it, so a later page of shorter values still
/// lines up with the earlier ones.
void add_records(table& t, const nlohmann::json& page,
                 std::array<std::size_t, audit_columns>* widths = nullptr) {
  for (auto& r : array_of(page, "records")) {
    std::vector<std::string> cells{text_of(r, "time"),          number_of(r, "status"),
                                   number_of(r, "duration_ms"), text_of(r, "method"),
                                   text_of(r, "path"),          text_of(r, "task_type"),
                                   text_of(r, "key_id"),        text_of(r, "client_ip"),
                                   text_of(r, "country"),       text_of(r, "rule")};
    if (widths != nullptr)
      for (std::size_t c = 0; c < audit_columns; ++c)
        if (auto w = display_width(sanitize(cells[c])); w > (*widths)[c]) {
          (*widths)[c] = w;
          t.min_width(c, w);
        }
    t.add_row(std::move(cells));
  }
}

outcome<std::string> base_query(context& ctx, const parsed_args& args, std::uint64_t limit) {
  std::string q = "/v3/admin/audit?limit=" + std::to_string(limit);
  if (auto key = args.value("key-id")) {
    if (auto ok = check_id(*key, "--key-id"); !ok)
      return std::move(ok).err();
    q += "&key=" + percent_encode(*key);
  }
  if (auto status = args.value("status")) {
    auto code = parse_uint(*status, "--status", 100, 599);
    if (!code)
      return std::move(code).err();
    q += "&status=" + std::to_string(*code);
  }
  for (auto name : {"since", "until"}) {
    if (auto text = args.value(name)) {
      auto t = parse_time_point(*text, "--" + std::string{name}, ctx.now());
      if (!t)
        return std::move(t).err();
      q += "&" + std::string{name} + "=" + percent_encode(*t);
    }
  }
  return q;
}

// --follow: the signals are blocked before the node client starts its
// thread (so that thread inherits the mask and the default action never
// kills the process mid-line) and taken with sigtimedwait, which is also the
// one-second wait between polls. A request in flight finishes first, within
// --timeout-ms.
outcome<done> follow(context& ctx, const std::string& query, std::uint64_t limit) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  auto node = ctx.node();
  if (!node)
    return std::move(node).err();
  table t = audit_table();
  std::array<std::size_t, audit_columns> widths{};
  bool header_printed = false;
  bool reachable = true;
  std::string cursor;
  for (;;) {
    std::string target = query;
    if (!cursor.empty())
      target += "&after=" + percent_encode(cursor);
    auto answer = (*node)->call("GET", target);
    bool full = false;
    if (answer) {
      if (!reachable)
        ctx.print.err_line("note: the node answers again");
      reachable = true;
      auto& records = array_of(answer->body, "records");
      full = records.size() >= limit;
      if (!records.empty()) {
        if (ctx.options.json) {
          ctx.print.out(answer->raw);
          if (answer->raw.back() != '\n')
            ctx.print.out("\n");
        } else {
          add_records(t, answer->body, &widths);
          ctx.print.out(t.render(!header_printed));
          header_printed = true;
          t.clear_rows();
        }
        ctx.print.flush();
      }
      auto next = text_of(answer->body, "next", "");
      if (next.size() > max_cursor_bytes)
        return failure{exit_code::node_error, "the node's audit cursor is longer than " +
                                                  std::to_string(max_cursor_bytes) + " bytes"};
      if (!next.empty())
        cursor = std::move(next);
    } else if (answer.err().code == exit_code::unreachable) {
      // Keep following across a node restart; say so once per outage.
      if (reachable)
        ctx.print.err_line("warning: " + answer.err().message + " (retrying every second)");
      reachable = false;
    } else {
      return std::move(answer).err();
    }
    // A full page means more is waiting: ask again at once (a signal that
    // is already pending is still taken).
    timespec wait{full ? 0 : 1, 0};
    int sig = sigtimedwait(&stop, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM)
      return done{};
  }
}

outcome<done> tail(context& ctx, const parsed_args& args) {
  std::uint64_t limit = default_limit;
  if (auto text = args.value("limit")) {
    auto n = parse_uint(*text, "--limit", 1, 1000);
    if (!n)
      return std::move(n).err();
    limit = *n;
  }
  auto query = base_query(ctx, args, limit);
  if (!query)
    return std::move(query).err();
  if (args.has("follow"))
    return follow(ctx, *query, limit);
  auto answer = call_node(ctx, "GET", *query);
  if (!answer)
    return std::move(answer).err();
  if (ctx.options.json)
    return done{};
  table t = audit_table();
  add_records(t, answer->body);
  ctx.print.out(t.render());
  return done{};
}

constexpr std::array commands{
    subcommand{"tail", "", "print audit records (filtered); --follow keeps printing new ones",
               tail_options, 0, 0, tail},
};

} // namespace

command_group audit_group() {
  return {"audit", "read the node's audit log (admin)", commands};
}

} // namespace nzl::cli
