// Keeping secrets out of logs and messages.
//
// These work on raw text and never fail, because what most needs redacting is input that did not
// parse (it goes into the error message). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace mv {

inline constexpr std::string_view kRedacted = "REDACTED";

// True for names of settings, query parameters or log fields that hold secrets: those containing
// (ignoring case) "secret", "password", "passwd", "token", "credential", "signature",
// "authorization", "api_key", "apikey" or "private_key", and the name "sig".
bool IsSecretName(std::string_view name);

// The URL with its password and the values of secret query parameters (IsSecretName, after
// percent-decoding the name) replaced by REDACTED:
//   postgresql://mv:hunter2@db/mv          -> postgresql://mv:REDACTED@db/mv
//   https://b.s3/k?X-Amz-Signature=abc&x=1 -> https://b.s3/k?X-Amz-Signature=REDACTED&x=1
// The user name is kept (it says who failed to log in).
std::string RedactUrl(std::string_view url);

// RedactUrl applied to every URL ("scheme://" up to whitespace, '"' or "<>", or up to the "'"
// that closes a URL opened by "'") in free text, such as a Status message.
std::string RedactSecrets(std::string_view text);

}  // namespace mv
