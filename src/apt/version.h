// Debian's version order, as `dpkg --compare-versions` and apt see it (epoch, upstream version,
// revision; "~" before anything), by libapt-pkg's implementation.
#pragma once

#include <string_view>

namespace mv::apt {

// Negative when a sorts before b, zero when they are equal in Debian's order, positive after.
int CompareVersions(std::string_view a, std::string_view b);

}  // namespace mv::apt
