// MirrorUpstream on a scripted upstream (tests/support/scripted_http_client.h) into a memory
// store: what a run holds, which contents are downloaded and which are known, and that a file
// that does not match its index commits nothing. The real client against nginx, signatures and
// the fault proxy are in tests/integration/mirror_test.sh.
#include "importer/mirror.h"

#include <gtest/gtest.h>

#include "importer/import_test_util.h"
#include "store/memory_store.h"
#include "support/scripted_http_client.h"
#include "util/clock.h"
#include "util/hash.h"

namespace mv::testing {
namespace {

constexpr const char* kUpstream = "http://up.example/debian/";

class MirrorUpstreamTest : public ImportFixture {
 protected:
  void SetUp() override {
    ImportFixture::SetUp();
    memory_ = store::MakeMemoryStore();
    http_->SetUnscripted({.status = 404});
  }

  // A suite "bookworm" with main/binary-amd64/Packages naming `debs` (name: content).
  void ServeSuite(const std::vector<std::pair<std::string, std::string>>& debs) {
    std::string packages;
    for (const auto& [name, content] : debs) {
      const std::string path =
          "pool/main/" + name.substr(0, 1) + "/" + name + "/" + name + "_1.0_amd64.deb";
      packages += "Package: " + name + "\nVersion: 1.0\nArchitecture: amd64\nFilename: " + path +
                  "\nSize: " + std::to_string(content.size()) + "\nSHA256: " + Sha256Hex(content) +
                  "\n\n";
      Serve(path, content);
    }
    Serve("dists/bookworm/main/binary-amd64/Packages", packages);
    Serve("dists/bookworm/Release",
          "Suite: bookworm\nDate: Sat, 10 Jun 2023 09:00:00 UTC\nComponents: main\n"
          "Architectures: amd64\nSHA256:\n " +
              Sha256Hex(packages) + " " + std::to_string(packages.size()) +
              " main/binary-amd64/Packages\n");
  }

  void Serve(const std::string& path, std::string body) {
    http_->Serve(kUpstream + path, {.status = 200, .body = std::move(body)});
  }

  Result<importer::MirrorSummary> Mirror(const std::string& run_id) {
    importer::MirrorOptions options{
        .archive = "debian", .upstream = kUpstream, .suites = {"bookworm"}, .no_verify = true};
    options.run_id = RunId::Parse(run_id).value();
    options.fetch.retry.clock = &clock_;  // retries sleep without waiting
    return importer::MirrorUpstream(memory_, *catalog_, http_, options);
  }

  std::string ReadRunFile(const archive::RunRecord& run, const std::string& path) {
    return ImportFixture::ReadRunFile(run.root, path, memory_);
  }

  size_t PoolRequests() const {
    size_t n = 0;
    for (const std::string& url : http_->urls()) n += url.find("/pool/") != std::string::npos;
    return n;
  }

  std::shared_ptr<store::ObjectStore> memory_;
  std::shared_ptr<ScriptedHttpClient> http_ = std::make_shared<ScriptedHttpClient>();
  ManualClock clock_;
};

TEST_F(MirrorUpstreamTest, MirrorsTheSuiteAndDownloadsOnlyNewContents) {
  ServeSuite({{"hello", "deb hello 1.0"}, {"apt", "deb apt 2.6"}});
  auto first = Mirror("20240101T000000Z");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->index_files, 2u);  // Release, Packages
  EXPECT_EQ(first->pool_files, 2u);
  EXPECT_EQ(first->pool_bytes, 13u + 11u);
  EXPECT_EQ(first->downloaded_files, 4u);
  EXPECT_EQ(first->known_files, 0u);
  EXPECT_EQ(first->record.files, 4u);
  EXPECT_EQ(first->record.new_files, 4u);
  EXPECT_EQ(first->record.source.kind, "upstream");
  EXPECT_EQ(first->record.source.details.at("signed_by/bookworm"), "unverified");
  EXPECT_EQ(first->record.source.details.at("selection"), "complete");
  EXPECT_EQ(ReadRunFile(first->record, "pool/main/h/hello/hello_1.0_amd64.deb"), "deb hello 1.0");
  EXPECT_EQ(PoolRequests(), 2u);

  // Again, with one package more: only its content is fetched; the rest is known.
  ServeSuite({{"hello", "deb hello 1.0"}, {"apt", "deb apt 2.6"}, {"zsh", "deb zsh 5.9"}});
  http_->ClearRequests();
  auto second = Mirror("20240102T000000Z");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->pool_files, 3u);
  EXPECT_EQ(second->downloaded_files, 3u);  // Release, Packages (both changed), zsh
  EXPECT_EQ(second->known_files, 2u);
  EXPECT_EQ(second->record.new_files, 3u);
  EXPECT_EQ(second->record.parent, first->record.run_id);
  EXPECT_EQ(PoolRequests(), 1u);
  EXPECT_EQ(ReadRunFile(second->record, "pool/main/z/zsh/zsh_1.0_amd64.deb"), "deb zsh 5.9");

