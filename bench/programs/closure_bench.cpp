// The dependency closure over real Packages indexes (bench/closure drives it): reads each
// decompressed index into memory, then times building the PackageUniverse (parsing every stanza)
// and CloseOverDependencies for the named packages. Prints one line of key=value, then with
// --list each package of the closure as "name version architecture".
//
//   closure_bench --arch amd64 [--arch ...] [--recommends] [--list] --index FILE [--index ...]
//                 NAME...
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "apt/closure.h"
#include "apt/package_universe.h"

namespace {

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "closure_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> indexes;
  std::set<std::string, std::less<>> names;
  mv::apt::ClosureOptions options;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--index" && i + 1 < argc) {
      indexes.push_back(argv[++i]);
    } else if (arg == "--arch" && i + 1 < argc) {
      options.architectures.push_back(argv[++i]);
    } else if (arg == "--recommends") {
      options.recommends = true;
    } else if (arg == "--list") {
      list = true;
    } else if (arg.starts_with("--")) {
      return Fail("unknown option " + arg);
    } else {
      names.insert(arg);
    }
  }
  if (indexes.empty() || names.empty()) return Fail("give --index FILE and package names");
  if (options.architectures.empty()) options.architectures = {"amd64"};

  std::vector<std::string> texts;
  for (const std::string& path : indexes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    texts.push_back(std::move(s).str());
  }

  auto start = std::chrono::steady_clock::now();
  mv::apt::PackageUniverse universe;
  for (size_t i = 0; i < texts.size(); ++i) {
    mv::Status st = universe.AddPackagesIndex(texts[i], indexes[i]);
    if (!st.ok()) return Fail(st.ToString());
  }
  auto loaded = std::chrono::steady_clock::now();
  auto closure = mv::apt::CloseOverDependencies(
      universe, [&](std::string_view n) { return names.find(n) != names.end(); }, options);
  auto closed = std::chrono::steady_clock::now();
  if (!closure.ok()) return Fail(closure.status().ToString());

  std::set<std::string> found;
  for (uint32_t id : closure->packages) found.insert(universe.packages()[id].package);
  size_t absent = 0;
  for (const std::string& n : names) absent += found.count(n) == 0;
  std::printf(
      "stanzas=%zu selected=%zu absent=%zu closure=%zu unsatisfied=%zu load_ms=%.1f "
      "closure_ms=%.1f total_ms=%.1f\n",
      universe.packages().size(), names.size(), absent, closure->packages.size(),
      closure->unsatisfied.size(), Ms(loaded - start), Ms(closed - loaded), Ms(closed - start));
  for (const mv::apt::UnsatisfiedDependency& u : closure->unsatisfied) {
    std::fprintf(stderr, "closure_bench: unsatisfied: %s %s: %s (on %s)\n", u.package.c_str(),
                 u.field.c_str(), u.group.c_str(), u.architecture.c_str());
  }
  if (list) {
    for (uint32_t id : closure->packages) {
      const mv::apt::UniversePackage& u = universe.packages()[id];
      std::printf("%s %s %s\n", u.package.c_str(), u.version.c_str(), u.architecture.c_str());
    }
  }
  return 0;
}
