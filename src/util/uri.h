// Location URLs: file:///var/lib/mirrorvault/store, s3://bucket/prefix?endpoint=...&region=...,
// sqlite:///path/catalog.db, postgresql://user@host:5432/db, redis://127.0.0.1:6379/0.
//
// ParseUri splits one into decoded parts on Boost.URL (RFC 3986). Leniency, so that what people
// paste works as they mean it:
//   - characters a URL may not contain but a path may (space, non-ASCII, "<>\"^`{|}") are taken
//     literally: "s3://bucket/pre fix" has the path "/pre fix";
//   - percent escapes are decoded: "file:///with%20space" has the path "/with space" (write
//     %25 for a literal "%"; a "%" not followed by two hex digits is taken literally);
//   - "+" is a plus sign everywhere, also in the query (not a form-encoded space);
//   - empty query parameters ("?", "&&") are skipped.
// Strictness, so that mistakes surface: control characters (NUL, newline, ...) are rejected; a
// scheme and "//" are required (file:/path is an error: write file:///path); a "#" fragment is
// rejected (write %23 for "#" in a path). Values; thread-safe to copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv {

struct UriParam {
  std::string key;    // decoded
  std::string value;  // decoded; empty for "?flag" and "?flag="
  friend bool operator==(const UriParam&, const UriParam&) = default;
};

struct Uri {
  std::string scheme{};                   // lower-cased: "s3", "file"
  std::optional<std::string> user{};      // decoded
  std::optional<std::string> password{};  // decoded; a secret: see util/redact.h
  std::string host{};  // decoded; IPv6 without brackets, canonical (RFC 5952); "" for file:///
  std::optional<uint16_t> port{};
  std::string path{};             // decoded; "" or starts with "/"
  std::vector<UriParam> query{};  // in order; a key may repeat

  // The value of the first parameter named `key`.
  std::optional<std::string> Param(std::string_view key) const;
  // Every value of parameters named `key`, in order.
  std::vector<std::string> Params(std::string_view key) const;

  // The canonical text, escaping what needs it; ParseUri(u.ToString()) == u. Includes the
  // password: never log it (RedactUrl).
  std::string ToString() const;

  friend bool operator==(const Uri&, const Uri&) = default;
};

// InvalidArgument naming the (redacted) text and what is wrong.
Result<Uri> ParseUri(std::string_view text);

// RFC 3986's unreserved characters: A-Z a-z 0-9 - . _ ~ (ASCII only).
bool IsUnreserved(unsigned char c);

// Escapes every byte except the unreserved characters (A-Z a-z 0-9 - . _ ~) and those in `keep`
// as %XX (upper-case hex). PercentEncode(path, "/") escapes a path, keeping its slashes.
std::string PercentEncode(std::string_view text, std::string_view keep = "");

// Decodes %XX escapes (either case); InvalidArgument on a "%" not followed by two hex digits.
// "+" stays "+".
Result<std::string> PercentDecode(std::string_view text);

}  // namespace mv
