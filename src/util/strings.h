// Small string helpers that every part needs: joining, trimming, ASCII case, path base names.
// All are ASCII-only and locale-independent (the C library's tolower/isspace follow the locale).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mv {

// The items with `sep` between them ("" for no items).
std::string Join(const std::vector<std::string>& items, std::string_view sep = ",");

// `s` without leading and trailing ASCII white space (space, tab, CR, LF, FF, VT).
std::string_view Trim(std::string_view s);

// ASCII lower case; other bytes unchanged.
char LowerAscii(char c);
std::string Lower(std::string_view s);

// What follows the last '/' of `path` (all of it when it has none; "" when it ends in '/').
std::string_view BaseName(std::string_view path);

}  // namespace mv
