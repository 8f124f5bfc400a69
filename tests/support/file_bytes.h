// Whole files as strings, for tests: read one, or write one (making its folders).
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace mv::testing {

// The file's bytes; "" when it cannot be read.
inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Replaces the file with `data`, creating its folders first.
inline void WriteFileBytes(const std::string& path, const std::string& data) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  std::ofstream(path, std::ios::binary) << data;
}

}  // namespace mv::testing
