#include "regioncache/origin_fetch.h"

#include <netdb.h>
#include <sys/socket.h>

#include <boost/url.hpp>
#include <charconv>

namespace mv::regioncache {
namespace {

constexpr int kMaxRedirects = 5;

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

Result<std::string> ResolveRedirect(const std::string& base, std::string_view location) {
  boost::system::result<boost::urls::url_view> b = boost::urls::parse_uri(base);
  boost::system::result<boost::urls::url_view> ref = boost::urls::parse_uri_reference(location);
  if (!b || !ref) {
    return PermissionDenied("the origin " + base.substr(0, 200) + " redirects to \"" +
                            std::string(location.substr(0, 200)) + "\", which is not a URL");
  }
  boost::urls::url out;
  if (boost::system::result<void> r = boost::urls::resolve(*b, *ref, out); !r) {
    return PermissionDenied("the origin " + base.substr(0, 200) + " redirects to \"" +
                            std::string(location.substr(0, 200)) + "\", which does not resolve");
  }
  out.remove_fragment();
  return std::string(out.buffer());
}

namespace {

std::string HostForPin(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

Resolver SystemResolver() {
  return [](const std::string& host) -> Result<std::vector<IpAddress>> {
    if (Result<IpAddress> literal = ParseAddress(host); literal.ok()) {
      return std::vector<IpAddress>{*literal};
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc != 0) {
      std::string why = gai_strerror(rc);
      if (rc == EAI_NONAME || rc == EAI_NODATA) return NotFound("origin host " + host + ": " + why);
      return Unavailable("origin host " + host + ": " + why);
    }
    std::vector<IpAddress> out;
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
      char text[NI_MAXHOST];
      if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) !=
          0) {
        continue;
      }
      std::string_view t(text);
      if (size_t pct = t.find('%'); pct != std::string_view::npos) t = t.substr(0, pct);  // zone
      Result<IpAddress> ip = ParseAddress(t);
      if (ip.ok() && std::find(out.begin(), out.end(), *ip) == out.end()) out.push_back(*ip);
    }
    freeaddrinfo(found);
    if (out.empty()) return NotFound("origin host " + host + " has no address");
    return out;
  };
}

OriginFetcher::OriginFetcher(OriginPolicy policy, std::shared_ptr<http::HttpClient> http,
                             Resolver resolver)
    : policy_(std::move(policy)), http_(std::move(http)), resolver_(std::move(resolver)) {}

Result<OriginObject> OriginFetcher::Head(const AllowedUrl& url,
                                         std::chrono::seconds timeout) const {
  return Fetch(http::Method::kHead, url, nullptr, timeout);
}

Result<OriginObject> OriginFetcher::Get(const AllowedUrl& url, Writer& sink) const {
  return Fetch(http::Method::kGet, url, &sink, std::chrono::seconds(0));
}

Result<OriginObject> OriginFetcher::Fetch(http::Method method, const AllowedUrl& first,
                                          Writer* sink, std::chrono::seconds timeout) const {
  AllowedUrl hop = first;
  for (int redirects = 0;; ++redirects) {
    // Where the hop goes: every address checked, and the transfer pinned to them.
    MV_ASSIGN_OR_RETURN(std::vector<IpAddress> addresses, resolver_(hop.host));
    std::string pin = HostForPin(hop.host) + ":" + std::to_string(hop.port) + ":";
    for (size_t i = 0; i < addresses.size(); ++i) {
      MV_RETURN_IF_ERROR(policy_.CheckAddress(hop, addresses[i]));
      if (i > 0) pin += ",";
      pin += addresses[i].v4 ? addresses[i].ToString() : "[" + addresses[i].ToString() + "]";
    }
    http::Request request{.method = method, .url = hop.url, .sink = sink, .pin = pin};
    request.stall_timeout = std::chrono::seconds(30);
    request.total_timeout = timeout;
    MV_ASSIGN_OR_RETURN(http::Response response, http_->Send(request));
    const std::string what = std::string(http::MethodName(method)) + " " + hop.url.substr(0, 200);
    if (IsRedirect(response.status)) {
      std::optional<std::string_view> location = http::FindHeader(response.headers, "location");
      if (!location)
        return Unavailable(what + ": HTTP " + std::to_string(response.status) +
                           " without a Location");
      if (redirects == kMaxRedirects) return PermissionDenied(what + ": more than 5 redirects");
      MV_ASSIGN_OR_RETURN(std::string next, ResolveRedirect(hop.url, *location));
      Result<AllowedUrl> allowed = policy_.CheckUrl(next);
      if (!allowed.ok()) {
        return PermissionDenied(
            what + " redirects to a URL that is refused: " + allowed.status().message());
      }
      hop = *allowed;
      continue;
    }
    if (response.status < 200 || response.status >= 300) {
      return http::StatusFromHttp(response.status, what);
    }
    OriginObject out{.url = hop.url};
    if (auto etag = http::FindHeader(response.headers, "etag")) out.etag = std::string(*etag);
    if (auto type = http::FindHeader(response.headers, "content-type"))
      out.content_type = std::string(*type);
    std::optional<uint64_t> announced;
    if (auto length = http::FindHeader(response.headers, "content-length")) {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), n);
      if (ec == std::errc() && end == length->data() + length->size()) announced = n;
    }
    if (method == http::Method::kHead) {
      if (!announced) return Unavailable(what + ": no Content-Length");
      out.length = *announced;
      return out;
    }
    if (announced && *announced != response.body_bytes) {
      return Unavailable(what + ": received " + std::to_string(response.body_bytes) + " bytes of " +
                         std::to_string(*announced));
    }
    out.length = response.body_bytes;
    return out;
  }
}

}  // namespace mv::regioncache
