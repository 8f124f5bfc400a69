// The Content-Type of an archive file by its name, for the server and for published objects:
// Debian's files by their extensions, text/plain for Release files and other index files,
// application/octet-stream otherwise.
#pragma once

#include <string>
#include <string_view>

namespace mv::apt {

std::string ContentTypeFor(std::string_view name);

}  // namespace mv::apt
