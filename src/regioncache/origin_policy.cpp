#include "regioncache/origin_policy.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace mv::regioncache {
namespace {

namespace urls = boost::urls;

struct Parsed {
  std::string normalized;
  std::string scheme;
  std::string host;
  uint16_t port = 0;
};

Result<Parsed> ParseHttpUrl(std::string_view text, std::string_view what) {
  auto parsed = urls::parse_absolute_uri(text);
  if (!parsed) {
    return InvalidArgument(std::string(what) + " \"" + std::string(text.substr(0, 200)) +
                           "\" is not an absolute URL");
  }
  urls::url u(*parsed);
  // An empty path is "/" (RFC 3986 6.2.3), set before normalising: setting it afterwards can
  // give "/./" (a path that must not be read as an authority), which is not its own normal form.
  if (u.encoded_path().empty()) u.set_encoded_path("/");
  u.normalize();
  Parsed p;
  p.scheme = std::string(u.scheme());
  if (p.scheme != "https" && p.scheme != "http") {
    return PermissionDenied(std::string(what) + " \"" + std::string(text.substr(0, 200)) +
                            "\": only http and https URLs");
  }
  if (u.has_userinfo()) {
    return PermissionDenied(std::string(what) + ": credentials in the URL are refused");
  }
  if (u.has_fragment()) u.remove_fragment();
  if (!u.has_authority() || u.host().empty()) {
    return InvalidArgument(std::string(what) + " \"" + std::string(text.substr(0, 200)) +
                           "\" has no host");
  }
  // The default port is dropped, so that "https://a:443/x" and "https://a/x" are one URL.
  if (u.has_port()) {
    const uint16_t port = u.port_number();
    if ((p.scheme == "https" && port == 443) || (p.scheme == "http" && port == 80)) {
      u.remove_port();
    }
  }
  p.port = u.has_port() ? u.port_number() : (p.scheme == "https" ? 443 : 80);
  p.host = u.host_type() == urls::host_type::ipv6 ? std::string(u.encoded_host_address())
                                                  : std::string(u.host());
  p.normalized = std::string(u.buffer());
  return p;
}

// Whether `url` starts with `prefix` at a boundary of the path.
bool MatchesAt(std::string_view url, std::string_view prefix) {
  if (!url.starts_with(prefix)) return false;
  if (url.size() == prefix.size() || prefix.back() == '/') return true;
  const char next = url[prefix.size()];
  return next == '/' || next == '?';
}

}  // namespace

Result<std::string> OriginPolicy::Normalize(std::string_view url) {
  MV_ASSIGN_OR_RETURN(Parsed p, ParseHttpUrl(url, "origin URL"));
  return p.normalized;
}

Result<OriginPolicy> OriginPolicy::FromAllowList(const std::vector<std::string>& allow) {
  OriginPolicy policy;
  for (const std::string& entry : allow) {
    Result<Parsed> p = ParseHttpUrl(entry, "allow entry");
    if (!p.ok()) return InvalidArgument(p.status().message());
    Rule rule{.prefix = p->normalized, .http = p->scheme == "http", .host = p->host};
    // An entry without a path ("https://a.org") allows the whole host.
    Result<IpAddress> literal = ParseAddress(p->host);
    if (literal.ok()) rule.literal = *literal;
    policy.rules_.push_back(std::move(rule));
  }
  return policy;
}

Result<AllowedUrl> OriginPolicy::CheckUrl(std::string_view url) const {
  MV_ASSIGN_OR_RETURN(Parsed p, ParseHttpUrl(url, "origin URL"));
  std::optional<size_t> best;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (MatchesAt(p.normalized, rules_[i].prefix) &&
        (!best || rules_[i].prefix.size() > rules_[*best].prefix.size())) {
      best = i;
    }
  }
  if (!best) {
    // Entries match their own scheme only; an http:// URL that an https:// entry would allow
    // over HTTPS gets the reason that helps.
    if (p.scheme == "http") {
      const std::string as_https = "https" + p.normalized.substr(4);
      for (const Rule& rule : rules_) {
        if (!rule.http && MatchesAt(as_https, rule.prefix)) {
          return PermissionDenied("origin URL " + p.normalized.substr(0, 200) +
                                  ": plain HTTP is refused (the allow entry is " +
                                  rule.prefix.substr(0, 200) + ")");
        }
      }
    }
    return PermissionDenied("origin URL " + p.normalized.substr(0, 200) +
                            " is not under any allowed prefix ([regioncache] allow)");
  }
  return AllowedUrl{.url = p.normalized,
                    .host = p.host,
                    .port = p.port,
                    .https = p.scheme == "https",
                    .rule = *best};
}

Status OriginPolicy::CheckAddress(const AllowedUrl& url, const IpAddress& a) const {
  const AddressKind kind = KindOf(a);
  if (kind == AddressKind::kPublic) return Status::Ok();
  if (url.rule < rules_.size()) {
    const Rule& rule = rules_[url.rule];
    if (rule.literal && *rule.literal == a) return Status::Ok();
    if (rule.host == "localhost" && kind == AddressKind::kLoopback) return Status::Ok();
  }
  return PermissionDenied("origin host " + url.host + " is at " + a.ToString() + ", a " +
                          std::string(AddressKindName(kind)) +
                          " address: refused (an allow entry must name it)");
}

}  // namespace mv::regioncache
