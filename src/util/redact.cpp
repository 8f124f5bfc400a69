#include "util/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "util/strings.h"

namespace mv {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes what it can and keeps the rest as is.
std::string LooseDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = hi >= 0 ? HexValue(s[i + 2]) : -1;
    if (s[i] == '%' && hi >= 0 && lo >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IsSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
}

// Whitespace, '"' and "<>" cannot be in a URL; "'" can (RFC 3986 sub-delims), so it ends only a
// URL that it opened.
bool EndsUrl(char c, bool in_single_quotes) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '<' || c == '>' ||
         (in_single_quotes && c == '\'');
}

}  // namespace

bool IsSecretName(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kParts = {
      "secret",        "password", "passwd", "token",      "credential",
      "authorization", "api_key",  "apikey", "private_key"};
  std::string lower = Lower(name);
  if (lower == "sig" || lower.find("signature") != std::string::npos) return true;
  for (std::string_view part : kParts) {
    if (lower.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string RedactUrl(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  size_t rest = 0;        // url[rest, ...) is not yet copied
  size_t query_from = 0;  // where the query may start
  size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    // The userinfo ends at the last "@" before any "?" or "#", even past a "/": a password with
    // an unescaped "/" is malformed, and exactly what must not leak into an error message.
    size_t start = scheme_end + 3;
    size_t limit = std::min(url.find_first_of("?#", start), url.size());
    size_t at = limit > start ? url.rfind('@', limit - 1) : std::string_view::npos;
    if (at != std::string_view::npos && at >= start) {
      size_t colon = url.find(':', start);
      if (colon < at) {
        out.append(url.substr(0, colon + 1));
        out.append(kRedacted);
        rest = at;
      }
      query_from = at;
    } else {
      query_from = start;
    }
  }
  size_t query = url.find('?', query_from);
  if (query == std::string_view::npos) {
    out.append(url.substr(rest));
    return out;
  }
  out.append(url.substr(rest, query + 1 - rest));
  size_t end = url.find('#', query);
  if (end == std::string_view::npos) end = url.size();
  std::string_view params = url.substr(query + 1, end - query - 1);
  for (size_t start = 0; start <= params.size();) {
    size_t amp = params.find('&', start);
    if (amp == std::string_view::npos) amp = params.size();
    std::string_view param = params.substr(start, amp - start);
    size_t eq = param.find('=');
    if (eq != std::string_view::npos && IsSecretName(LooseDecode(param.substr(0, eq)))) {
      out.append(param.substr(0, eq + 1));
      out.append(kRedacted);
    } else {
      out.append(param);
    }
    if (amp < params.size()) out += '&';
    start = amp + 1;
  }
  out.append(url.substr(end));
  return out;
}

std::string RedactSecrets(std::string_view text) {
  std::string out;
  size_t copied = 0;  // text[copied, ...) is not yet copied
  size_t pos = 0;
  for (size_t sep; (sep = text.find("://", pos)) != std::string_view::npos;) {
    size_t start = sep;
    while (start > copied && IsSchemeChar(text[start - 1])) --start;
    pos = sep + 3;
    if (start == sep) continue;  // no scheme before "://"
    bool in_single_quotes = start > 0 && text[start - 1] == '\'';
    size_t end = pos;
    while (end < text.size() && !EndsUrl(text[end], in_single_quotes)) ++end;
    out.append(text.substr(copied, start - copied));
    out.append(RedactUrl(text.substr(start, end - start)));
    copied = pos = end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace mv
