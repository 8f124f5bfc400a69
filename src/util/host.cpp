#include "util/host.h"

#include <unistd.h>

namespace mv {

std::string HostName() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "localhost";
  return host;
}

std::string ProcessIdentity() { return HostName() + ":" + std::to_string(::getpid()); }

}  // namespace mv
