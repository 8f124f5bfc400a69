// IP addresses and ranges as the region cache needs them: a client's region by the longest
// matching CIDR, the trusted proxies whose X-Forwarded-For counts, and the kinds of address an
// origin URL must not reach (loopback, private, link-local such as the cloud metadata service).
// Parsing is Boost.Asio's; IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) count as IPv4.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mv::regioncache {

struct IpAddress {
  bool v4 = true;
  std::array<uint8_t, 16> bytes{};  // v4: the first 4
  std::string ToString() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct AddressRange {
  IpAddress base;  // the network address (host bits zero)
  int prefix = 0;  // 0..32 (v4) or 0..128 (v6)
  bool Contains(const IpAddress& a) const;
  std::string ToString() const;  // "10.0.0.0/8"
};

// "192.0.2.7", "2001:db8::1", "::ffff:192.0.2.7"; InvalidArgument naming the text.
Result<IpAddress> ParseAddress(std::string_view text);
// "10.0.0.0/8", "2001:db8::/32", or one address (a /32 or /128). Host bits set below the prefix
// ("10.0.0.1/8") are InvalidArgument: the writer meant something else.
Result<AddressRange> ParseRange(std::string_view text);

enum class AddressKind {
  kPublic,
  kLoopback,     // 127.0.0.0/8, ::1
  kPrivate,      // 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier NAT), fc00::/7
  kLinkLocal,    // 169.254/16 (the metadata service: 169.254.169.254), fe80::/10
  kUnspecified,  // 0.0.0.0/8, ::
  kMulticast,    // 224/4, ff00::/8
  kReserved,     // 240/4 and the like: never a real origin
};
AddressKind KindOf(const IpAddress& a);
std::string_view AddressKindName(AddressKind kind);  // "loopback", ...

}  // namespace mv::regioncache
