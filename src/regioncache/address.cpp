#include "regioncache/address.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace mv::regioncache {
namespace {

namespace ip = boost::asio::ip;

IpAddress FromAsio(const ip::address& a) {
  IpAddress out;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    auto v4 = ip::make_address_v4(ip::v4_mapped, a.to_v6()).to_bytes();
    std::copy(v4.begin(), v4.end(), out.bytes.begin());
    return out;
  }
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
    return out;
  }
  out.v4 = false;
  out.bytes = a.to_v6().to_bytes();
  return out;
}

ip::address ToAsio(const IpAddress& a) {
  if (a.v4) return ip::address_v4({a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]});
  return ip::address_v6(a.bytes);
}

bool PrefixMatches(const IpAddress& a, const IpAddress& base, int prefix) {
  if (a.v4 != base.v4) return false;
  for (int bit = 0; bit < prefix; ++bit) {
    const int byte = bit / 8, mask = 0x80 >> (bit % 8);
    if ((a.bytes[byte] & mask) != (base.bytes[byte] & mask)) return false;
  }
  return true;
}

bool In(const IpAddress& a, std::string_view range) {
  Result<AddressRange> r = ParseRange(range);
  return r.ok() && r->Contains(a);
}

}  // namespace

std::string IpAddress::ToString() const { return ToAsio(*this).to_string(); }

bool AddressRange::Contains(const IpAddress& a) const { return PrefixMatches(a, base, prefix); }

std::string AddressRange::ToString() const {
  return base.ToString() + "/" + std::to_string(prefix);
}

Result<IpAddress> ParseAddress(std::string_view text) {
  boost::system::error_code ec;
  ip::address a = ip::make_address(std::string(text), ec);
  if (ec)
    return InvalidArgument("\"" + std::string(text.substr(0, 64)) + "\" is not an IP address");
  return FromAsio(a);
}

Result<AddressRange> ParseRange(std::string_view text) {
  const size_t slash = text.find('/');
  MV_ASSIGN_OR_RETURN(IpAddress base, ParseAddress(text.substr(0, slash)));
  const int max = base.v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return InvalidArgument("\"" + std::string(text.substr(0, 64)) +
                             "\": the prefix length is not a number");
    }
    prefix = std::stoi(std::string(digits));
    // An IPv4-mapped base ("::ffff:10.0.0.0/104") counts as IPv4 with the prefix less 96.
    if (base.v4 && text.substr(0, slash).find(':') != std::string_view::npos) prefix -= 96;
    if (prefix < 0 || prefix > max) {
      return InvalidArgument("\"" + std::string(text.substr(0, 64)) +
                             "\": the prefix length must be 0.." + std::to_string(max));
    }
  }
  AddressRange r{base, prefix};
  for (int bit = prefix; bit < max; ++bit) {
    if (base.bytes[bit / 8] & (0x80 >> (bit % 8))) {
      return InvalidArgument("\"" + std::string(text.substr(0, 64)) +
                             "\" has address bits set past its prefix (did you mean " +
                             [&] {
                               AddressRange fixed = r;
                               for (int b = prefix; b < max; ++b) {
                                 fixed.base.bytes[b / 8] &=
                                     static_cast<uint8_t>(~(0x80 >> (b % 8)));
                               }
                               return fixed.ToString();
                             }() +
                             "?)");
    }
  }
  return r;
}

AddressKind KindOf(const IpAddress& a) {
  if (a.v4) {
    if (In(a, "127.0.0.0/8")) return AddressKind::kLoopback;
    if (In(a, "0.0.0.0/8")) return AddressKind::kUnspecified;
    if (In(a, "10.0.0.0/8") || In(a, "172.16.0.0/12") || In(a, "192.168.0.0/16") ||
        In(a, "100.64.0.0/10")) {
      return AddressKind::kPrivate;
    }
    if (In(a, "169.254.0.0/16")) return AddressKind::kLinkLocal;
    if (In(a, "224.0.0.0/4")) return AddressKind::kMulticast;
    if (In(a, "240.0.0.0/4") || In(a, "192.0.0.0/24") || In(a, "198.18.0.0/15")) {
      return AddressKind::kReserved;
    }
    return AddressKind::kPublic;
  }
  if (In(a, "::1/128")) return AddressKind::kLoopback;
  if (In(a, "::/128")) return AddressKind::kUnspecified;
  if (In(a, "fc00::/7")) return AddressKind::kPrivate;
  if (In(a, "fe80::/10")) return AddressKind::kLinkLocal;
  if (In(a, "ff00::/8")) return AddressKind::kMulticast;
  if (In(a, "64:ff9b::/96") || In(a, "2001:db8::/32") || In(a, "::/8"))
    return AddressKind::kReserved;
  return AddressKind::kPublic;
}

std::string_view AddressKindName(AddressKind kind) {
  switch (kind) {
    case AddressKind::kPublic:
      return "public";
    case AddressKind::kLoopback:
      return "loopback";
    case AddressKind::kPrivate:
      return "private";
    case AddressKind::kLinkLocal:
      return "link-local";
    case AddressKind::kUnspecified:
      return "unspecified";
    case AddressKind::kMulticast:
      return "multicast";
    case AddressKind::kReserved:
      return "reserved";
  }
  return "?";
}

}  // namespace mv::regioncache
