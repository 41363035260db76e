// The `cloudagent` operator CLI; everything lives in nzl_cloudagent (cli.cpp).
#include "apps/cloudagent/cli.hpp"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return nzl::cli::run(args, nzl::cli::environment::from_process(), std::cout, std::cerr);
}
