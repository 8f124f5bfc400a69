#include "cli/command_word.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace mv::cli {
namespace {

// Levenshtein distance, for "did you mean".
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

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
  std::string closest;
  size_t best = 3;  // at most two edits away
  for (const std::string& name : names) {
    size_t d = EditDistance(word, name);
    if (d < best) {
      best = d;
      closest = name;
    }
  }
  if (!closest.empty()) message += "; did you mean '" + closest + "'?";
  message += " (mirrorvault --help lists the commands)";
  return message;
}

}  // namespace mv::cli
