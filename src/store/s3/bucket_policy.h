// The bucket policy that lets anyone (or only some address ranges) read one store prefix: built
// from the bucket's current policy, keeping every statement but the one mirrorvault owns for
// that prefix (its Sid names the prefix), so stores under other prefixes keep theirs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::s3 {

// `existing`: the bucket's policy JSON, or "" when it has none. InvalidArgument for a range that
// is not an IPv4/IPv6 CIDR or address; Corruption when `existing` is not a policy document.
Result<std::string> MergeReadPolicy(std::string_view existing, std::string_view bucket,
                                    std::string_view prefix, const std::vector<std::string>& cidrs);

}  // namespace mv::s3
