// The region cache's pure parts: addresses and ranges, their kinds, client regions with trusted
// proxies, the configuration's refusals, and the origin URL policy (SSRF).
#include <gtest/gtest.h>

#include "regioncache/address.h"
#include "regioncache/origin_policy.h"
#include "regioncache/region_config.h"
#include "regioncache/region_map.h"
#include "support/status_assert.h"
#include "util/toml_reader.h"

namespace mv::regioncache {
namespace {

IpAddress A(std::string_view text) { return ParseAddress(text).value(); }

TEST(Address, ParsesRangesAndContains) {
  auto r = ParseRange("10.0.0.0/8");
  MV_ASSERT_OK(r);
  EXPECT_TRUE(r->Contains(A("10.200.3.4")));
  EXPECT_FALSE(r->Contains(A("11.0.0.1")));
  EXPECT_TRUE(r->Contains(A("::ffff:10.1.2.3"))) << "v4-mapped counts as v4";
  EXPECT_FALSE(r->Contains(A("::1")));
  EXPECT_EQ(ParseRange("192.0.2.7")->prefix, 32);
  auto v6 = ParseRange("2001:db8::/32");
  MV_ASSERT_OK(v6);
  EXPECT_TRUE(v6->Contains(A("2001:db8:1::5")));
  EXPECT_EQ(ParseRange("0.0.0.0/0")->ToString(), "0.0.0.0/0");
  for (const char* bad : {"10.0.0.0/33", "10.0.0.1/8", "10.0.0.0/", "10.0.0.0/x", "nope/8",
                          "::/129", "10.0.0.0/8/8", ""}) {
    EXPECT_FALSE(ParseRange(bad).ok()) << bad;
  }
  EXPECT_NE(ParseRange("10.0.0.1/8").status().message().find("10.0.0.0/8"), std::string::npos);
}

TEST(Address, KindsOfAddress) {
  EXPECT_EQ(KindOf(A("127.0.0.1")), AddressKind::kLoopback);
  EXPECT_EQ(KindOf(A("::1")), AddressKind::kLoopback);
  EXPECT_EQ(KindOf(A("::ffff:127.0.0.1")), AddressKind::kLoopback);
  EXPECT_EQ(KindOf(A("169.254.169.254")), AddressKind::kLinkLocal);
  EXPECT_EQ(KindOf(A("fe80::1")), AddressKind::kLinkLocal);
  EXPECT_EQ(KindOf(A("10.1.1.1")), AddressKind::kPrivate);
  EXPECT_EQ(KindOf(A("172.31.255.255")), AddressKind::kPrivate);
  EXPECT_EQ(KindOf(A("192.168.0.1")), AddressKind::kPrivate);
  EXPECT_EQ(KindOf(A("fd00::1")), AddressKind::kPrivate);
  EXPECT_EQ(KindOf(A("0.0.0.0")), AddressKind::kUnspecified);
  EXPECT_EQ(KindOf(A("224.0.0.1")), AddressKind::kMulticast);
  EXPECT_EQ(KindOf(A("64:ff9b::a00:1")), AddressKind::kReserved) << "NAT64 to 10.0.0.1";
  EXPECT_EQ(KindOf(A("93.184.216.34")), AddressKind::kPublic);
  EXPECT_EQ(KindOf(A("172.32.0.1")), AddressKind::kPublic);
  EXPECT_EQ(KindOf(A("2a00:1450::1")), AddressKind::kPublic);
}

Result<std::optional<RegionCacheConfig>> Config(std::string_view toml) {
  MV_ASSIGN_OR_RETURN(ConfigValue doc, ParseToml(toml, "mv.toml"));
  return ReadRegionCacheConfig(doc);
}

constexpr std::string_view kConfig = R"(
[server]
trusted_proxies = ["127.0.0.1/32", "10.9.0.0/16"]

[regioncache]
allow = ["https://artifacts.example.org/pub/", "http://127.0.0.1:8081/"]
default_region = "eu"
wait = "5s"

[[region]]
name = "us"
store = "s3://cache-us/?endpoint=http://127.0.0.1:7480"
budget = "1GiB"
ttl = "1d"
cidrs = ["3.0.0.0/9", "3.5.0.0/16"]

[[region]]
name = "eu"
store = "file:///srv/cache-eu"
cidrs = ["3.5.7.0/24", "2001:db8::/32"]
redirect = "public"
public_base = "https://eu.cache.example.org"
)";

TEST(RegionConfig, ReadsEverySetting) {
  auto c = Config(kConfig);
  MV_ASSERT_OK(c);
  ASSERT_TRUE(c->has_value());
  const RegionCacheConfig& rc = **c;
  ASSERT_EQ(rc.regions.size(), 2u);
  EXPECT_EQ(rc.regions[0].budget, 1ull << 30);
  EXPECT_EQ(rc.regions[0].ttl, std::chrono::hours(24));
  EXPECT_EQ(rc.regions[0].redirect, RedirectMode::kPresigned);
  EXPECT_EQ(rc.regions[1].redirect, RedirectMode::kPublic);
  EXPECT_EQ(rc.regions[1].public_base, "https://eu.cache.example.org/");
  EXPECT_EQ(rc.wait, std::chrono::seconds(5));
  EXPECT_EQ(rc.trusted_proxies.size(), 2u);
  EXPECT_EQ(rc.Find("eu"), &rc.regions[1]);
  auto none = Config("store = \"file:///x\"\n");
  MV_ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
}

TEST(RegionConfig, RefusalsNameWhatAndWhere) {
  const std::pair<const char*, const char*> cases[] = {
      {"[[region]]\nname = \"a\"\n", "needs a store"},
      {"[[region]]\nname = \"a\"\nstore = \"file:///x\"\ncidrs = [\"10.0.0.1/8\"]\n", "10.0.0.0/8"},
      {"[[region]]\nname = \"a\"\nstore = \"file:///x\"\nredirect = \"public\"\n", "public_base"},
      {"[[region]]\nname = \"a\"\nstore = \"file:///x\"\nredirect = \"sideways\"\n", "sideways"},
      {"[[region]]\nname = \"a\"\nstore = \"file:///x\"\n[[region]]\nname = \"a\"\nstore = "
       "\"file:///y\"\n",
       "second"},
      {"[[region]]\nname = \"auto\"\nstore = \"file:///x\"\n", "auto"},
      {"[[region]]\nname = \"a\"\nstore = \"file:///x\"\nbudgit = 1\n", "budgit"},
      {"[regioncache]\ndefault_region = \"nowhere\"\n", "nowhere"},
      {"[regioncache]\nallow = [\"ftp://x/\"]\n", "ftp://x/"},
      {"[regioncache]\nstate = \"memcached://x\"\n", "redis://"},
  };
  for (const auto& [toml, says] : cases) {
    auto c = Config(toml);
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_NE(c.status().message().find(says), std::string::npos) << c.status().ToString();
    EXPECT_NE(c.status().message().find("mv.toml"), std::string::npos) << c.status().ToString();
  }
}

TEST(RegionMap, LongestPrefixDefaultAndTrustedProxies) {
  auto c = Config(kConfig);
  MV_ASSERT_OK(c);
  RegionMap map(**c);
  EXPECT_EQ(map.RegionFor(A("3.1.2.3"), "").value(), "us");
  EXPECT_EQ(map.RegionFor(A("3.5.7.9"), "").value(), "eu") << "the /24 beats the /16 and /9";
  EXPECT_EQ(map.RegionFor(A("3.5.8.9"), "").value(), "us");
  EXPECT_EQ(map.RegionFor(A("2001:db8::7"), "").value(), "eu");
  EXPECT_EQ(map.RegionFor(A("8.8.8.8"), "").value(), "eu") << "the default";
  // X-Forwarded-For counts only from a trusted proxy, read from the right past trusted hops.
  EXPECT_EQ(map.RegionFor(A("8.8.8.8"), "3.1.2.3").value(), "eu") << "forged by a client";
  EXPECT_EQ(map.RegionFor(A("127.0.0.1"), "3.1.2.3").value(), "us");
  EXPECT_EQ(map.ClientAddress(A("127.0.0.1"), "3.5.7.1, 3.1.2.3, 10.9.1.1"), A("3.1.2.3"));
  EXPECT_EQ(map.ClientAddress(A("127.0.0.1"), "garbage, 10.9.1.1"), A("10.9.1.1"));
  EXPECT_EQ(map.ClientAddress(A("127.0.0.1"), ""), A("127.0.0.1"));
  RegionCacheConfig no_default = **c;
  no_default.default_region.clear();
  EXPECT_TRUE(RegionMap(no_default).RegionFor(A("8.8.8.8"), "").status().IsNotFound());
}

TEST(OriginPolicy, AllowListSchemesAndAddresses) {
  auto p = OriginPolicy::FromAllowList(
      {"https://artifacts.example.org/pub", "http://127.0.0.1:8081/", "https://localhost/x/"});
  MV_ASSERT_OK(p);
  auto ok = p->CheckUrl("HTTPS://Artifacts.Example.org:443/pub/a/../b%7e.tar?x=1");
  MV_ASSERT_OK(ok);
  EXPECT_EQ(ok->url, "https://artifacts.example.org/pub/b~.tar?x=1");
  EXPECT_EQ(ok->port, 443);
  MV_EXPECT_OK(p->CheckUrl("https://artifacts.example.org/pub"));
  // Found by the fuzzer: a URL without a path is "/" and normalises to itself.
  auto bare = p->CheckUrl("http://127.0.0.1:8081");
  MV_ASSERT_OK(bare);
  EXPECT_EQ(bare->url, "http://127.0.0.1:8081/");
  EXPECT_EQ(p->CheckUrl(bare->url)->url, bare->url);
  for (const char* refused : {
           "https://artifacts.example.org/public/x",  // not at a boundary
           "https://artifacts.example.org.evil.example/pub/x",
           "http://artifacts.example.org/pub/x",               // plain HTTP under an https entry
           "https://user:pw@artifacts.example.org/pub/x",      // credentials
           "https://artifacts.example.org/pub/../etc/passwd",  // normalised out of the prefix
           "https://169.254.169.254/latest/meta-data/",
           "http://127.0.0.1:8082/x",  // another port
           "file:///etc/passwd",
       }) {
    auto r = p->CheckUrl(refused);
    ASSERT_FALSE(r.ok()) << refused;
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  }
  EXPECT_NE(p->CheckUrl("http://artifacts.example.org/pub/x")
                .status()
                .message()
                .find("plain HTTP is refused"),
            std::string::npos);
  EXPECT_NE(p->CheckUrl("https://artifacts.example.org/public/x")
                .status()
                .message()
                .find("not under any allowed prefix"),
            std::string::npos);
  EXPECT_EQ(p->CheckUrl("not a url").status().code(), StatusCode::kInvalidArgument);
  // Addresses: public ones pass; others only when the entry names them.
  MV_EXPECT_OK(p->CheckAddress(*ok, A("93.184.216.34")));
  for (const char* inner : {"127.0.0.1", "10.0.0.5", "169.254.169.254", "::1", "0.0.0.0"}) {
    EXPECT_EQ(p->CheckAddress(*ok, A(inner)).code(), StatusCode::kPermissionDenied) << inner;
  }
  auto loop = p->CheckUrl("http://127.0.0.1:8081/files/a");
  MV_ASSERT_OK(loop);
  MV_EXPECT_OK(p->CheckAddress(*loop, A("127.0.0.1")));
  EXPECT_FALSE(p->CheckAddress(*loop, A("127.0.0.2")).ok()) << "named 127.0.0.1 only";
  auto local = p->CheckUrl("https://localhost/x/y");
  MV_ASSERT_OK(local);
  MV_EXPECT_OK(p->CheckAddress(*local, A("::1")));
  EXPECT_FALSE(p->CheckAddress(*local, A("10.0.0.1")).ok());
  EXPECT_FALSE(OriginPolicy::FromAllowList({"gopher://x/"}).ok());
}

}  // namespace
}  // namespace mv::regioncache
