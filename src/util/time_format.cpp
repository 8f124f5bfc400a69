#include "util/time_format.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace mv {

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

}  // namespace mv
