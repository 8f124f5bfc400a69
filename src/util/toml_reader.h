// Reading TOML (toml++) into a ConfigValue tree. The only place that includes toml++.
#pragma once

#include <string>
#include <string_view>

#include "util/config_value.h"
#include "util/status.h"

namespace mv {

// Parses a TOML document; `source` (a path) names it in positions and messages. A syntax error
// is InvalidArgument "source:line:column: <what toml++ says>", and so is a document nested more
// than 64 levels deep or holding more than 10000 '.' (toml++ would overflow its stack on deeply
// dotted keys). Table entries keep the order in which they were written; each entry's position
// is that of its key.
Result<ConfigValue> ParseToml(std::string_view text, const std::string& source);

// Reads and parses the file at `path`; read errors come from ErrnoStatus (NotFound, ...).
Result<ConfigValue> ReadTomlFile(const std::string& path);

}  // namespace mv
