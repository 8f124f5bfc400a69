#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"mirrorvault: every state of software package archives on object storage"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
