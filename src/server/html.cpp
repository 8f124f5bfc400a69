#include "server/html.h"

#include "util/encoding.h"
#include "util/uri.h"

namespace mv::server {

std::string HtmlEscape(std::string_view text) { return XmlEscape(text); }

std::string UrlPath(std::string_view path) {
  // Unreserved characters and the sub-delimiters apt and browsers leave alone stay readable.
  return PercentEncode(path, "/-._~+:@");
}

namespace {

constexpr std::string_view kStyle = R"css(
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232a;background:#fafbfc}
header{background:#1d3557;color:#fff;padding:.6em 1em;display:flex;flex-wrap:wrap;gap:.5em 1.5em;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
header form{display:flex;gap:.3em;flex:1 1 14em;max-width:26em}
header input{flex:1;min-width:0;padding:.35em .5em;border:0;border-radius:4px;font-size:1em}
header button{padding:.35em .8em;border:0;border-radius:4px;background:#a8dadc;font-size:1em}
main{padding:1em;max-width:72em;margin:0 auto}
nav.crumbs{font-size:.95em;margin-bottom:.8em;overflow-wrap:anywhere}
h1{font-size:1.4em;margin:.2em 0 .6em;overflow-wrap:anywhere}
h2{font-size:1.15em;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid #e3e6ea;vertical-align:top}
td{overflow-wrap:anywhere}
td.num,th.num{text-align:right;white-space:nowrap}
a{color:#1d5fa8}
code,.hash{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}
ul.runs{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3em .8em}
.muted{color:#5c6670}
.state-failed{color:#b3261e;font-weight:600}
.state-succeeded{color:#1b7f3b}
.state-retryable,.state-running{color:#8a5a00}
)css";

}  // namespace

std::string HtmlPage(std::string_view title, const std::vector<Crumb>& crumbs,
                     std::string_view body) {
  std::string out;
  out.reserve(body.size() + 2048);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>";
  out += HtmlEscape(title);
  out += " · mirrorvault</title><style>";
  out += kStyle;
  out +=
      "</style></head><body><header><a href=\"/\">mirrorvault</a>"
      "<form action=\"/package/\" method=\"get\" role=\"search\">"
      "<input type=\"search\" name=\"q\" placeholder=\"source package\" aria-label=\"package\">"
      "<button type=\"submit\">Search</button></form></header><main>";
  if (!crumbs.empty()) {
    out += "<nav class=\"crumbs\">";
    for (size_t i = 0; i < crumbs.size(); ++i) {
      if (i > 0) out += " / ";
      if (crumbs[i].href.empty()) {
        out += HtmlEscape(crumbs[i].label);
      } else {
        out += "<a href=\"" + HtmlEscape(crumbs[i].href) + "\">" + HtmlEscape(crumbs[i].label) +
               "</a>";
      }
    }
    out += "</nav>";
  }
  out += "<h1>" + HtmlEscape(title) + "</h1>";
  out += body;
  out += "</main></body></html>\n";
  return out;
}

}  // namespace mv::server
