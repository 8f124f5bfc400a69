// The server's HTML: escaping and the page frame every page shares (a header with the search box,
// breadcrumbs, inline CSS that reads well on a phone, no external assets, no scripts).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mv::server {

// Text made safe for HTML content and double-quoted attribute values.
std::string HtmlEscape(std::string_view text);
// A path made safe for an href: each segment percent-encoded, slashes kept.
std::string UrlPath(std::string_view path);

struct Crumb {
  std::string label;
  std::string href;  // empty: the current page, not a link
};

// A whole page: `title` (escaped here), breadcrumbs, and `body` (HTML the caller built with
// HtmlEscape).
std::string HtmlPage(std::string_view title, const std::vector<Crumb>& crumbs,
                     std::string_view body);

}  // namespace mv::server
