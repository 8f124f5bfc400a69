#include "util/uri.h"

#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <cstdio>

#include "util/redact.h"

namespace mv {
namespace {

constexpr std::string_view kUrlHelp =
    "expected a URL such as file:///var/lib/mirrorvault/store or s3://bucket/prefix?region=...";

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Characters RFC 3986 allows somewhere in a URI, besides "%".
bool IsUriChar(unsigned char c) {
  static constexpr std::string_view kDelims = ":/?#[]@!$&'()*+,;=";
  return IsUnreserved(c) || kDelims.find(static_cast<char>(c)) != std::string_view::npos;
}

void AppendEscape(std::string& out, unsigned char c) {
  char buf[4];
  std::snprintf(buf, sizeof(buf), "%%%02X", c);
  out += buf;
}

Status Invalid(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid URL \"" + RedactUrl(text) + "\": " + std::string(why) + " (" +
                         std::string(kUrlHelp) + ")");
}

// Escapes what a URL cannot contain so that text people write parses as they mean it (see the
// header); rejects control characters.
Result<std::string> Prepare(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // "[" and "]" are allowed in the host only (IPv6); the authority ends at the first "/", "?" or
  // "#" after "://".
  size_t scheme_end = text.find("://");
  size_t authority_end =
      scheme_end == std::string_view::npos ? 0 : text.find_first_of("/?#", scheme_end + 3);
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[96];
      std::snprintf(buf, sizeof(buf), "it contains the control character 0x%02X at offset %zu", c,
                    i);
      return Invalid(text, buf);
    }
    bool after_authority = i >= authority_end;
    if (c == '%') {
      if (i + 2 < text.size() && IsHex(text[i + 1]) && IsHex(text[i + 2])) {
        out += '%';
      } else {
        out += "%25";
      }
    } else if (IsUriChar(c) && !(after_authority && (c == '[' || c == ']'))) {
      out += static_cast<char>(c);
    } else {
      AppendEscape(out, c);
    }
  }
  return out;
}

}  // namespace

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::optional<std::string> Uri::Param(std::string_view key) const {
  for (const UriParam& p : query) {
    if (p.key == key) return p.value;
  }
  return std::nullopt;
}

std::vector<std::string> Uri::Params(std::string_view key) const {
  std::vector<std::string> out;
  for (const UriParam& p : query) {
    if (p.key == key) out.push_back(p.value);
  }
  return out;
}

std::string Uri::ToString() const {
  namespace urls = boost::urls;
  urls::url u;
  u.set_scheme(scheme);
  if (user) u.set_user(*user);
  if (password) u.set_password(*password);
  u.set_host_address(host);  // also when empty: file:///path keeps its "//"
  if (port) u.set_port_number(*port);
  urls::params_ref params = u.params(urls::encoding_opts(false, false, false));
  for (const UriParam& p : query) params.append({p.key, p.value});
  // The path is escaped here: Boost.URL 1.81's set_path writes "/" as "/./" (boostorg/url#674).
  std::string out(u.encoded_origin());
  if (!path.empty() && path.front() != '/') out += '/';
  out += PercentEncode(path, "/:@!$&'()*+,;=");
  if (u.has_query()) out += "?" + std::string(u.encoded_query());
  return out;
}

Result<Uri> ParseUri(std::string_view text) {
  namespace urls = boost::urls;
  if (text.empty()) return Invalid(text, "it is empty");
  MV_ASSIGN_OR_RETURN(std::string prepared, Prepare(text));
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || text.find_first_of("/?#") < colon) {
    return Invalid(text, "it has no scheme (for a local folder write file:///path)");
  }
  auto parsed = urls::parse_uri(prepared);
  if (!parsed) return Invalid(text, "not RFC 3986 syntax (" + parsed.error().message() + ")");
  const urls::url_view& u = *parsed;
  if (!u.has_authority()) {
    return Invalid(text, "\"//\" must follow \"" + std::string(u.scheme()) + ":\"");
  }
  // Boost.URL 1.81 takes "host:80x/p" as port "80" and path "x/p" (boostorg/url#680); after an
  // authority the path is empty or starts with "/".
  if (!u.encoded_path().empty() && u.encoded_path().front() != '/') {
    return Invalid(text, "the port after \"" + std::string(u.encoded_host()) +
                             ":\" must be digits, followed by \"/\", \"?\" or the end");
  }
  if (u.has_fragment()) return Invalid(text, "it has a \"#\" fragment (write %23 for \"#\")");

  Uri out;
  for (char c : u.scheme())
    out.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.has_userinfo()) {
    out.user = std::string(u.user());
    if (u.has_password()) out.password = std::string(u.password());
  }
  out.host = std::string(u.host_address());
  // One spelling per IPv6 address ("[::0]" -> "::"), the one ToString writes (RFC 5952).
  if (auto ipv6 = urls::parse_ipv6_address(out.host)) out.host = ipv6->to_string();
  if (u.has_port() && !u.port().empty()) {
    std::string_view digits = u.port();
    unsigned long port = 0;
    for (char c : digits) {
      port = port * 10 + static_cast<unsigned long>(c - '0');
      if (port > 65535) return Invalid(text, "port " + std::string(digits) + " is not in 0-65535");
    }
    out.port = static_cast<uint16_t>(port);
  }
  out.path = std::string(u.path());
  if (u.has_query()) {
    for (auto p : u.params(urls::encoding_opts(false, false, false))) {
      if (p.key.empty() && p.value.empty()) continue;  // "?", "a=1&&b=2"
      if (p.key.empty()) return Invalid(text, "a query parameter has a value but no name");
      out.query.push_back({std::move(p.key), std::move(p.value)});
    }
  }
  return out;
}

std::string PercentEncode(std::string_view text, std::string_view keep) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || keep.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      AppendEscape(out, c);
    }
  }
  return out;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !IsHex(text[i + 1]) || !IsHex(text[i + 2])) {
      return InvalidArgument("invalid percent escape at offset " + std::to_string(i) + " of \"" +
                             std::string(text) + "\" (expected % and two hex digits)");
    }
    out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

}  // namespace mv
