// The operator shell's REPL over libedit's readline interface. Completion
// state lives in file-scope variables because readline's callbacks are C
// functions without a user pointer; the shell is single-threaded.
#include "apps/cloudagent/shell/repl.hpp"

#include "actors/operator/operator_commands.hpp"
#include "apps/cloudagent/shell/render.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <editline/readline.h>
#include <set>

namespace nzl::cli::shell {

namespace {

namespace op = actors::operator_shell;

constexpr int max_history = 1000;

// Words offered after each first word (completion), filled at start.
std::vector<std::string> first_words;
std::vector<std::string> second_words;
std::size_t next_match = 0;

char* dup(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p != nullptr)
    std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

char* complete_from(const std::vector<std::string>& words, const char* text, int state) {
  if (state == 0)
    next_match = 0;
  const std::size_t len = std::strlen(text);
  while (next_match < words.size()) {
    const auto& w = words[next_match++];
    if (w.compare(0, len, text) == 0)
      return dup(w);
  }
  return nullptr;
}

char* complete_first(const char* text, int state) {
  return complete_from(first_words, text, state);
}

char* complete_second(const char* text, int state) {
  return complete_from(second_words, text, state);
}

std::vector<std::string> region_names;
std::vector<std::string> queue_names{"default"};

char** complete(const char* text, int start, int) {
  rl_attempted_completion_over = 1; // never fall back to file names
  std::string before{rl_line_buffer, static_cast<std::size_t>(start)};
  auto words = split_words(before);
  if (!words || words->empty())
    return rl_completion_matches(text, complete_first);
  second_words.clear();
  const auto& first = words->front();
  if (words->size() == 1) {
    for (const auto& c : op::command_table()) {
      std::string_view name = c.name;
      if (name.rfind(first + " ", 0) == 0)
        second_words.emplace_back(name.substr(first.size() + 1));
    }
    if (first == "help")
      for (const auto& w : first_words)
        if (w != "help" && w != "quit")
          second_words.push_back(w);
    if (first == "queue")
      second_words = queue_names;
  }
  if (first == "failover" || first == "failback" || first == "drain")
    second_words = region_names;
  return rl_completion_matches(text, complete_second);
}

std::string history_path() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    return {};
  return std::string{home} + "/.cloudagent_history";
}

} // namespace

outcome<std::vector<std::string>> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string w;
  for (char c : line) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!w.empty())
        words.push_back(std::move(w));
      w.clear();
      continue;
    }
    w += c;
    if (w.size() > op::max_word_bytes)
      return usage_error("a word is longer than " + std::to_string(op::max_word_bytes) + " bytes");
  }
  if (!w.empty())
    words.push_back(std::move(w));
  if (words.size() > op::max_command_words)
    return usage_error("at most " + std::to_string(op::max_command_words) + " words");
  return words;
}

std::string help_text(const std::vector<std::string>& words) {
  std::vector<std::string> rest(words.begin() + (words.empty() ? 0 : 1), words.end());
  if (!rest.empty()) {
    std::size_t consumed = 0;
    const auto* c = op::find_command(rest, consumed);
    if (c == nullptr)
      return "no command '" + rest.front() + "' (try 'help')\n";
    return std::string{c->name} + (c->usage.empty() ? "" : " " + std::string{c->usage}) + "\n  " +
           std::string{c->help} + "\n";
  }
  std::size_t width = 0;
  for (const auto& c : op::command_table())
    width = std::max(width, c.name.size() + (c.usage.empty() ? 0 : c.usage.size() + 1));
  std::string s = "commands:\n";
  for (const auto& c : op::command_table()) {
    std::string left = std::string{c.name} + (c.usage.empty() ? "" : " " + std::string{c.usage});
    s += "  " + left + std::string(width - left.size() + 3, ' ') + std::string{c.help} + "\n";
  }
  s += "  help [COMMAND]" + std::string(width > 14 ? width - 14 + 3 : 3, ' ') +
       "this list, or one command's\n";
  s += "  quit" + std::string(width > 4 ? width - 4 + 3 : 3, ' ') + "leave the shell (or Ctrl-D)\n";
  return s;
}

outcome<done> run_line(operator_link& link, const std::string& line, bool json, printer& print) {
  auto words = split_words(line);
  if (!words)
    return std::move(words).err();
  if (words->empty())
    return done{};
  if (words->front() == "help") {
    print.out(help_text(*words));
    return done{};
  }
  std::size_t consumed = 0;
  const auto* cmd = op::find_command(*words, consumed);
  if (cmd == nullptr)
    return usage_error(op::unknown_command_message(*words));
  auto answer = link.call(*words);
  if (!answer)
    return std::move(answer).err();
  if (answer->status == 2)
    return usage_error(answer->error);
  if (answer->status != 0)
    return failure{exit_code::node_error, answer->error};
  if (json)
    print.out(dump(answer->body) + "\n");
  else
    print.out(render_answer(cmd->name, answer->body));
  return done{};
}

int run_repl(operator_link& link, const std::string& prompt, bool json, printer& print) {
  std::set<std::string> firsts{"help", "quit"};
  for (const auto& c : op::command_table())
    firsts.emplace(c.name.substr(0, c.name.find(' ')));
  first_words.assign(firsts.begin(), firsts.end());
  // Region names for completion, from the node's status; and who the node
  // takes the operator for.
  auto s = link.call({"status"});
  if (s && s->status == 0 && s->body.contains("regions") && s->body["regions"].is_object())
    for (const auto& [name, state] : s->body["regions"].items())
      region_names.push_back(name);
  if (s && s->status == 3)
    print.err_line("error: " + s->error);
  else if (s && !s->identity.empty() && !json)
    print.out("operator: " + s->identity + "\n");

  rl_readline_name = "cloudagent";
  rl_attempted_completion_function = complete;
  const auto history = history_path();
  stifle_history(max_history);
  if (!history.empty())
    (void)read_history(history.c_str());

  int code = 0;
  for (;;) {
    print.flush();
    char* raw = readline(prompt.c_str());
    if (raw == nullptr)
      break; // EOF (Ctrl-D)
    std::string line{raw};
    std::free(raw);
    auto words = split_words(line);
    if (words && !words->empty()) {
      add_history(line.c_str());
      if (words->front() == "quit" || words->front() == "exit")
        break;
    }
    auto r = run_line(link, line, json, print);
    if (!r) {
      print.err_line("error: " + r.err().message);
      if (r.err().code == exit_code::unreachable) {
        code = static_cast<int>(exit_code::unreachable);
        break;
      }
    }
  }
  print.flush();
  if (!history.empty())
    (void)write_history(history.c_str());
  return code;
}

} // namespace nzl::cli::shell
