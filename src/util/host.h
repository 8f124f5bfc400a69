// Who this process is, for names other processes see: claims and leases (the region cache's
// copies, the workers' jobs) and the audit log.
#pragma once

#include <string>

namespace mv {

// This machine's name (gethostname); "localhost" when it has none.
std::string HostName();

// "<host>:<pid>": this process among all those sharing a catalog or a Redis.
std::string ProcessIdentity();

}  // namespace mv
