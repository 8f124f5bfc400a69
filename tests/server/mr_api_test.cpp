// The /mr/ routes agree with each other on every archive, with or without Sources indexes: a
// binary-only run (the default mirror) and a run with sources, each walked both ways. From
// /mr/package/ down to every binary's files, and from every binary /mr/binary/ lists back up to
// its source's pages; a name one route lists, the others know.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <set>

#include "archive/node_source.h"
#include "pkgindex/suite_fixture.h"
#include "server/handler.h"

namespace mv::server {
namespace {

namespace json = boost::json;
using testing::Pkg;

const std::vector<Pkg> kBinaries = {{"libbsd0", "0.11.7-2", "libbsd"},
                                    {"libbsd-dev", "0.11.7-2", "libbsd"},
                                    {"libcap2-bin", "2.66-4+b1", "libcap2 (1:2.66-4)"},
                                    {"hello", "2.10-3"}};
const std::vector<Pkg> kSources = {
    {"libbsd", "0.11.7-2"}, {"libcap2", "1:2.66-4"}, {"hello", "2.10-3"}};

// The parameter: whether the run holds its Sources index.
class MrAgreementTest : public testing::SuiteFixture, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    SuiteFixture::SetUp();
    WriteSuite(kBinaries, kSources);
    if (!GetParam()) std::filesystem::remove(mirror_ + "/dists/bookworm/main/source/Sources");
    auto s = ImportIndexed("20240101T000000Z");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE(s->package_index.status.ok()) << s->package_index.status.ToString();
    view_ = std::make_unique<ArchiveView>(
        catalog_.get(), archive::MakeCachedNodeSource(store_, catalog_.get()), SystemClock());
    handler_ = std::make_unique<Handler>(
        ServeContext{*view_, *catalog_, *index_, *store_, SystemClock(), ServeOptions{}},
        &metrics_);
  }

  // The JSON of a route that must answer 200.
  json::value Ok(const std::string& target) {
    httpd::Request r;
    r.method = "GET";
    r.target = target;
    httpd::Response response = handler_->Handle(r);
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    if (response.status != 200) return json::object{{"result", json::array{}}};
    return json::parse(response.body);
  }

  static std::set<std::string> Hashes(const json::value& files) {
    std::set<std::string> out;
    for (const auto& f : files.as_array()) out.insert(std::string(f.at("sha256").as_string()));
    return out;
  }

  std::unique_ptr<ArchiveView> view_;
  ServerMetrics metrics_;
  std::unique_ptr<Handler> handler_;
};

std::string S(const json::value& v) { return std::string(v.as_string()); }

TEST_P(MrAgreementTest, FromEverySourceDownToItsBinaries) {
  json::value all = Ok("/mr/package/");
  EXPECT_EQ(json::serialize(all.at("result")),
            R"([{"package":"hello"},{"package":"libbsd"},{"package":"libcap2"}])");
  size_t binaries_seen = 0;
  for (const auto& p : all.at("result").as_array()) {
    const std::string name = S(p.at("package"));
    json::value versions = Ok("/mr/package/" + name + "/");
    ASSERT_FALSE(versions.at("result").as_array().empty()) << name;
    for (const auto& v : versions.at("result").as_array()) {
      const std::string base = "/mr/package/" + name + "/" + S(v.at("version"));
      json::value src = Ok(base + "/srcfiles");
      // Without Sources, a source known from its binaries has no files, and says so with [].
      EXPECT_EQ(src.at("result").as_array().size(), GetParam() ? 2u : 0u) << base;
      json::value allfiles = Ok(base + "/allfiles");
      EXPECT_EQ(Hashes(allfiles.at("result").at("source")), Hashes(src.at("result")));
      json::value bins = Ok(base + "/binpackages");
      ASSERT_FALSE(bins.at("result").as_array().empty()) << base;
      EXPECT_EQ(bins.at("result").as_array().size(),
                allfiles.at("result").at("binaries").as_array().size());
      for (const auto& b : bins.at("result").as_array()) {
        const std::string bname = S(b.at("name")), bversion = S(b.at("version"));
        json::value files = Ok(base + "/binfiles/" + bname + "/" + bversion + "?fileinfo=1");
        ASSERT_EQ(files.at("result").as_array().size(), 1u) << bname;
        EXPECT_EQ(S(files.at("result").at(0).at("architecture")), "amd64");
        EXPECT_EQ(files.at("fileinfo").as_object().size(), 1u);
        json::value by_binary = Ok("/mr/binary/" + bname + "/" + bversion + "/binfiles");
        EXPECT_EQ(Hashes(by_binary.at("result")), Hashes(files.at("result")));
        json::value binary = Ok("/mr/binary/" + bname + "/");
        bool names_this_source = false;
        for (const auto& r : binary.at("result").as_array()) {
          names_this_source |= S(r.at("source")) == name &&
                               S(r.at("version")) == S(v.at("version")) &&
                               S(r.at("binary_version")) == bversion;
        }
        EXPECT_TRUE(names_this_source) << bname << " " << bversion << " from " << base;
        binaries_seen += 1;
      }
    }
  }
  EXPECT_EQ(binaries_seen, kBinaries.size());
}

TEST_P(MrAgreementTest, FromEveryBinaryUpToItsSource) {
  std::set<std::string> sources;
  // (Each document is held in a variable: a range-for over a temporary's member dangles.)
  const json::value all = Ok("/mr/package/");
  for (const auto& p : all.at("result").as_array()) sources.insert(S(p.at("package")));
  for (const Pkg& pkg : kBinaries) {
    json::value binary = Ok("/mr/binary/" + pkg.name + "/");
    ASSERT_EQ(binary.at("result").as_array().size(), 1u) << pkg.name;
    const json::value& r = binary.at("result").at(0);
    const std::string source = S(r.at("source")), version = S(r.at("version"));
    EXPECT_TRUE(sources.count(source)) << source << " is not in /mr/package/";
    bool listed = false;
    const json::value versions = Ok("/mr/package/" + source + "/");
    for (const auto& v : versions.at("result").as_array()) {
      listed |= S(v.at("version")) == version;
    }
    EXPECT_TRUE(listed) << source << " " << version;
    const std::string base = "/mr/package/" + source + "/" + version;
    Ok(base + "/srcfiles");
    bool built = false;
    const json::value built_from = Ok(base + "/binpackages");
    for (const auto& b : built_from.at("result").as_array()) {
      built |= S(b.at("name")) == pkg.name && S(b.at("version")) == pkg.version;
    }
    EXPECT_TRUE(built) << pkg.name << " not in " << base << "/binpackages";
    // The request debsnap --binary makes.
    json::value files =
        Ok(base + "/binfiles/" + pkg.name + "/" + S(r.at("binary_version")) + "?fileinfo=1");
    EXPECT_EQ(files.at("result").as_array().size(), 1u);
    Ok("/mr/binary/" + pkg.name + "/" + pkg.version + "/binfiles");
  }
  // Source: with a version in parentheses names that version, not the binary's.
  json::value cap = Ok("/mr/binary/libcap2-bin/");
  EXPECT_EQ(S(cap.at("result").at(0).at("version")), "1:2.66-4");
}

INSTANTIATE_TEST_SUITE_P(BinaryOnlyAndWithSources, MrAgreementTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "WithSources" : "BinaryOnly";
                         });

}  // namespace
}  // namespace mv::server