  // The same upstream once more: nothing is downloaded.
  http_->ClearRequests();
  auto third = Mirror("20240103T000000Z");
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->downloaded_files, 0u);
  EXPECT_EQ(third->record.new_files, 0u);
  EXPECT_EQ(third->record.root, second->record.root);
  EXPECT_EQ(PoolRequests(), 0u);
}

TEST_F(MirrorUpstreamTest, AFileThatDoesNotMatchItsIndexCommitsNothing) {
  ServeSuite({{"hello", "deb hello 1.0"}});
  Serve("pool/main/h/hello/hello_1.0_amd64.deb", "deb hellO 1.0");  // the same size, other bytes
  auto got = Mirror("20240101T000000Z");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption) << got.status().ToString();
  EXPECT_NE(got.status().message().find("SHA-256 mismatch"), std::string::npos)
      << got.status().ToString();
  auto latest = catalog_->LatestRun("debian");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_FALSE(latest->has_value());
}

TEST_F(MirrorUpstreamTest, AReleaseWithoutItsListedIndexIsRefused) {
  ServeSuite({{"hello", "deb hello 1.0"}});
  http_->Serve(std::string(kUpstream) + "dists/bookworm/main/binary-amd64/Packages",
               {.status = 404});
  auto got = Mirror("20240101T000000Z");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsNotFound()) << got.status().ToString();
  EXPECT_NE(got.status().message().find("is listed in the Release but the upstream does not serve"),
            std::string::npos)
      << got.status().ToString();
}

TEST_F(MirrorUpstreamTest, InstallerPackagesNameUdebsUnlessLeftOut) {
  const std::string udeb = "udeb udpkg 1.21";
  const std::string upath = "pool/main/u/udpkg/udpkg_1.21_amd64.udeb";
  const std::string di = "Package: udpkg\nVersion: 1.21\nArchitecture: amd64\nFilename: " + upath +
                         "\nSize: " + std::to_string(udeb.size()) + "\nSHA256: " + Sha256Hex(udeb) +
                         "\n\n";
  const std::string cnf = "suite: bookworm\n";
  Serve(upath, udeb);
  Serve("dists/bookworm/main/debian-installer/binary-amd64/Packages", di);
  Serve("dists/bookworm/main/cnf/Commands-amd64", cnf);
  Serve("dists/bookworm/Release",
        "Suite: bookworm\nDate: Sat, 10 Jun 2023 09:00:00 UTC\nComponents: main\n"
        "Architectures: amd64\nSHA256:\n " +
            Sha256Hex(cnf) + " " + std::to_string(cnf.size()) + " main/cnf/Commands-amd64\n " +
            Sha256Hex(di) + " " + std::to_string(di.size()) +
            " main/debian-installer/binary-amd64/Packages\n");
  auto all = Mirror("20240101T000000Z");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(ReadRunFile(all->record, upath), udeb);
  EXPECT_EQ(ReadRunFile(all->record, "dists/bookworm/main/cnf/Commands-amd64"), cnf);
  EXPECT_EQ(all->record.source.details.count("without"), 0u);

  importer::MirrorOptions options{.archive = "debian",
                                  .upstream = kUpstream,
                                  .suites = {"bookworm"},
                                  .without = {"udeb", "cnf"},
                                  .no_verify = true};
  options.run_id = RunId::Parse("20240102T000000Z").value();
  auto without = importer::MirrorUpstream(memory_, *catalog_, http_, options);
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_EQ(without->pool_files, 0u);
  EXPECT_EQ(without->record.files, 2u);  // Release, the installer's Packages
  EXPECT_EQ(without->record.source.details.at("without"), "cnf,udeb");

  options.without = {"apt-file"};
  options.run_id = RunId::Parse("20240103T000000Z").value();
  auto bad = importer::MirrorUpstream(memory_, *catalog_, http_, options);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("unknown part 'apt-file'"), std::string::npos)
      << bad.status().ToString();
}

TEST_F(MirrorUpstreamTest, AFlatRepositoryIsReadFromItsFolder) {
  const std::string deb = "deb hello 1.0";
  const std::string packages = "Package: hello\nVersion: 1.0\nArchitecture: all\nFilename: " +
                               std::string("pool/hello_1.0_all.deb\nSize: ") +
                               std::to_string(deb.size()) + "\nSHA256: " + Sha256Hex(deb) + "\n\n";
  Serve("pool/hello_1.0_all.deb", deb);
  Serve("Packages", packages);
  Serve("Release", "Date: Sat, 10 Jun 2023 09:00:00 UTC\nSHA256:\n " + Sha256Hex(packages) + " " +
                       std::to_string(packages.size()) + " Packages\n");
  importer::MirrorOptions options{
      .archive = "flat", .upstream = kUpstream, .suites = {"./"}, .no_verify = true};
  options.run_id = RunId::Parse("20240101T000000Z").value();
  auto got = importer::MirrorUpstream(memory_, *catalog_, http_, options);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->record.files, 3u);
  EXPECT_EQ(ReadRunFile(got->record, "Packages"), packages);
  EXPECT_EQ(ReadRunFile(got->record, "pool/hello_1.0_all.deb"), deb);
}

}  // namespace
}  // namespace mv::testing
