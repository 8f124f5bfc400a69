// What the store's small canonical JSON records (tombstones, removals) check first, in one place:
// valid JSON, an object, a format this mirrorvault reads, and exactly the keys of that format.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mv::archive {

// Parses `text` into `doc` and checks its shape; the problem ("is not valid JSON: ...", "has no
// \"reason\"", ...) for the caller to name its record with, std::nullopt when the shape is right.
std::optional<std::string> JsonRecordProblem(std::string_view text, int format,
                                             std::span<const std::string_view> keys,
                                             boost::json::value& doc);

}  // namespace mv::archive
