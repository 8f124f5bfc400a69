// The [[target]] sections of the configuration (docs/design.md section 13): named publish
// targets, so that `mirrorvault publish debian@now --to us-east-1` needs no URL, and their
// access and grace settings.
//
//   [[target]]
//   name = "us-east-1"
//   url = "s3://us-east-1-mirror/debian?endpoint=https://s3.us-east-1.amazonaws.com"
//   public_read = true            # optional
//   allow_cidr = ["10.0.0.0/8"]   # optional
//   grace = "24h"                 # optional
//
// Instead of url: bucket = "...", with optional prefix, region and endpoint; or folder =
// "/srv/www".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/config_value.h"
#include "util/status.h"

namespace mv::publish {

struct TargetConfig {
  std::string url;  // a store URL
  bool public_read = false;
  std::vector<std::string> allow_cidr;
  std::optional<std::chrono::milliseconds> grace;
};

// Every [[target]], by name, in the order written. InvalidArgument with the file, line and key for
// an unknown key, a wrong type, a section with none or more than one of url, bucket and folder,
// or two sections with one name.
Result<std::vector<std::pair<std::string, TargetConfig>>> ConfiguredTargets(
    const ConfigValue& document);
// The target named `name`; std::nullopt when no section has that name. Errors as above.
Result<std::optional<TargetConfig>> FindTarget(const ConfigValue& document,
                                               const std::string& name);

}  // namespace mv::publish
