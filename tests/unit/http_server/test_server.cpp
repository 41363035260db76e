#include "tests/unit/http_server/test_server.hpp"

#include <array>
#include <cstdio>
#include <sys/wait.h>

namespace nzl::test {

test_server::test_server(net::server_options options) : api_(service_, net::api_options{}) {
  server_ = std::make_unique<net::http_server>(
      std::move(options), api_,
      [this](net::http_request req, std::function<void(net::http_response)> done) {
        {
          std::lock_guard guard{mutex_};
          requests_.push_back(req);
        }
        api_.handle(std::move(req), std::move(done));
      });
}

test_server::~test_server() {
  server_->stop();
}

result<std::uint16_t> test_server::start() {
  return server_->start();
}

std::vector<net::http_request> test_server::requests() const {
  std::lock_guard guard{mutex_};
  return requests_;
}

command_result run_command(const std::string& command) {
  command_result out;
  auto full = "(" + command + ") < /dev/null 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr)
    return out;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    out.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

bool have_program(const std::string& program) {
  return run_command(program + " --version").exit_code == 0 ||
         run_command(program + " version").exit_code == 0;
}

std::optional<test_certificate> make_certificate(const std::filesystem::path& dir,
                                                 std::string& why) {
  test_certificate c{dir / "cert.pem", dir / "key.pem", dir / "other_key.pem"};
  auto made =
      run_command("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
                  " -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"
                  " -keyout " +
                  sh_quote(c.key.string()) + " -out " + sh_quote(c.cert.string()));
  if (made.exit_code != 0) {
    why = made.output;
    return std::nullopt;
  }
  auto other = run_command("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                           sh_quote(c.other_key.string()));
  if (other.exit_code != 0) {
    why = other.output;
    return std::nullopt;
  }
  return c;
}

} // namespace nzl::test
