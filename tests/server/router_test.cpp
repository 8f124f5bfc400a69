#include "server/router.h"

#include <gtest/gtest.h>

namespace mv::server {
namespace {

template <typename T>
T Expect(std::string_view target) {
  auto got = MatchRoute(target);
  if (auto* err = std::get_if<RouteError>(&got)) {
    ADD_FAILURE() << target << ": " << err->status << " " << err->reason;
    return T{};
  }
  const Route& r = std::get<Route>(got);
  if (!std::holds_alternative<T>(r)) {
    ADD_FAILURE() << target << ": another route (index " << r.index() << ")";
    return T{};
  }
  return std::get<T>(r);
}

RouteError Refused(std::string_view target) {
  auto got = MatchRoute(target);
  if (auto* err = std::get_if<RouteError>(&got)) return *err;
  ADD_FAILURE() << target << " was routed";
  return {};
}

TEST(Router, ArchivePathsAsAptAsksForThem) {
  ArchiveRoute a =
      Expect<ArchiveRoute>("/archive/debian/20240229T153000Z/dists/bookworm/InRelease");
  EXPECT_EQ(a.archive, "debian");
  EXPECT_EQ(a.timestamp, "20240229T153000Z");
  EXPECT_EQ(a.path, "dists/bookworm/InRelease");
  EXPECT_FALSE(a.trailing_slash);
  ArchiveRoute d = Expect<ArchiveRoute>("/archive/debian/now/pool/main/");
  EXPECT_EQ(d.path, "pool/main");
  EXPECT_TRUE(d.trailing_slash);
  ArchiveRoute root = Expect<ArchiveRoute>("/archive/debian/20240229/");
  EXPECT_EQ(root.path, "");
  // apt escapes '+' and '~' in pool names: taken as written or decoded.
  EXPECT_EQ(Expect<ArchiveRoute>("/archive/d/now/pool/libstdc%2B%2B6_1%7E2.deb").path,
            "pool/libstdc++6_1~2.deb");
  EXPECT_EQ(Expect<ArchiveRoute>("/archive/d/now/pool/libstdc++6.deb?x=1").path,
            "pool/libstdc++6.deb");
  EXPECT_EQ(Expect<ArchiveRunsRoute>("/archive/debian/").archive, "debian");
  // A flat repository's "./" (apt asks for URI/./Release): the "." is dropped.
  EXPECT_EQ(Expect<ArchiveRoute>("/archive/d/now/./Release").path, "Release");
  EXPECT_EQ(Expect<ArchiveRoute>("/archive/d/now/sub/./Packages.xz").path, "sub/Packages.xz");
}

TEST(Router, TraversalInEverySpellingIsRefused) {
  for (const char* t : {"/archive/d/now/../../etc/passwd", "/archive/d/now/%2e%2e/x",
                        "/archive/d/now/a/%2E%2E/b", "/archive/d/now/a%2fb", "/archive/d/now/a%2Fb",
                        "/archive/d/now/a%5cb", "/archive/d/now/a\\b", "/archive/d/now/a%00b",
                        "/archive/d/now/%2e/a", "/archive/d/now/a//b", "/archive/d/now/%zz",
                        "/archive/d/now/%ff%fe", "/archive/d/now/a%0ab"}) {
    EXPECT_EQ(Refused(t).status, 400) << t;
  }
  EXPECT_EQ(Refused(std::string(kMaxTarget + 1, 'a').insert(0, "/")).status, 414);
  EXPECT_EQ(Refused("archive/x").status, 400);
  EXPECT_EQ(Refused("/nothing/here").status, 404);
}

TEST(Router, SnapshotMachineReadableApi) {
  EXPECT_EQ(Expect<MrRoute>("/mr/package/").kind, MrRoute::Kind::kPackages);
  MrRoute v = Expect<MrRoute>("/mr/package/hello/");
  EXPECT_EQ(v.kind, MrRoute::Kind::kPackageVersions);
  EXPECT_EQ(v.package, "hello");
  MrRoute src = Expect<MrRoute>("/mr/package/hello/2.10-3/srcfiles?fileinfo=1");
  EXPECT_EQ(src.kind, MrRoute::Kind::kSrcFiles);
  EXPECT_EQ(src.version, "2.10-3");
  EXPECT_TRUE(src.fileinfo);
  EXPECT_FALSE(Expect<MrRoute>("/mr/package/hello/2.10-3/srcfiles").fileinfo);
  EXPECT_EQ(Expect<MrRoute>("/mr/package/hello/2.10-3/binpackages").kind,
            MrRoute::Kind::kBinPackages);
  EXPECT_EQ(Expect<MrRoute>("/mr/package/hello/2.10-3/allfiles").kind, MrRoute::Kind::kAllFiles);
  MrRoute bf = Expect<MrRoute>("/mr/package/gcc-12/12.2.0-14/binfiles/libstdc%2B%2B6/12.2.0-14");
  EXPECT_EQ(bf.kind, MrRoute::Kind::kBinFiles);
  EXPECT_EQ(bf.binary, "libstdc++6");
  EXPECT_EQ(bf.binary_version, "12.2.0-14");
  EXPECT_EQ(Expect<MrRoute>("/mr/binary/libc6/").kind, MrRoute::Kind::kBinary);
  MrRoute b = Expect<MrRoute>("/mr/binary/libc6/2.36-9/binfiles");
  EXPECT_EQ(b.kind, MrRoute::Kind::kBinaryFiles);
  EXPECT_EQ(b.binary_version, "2.36-9");
  MrRoute f = Expect<MrRoute>("/mr/file/" + std::string(40, 'A') + "/info");
  EXPECT_EQ(f.kind, MrRoute::Kind::kFileInfo);
  EXPECT_EQ(f.hash, std::string(40, 'a'));
  EXPECT_EQ(Refused("/mr/file/xyz/info").status, 400);
  MrRoute ts = Expect<MrRoute>("/mr/timestamp/?archive=debian&after=20240101");
  EXPECT_EQ(ts.kind, MrRoute::Kind::kTimestamps);
  EXPECT_EQ(ts.archive, std::optional<std::string>("debian"));
  EXPECT_EQ(ts.after, std::optional<std::string>("20240101"));
  EXPECT_FALSE(ts.before.has_value());
  EXPECT_EQ(Refused("/mr/package/hello/1/nothing").status, 404);
}

TEST(Router, OtherPages) {
  Expect<HomeRoute>("/");
  Expect<HealthRoute>("/healthz");
  Expect<MetricsRoute>("/metrics");
  EXPECT_EQ(Expect<PackagePageRoute>("/package/hello/").name, "hello");
  EXPECT_TRUE(Expect<PackagePageRoute>("/package/hello/").trailing_slash);
  EXPECT_FALSE(Expect<PackagePageRoute>("/package/hello").trailing_slash);
  EXPECT_EQ(Expect<PackageSearchRoute>("/package/?q=he%20llo").query, "he llo");
  EXPECT_EQ(Expect<PackageSearchRoute>("/package/").query, "");
  EXPECT_FALSE(Expect<ArchiveRunsRoute>("/archive/debian").trailing_slash);
  EXPECT_EQ(Expect<MrRoute>("/mr/package/hello/1.0/runs").kind, MrRoute::Kind::kRuns);
  EXPECT_EQ(Expect<FileRoute>("/file/" + std::string(64, 'F')).hash, std::string(64, 'f'));
  EXPECT_EQ(Refused("/file/" + std::string(63, 'f')).status, 400);
}

TEST(Router, RegionRedirectsAdminAndServicePage) {
  RedirectRoute f = Expect<RedirectRoute>("/redirect/v1/eu-west/file/" + std::string(40, 'A'));
  EXPECT_EQ(f.region, "eu-west");
  EXPECT_EQ(f.kind, RedirectRoute::Kind::kFile);
  EXPECT_EQ(f.hash, std::string(40, 'a'));
  RedirectRoute a = Expect<RedirectRoute>("/redirect/v1/auto/archive/debian/now/pool/a%2Bb.deb");
  EXPECT_EQ(a.region, "auto");
  EXPECT_EQ(a.kind, RedirectRoute::Kind::kArchive);
  EXPECT_EQ(a.archive.archive, "debian");
  EXPECT_EQ(a.archive.timestamp, "now");
  EXPECT_EQ(a.archive.path, "pool/a+b.deb");
  EXPECT_EQ(Refused("/redirect/v1/eu/file/123").status, 400);
  EXPECT_EQ(Refused("/redirect/v1/eu/archive/debian/now/../../x").status, 400);
  EXPECT_EQ(Refused("/redirect/v2/eu/file/" + std::string(40, 'a')).status, 404);
  EXPECT_EQ(Refused("/redirect/v1/eu/archive/debian").status, 404);
  RedirectRoute u = Expect<RedirectRoute>(
      "/redirect/v1/eu/url?u=https%3A%2F%2Fa.example%2Fx%3Fy%3D1%26z&other=2");
  EXPECT_EQ(u.kind, RedirectRoute::Kind::kUrl);
  EXPECT_EQ(u.url, "https://a.example/x?y=1&z");
  EXPECT_EQ(Refused("/redirect/v1/eu/url").status, 400);
  EXPECT_EQ(Refused("/redirect/v1/eu/url?u=").status, 400);
  EXPECT_EQ(Refused("/redirect/v1/eu/url/x?u=https%3A%2F%2Fa.example%2F").status, 404);
  AdminRoute admin = Expect<AdminRoute>("/admin/jobs/12/retry?x=1");
  EXPECT_EQ(admin.segments, (std::vector<std::string>{"jobs", "12", "retry"}));
  EXPECT_EQ(admin.query, "x=1");
  EXPECT_EQ(QueryParam("a=1&b=x%20y", "b"), std::optional<std::string>("x y"));
  Expect<JobsPageRoute>("/jobs/");
}

}  // namespace
}  // namespace mv::server
