#include "cli/command_word.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "util/strings.h"

namespace mv::cli {
namespace {

// Whether `arg` is a global option of `app` that takes its value as the next word.
bool TakesNextWord(const CLI::App& app, std::string_view arg) {
  if (!arg.starts_with("--") || arg.find('=') != std::string_view::npos) return false;
  const std::string name(arg.substr(2));
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_items_expected_max() == 0) continue;
    const std::vector<std::string>& names = opt->get_lnames();
    if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> UnknownCommandMessage(const CLI::App& app, int argc,
                                                 const char* const* argv) {
  std::string_view word;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") return std::nullopt;
    if (arg.starts_with("-")) {
      if (TakesNextWord(app, arg)) ++i;
      continue;
    }
    word = arg;
    break;
  }
  if (word.empty()) return std::nullopt;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
    for (const std::string& alias : sub->get_aliases()) names.push_back(alias);
  }
  if (std::find(names.begin(), names.end(), word) != names.end()) return std::nullopt;
  std::string message = "unknown command '" + std::string(word) + "'";
  std::vector<std::string_view> candidates(names.begin(), names.end());
  std::string_view closest = NearestName(word, candidates);
  if (!closest.empty()) message += "; did you mean '" + std::string(closest) + "'?";
  message += " (mirrorvault --help lists the commands)";
  return message;
}

}  // namespace mv::cli
