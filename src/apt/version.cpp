#include "apt/version.h"

#include <apt-pkg/debversion.h>

namespace mv::apt {

int CompareVersions(std::string_view a, std::string_view b) {
  return debVS.DoCmpVersion(a.data(), a.data() + a.size(), b.data(), b.data() + b.size());
}

}  // namespace mv::apt
