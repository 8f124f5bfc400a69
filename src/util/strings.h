// Small string helpers that every part needs: joining, trimming, ASCII case, path base names.
// All are ASCII-only and locale-independent (the C library's tolower/isspace follow the locale).
#pragma once

#include <span>
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

// The candidate nearest to `word` for a "did you mean" hint: fewer than 3 edits (Levenshtein)
// and fewer than the candidate's length; "" when none is that near. The first of equals wins.
std::string_view NearestName(std::string_view word, std::span<const std::string_view> candidates);

// What follows the last '/' of `path` (all of it when it has none; "" when it ends in '/').
std::string_view BaseName(std::string_view path);

}  // namespace mv
