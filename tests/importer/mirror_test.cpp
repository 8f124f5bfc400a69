// MirrorUpstream on a scripted upstream (tests/support/scripted_http_client.h) into a memory
// store: what a run holds, which contents are downloaded and which are known, and that a file
// that does not match its index commits nothing. The real client against nginx, signatures and
// the fault proxy are in tests/integration/mirror_test.sh.
#include "importer/mirror.h"

#include <gmock/gmock.h>
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
  // `extra`: a paragraph appended to the Packages as it is.
  void ServeSuite(const std::vector<std::pair<std::string, std::string>>& debs,
                  const std::string& extra = "") {
    std::string packages;
    for (const auto& [name, content] : debs) {
      const std::string path =
          "pool/main/" + name.substr(0, 1) + "/" + name + "/" + name + "_1.0_amd64.deb";
      packages += "Package: " + name + "\nVersion: 1.0\nArchitecture: amd64\nFilename: " + path +
                  "\nSize: " + std::to_string(content.size()) + "\nSHA256: " + Sha256Hex(content) +
                  "\n\n";
      Serve(path, content);
    }
    packages += extra;
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

// A run is made by editing the previous run's tree: only the pool folders of the paragraphs that
// came or went are made anew. Whatever changed between runs (a version replaced, an arch:all
// package dropped from one index while another still names it, a package moved to another folder,
// a folder emptied, an index gone and back, Sources beside Packages), the run is the very tree a
// mirror of that upstream into an empty store makes.
TEST_F(MirrorUpstreamTest, AnEditedRunIsTheTreeAFreshMirrorMakes) {
  struct Deb {
    std::string name, version, arch, folder;
  };
  // index ("amd64", "arm64", "source") -> what it lists
  using State = std::map<std::string, std::vector<Deb>>;
  auto serve = [&](const State& state) {
    std::string listed;
    for (const auto& [index, debs] : state) {
      std::string text;
      for (const Deb& d : debs) {
        const std::string dir = "pool/main/" + d.folder;
        if (index == "source") {
          const std::string dsc = d.name + "_" + d.version + ".dsc";
          const std::string content = "dsc " + d.name + " " + d.version;
          Serve(dir + "/" + dsc, content);
          text += "Package: " + d.name + "\nVersion: " + d.version + "\nDirectory: " + dir +
                  "\nChecksums-Sha256:\n " + Sha256Hex(content) + " " +
                  std::to_string(content.size()) + " " + dsc + "\n\n";
          continue;
        }
        const std::string path = dir + "/" + d.name + "_" + d.version + "_" + d.arch + ".deb";
        const std::string content = "deb " + d.name + " " + d.version + " " + d.arch;
        Serve(path, content);
        text += "Package: " + d.name + "\nVersion: " + d.version + "\nArchitecture: " + d.arch +
                "\nFilename: " + path + "\nSize: " + std::to_string(content.size()) +
                "\nSHA256: " + Sha256Hex(content) + "\n\n";
      }
      const std::string at =
          index == "source" ? "main/source/Sources" : "main/binary-" + index + "/Packages";
      Serve("dists/bookworm/" + at, text);
      listed += " " + Sha256Hex(text) + " " + std::to_string(text.size()) + " " + at + "\n";
    }
    Serve("dists/bookworm/Release",
          "Suite: bookworm\nDate: Sat, 10 Jun 2023 09:00:00 UTC\nComponents: main\n"
          "Architectures: amd64 arm64\nSHA256:\n" +
              listed);
  };
  auto options_for = [&](const std::string& run_id) {
    importer::MirrorOptions options{.archive = "debian",
                                    .upstream = kUpstream,
                                    .suites = {"bookworm"},
                                    .sources = true,
                                    .no_verify = true};
    options.run_id = RunId::Parse(run_id).value();
    options.fetch.retry.clock = &clock_;
    return options;
  };
  const Deb hello1{"hello", "1", "amd64", "h/hello"}, hello1arm{"hello", "1", "arm64", "h/hello"},
      common{"common", "1", "all", "c/common"}, lib{"libx", "1", "amd64", "libx/libx"},
      hello2{"hello", "2", "amd64", "h/hello"}, zsh{"zsh", "1", "amd64", "z/zsh"},
      moved{"zsh", "1", "arm64", "z/zsh-moved"};
  const std::vector<State> states = {
      {{"amd64", {hello1, common, lib}}, {"arm64", {hello1arm, common}}, {"source", {hello1}}},
      // hello 2 beside hello 1's folder, common left only in arm64's index, zsh new
      {{"amd64", {hello2, lib, zsh}}, {"arm64", {hello1arm, common}}, {"source", {hello2}}},
      // arm64's index gone: hello 1 for arm64 and common with it
      {{"amd64", {hello2, lib, zsh}}, {"source", {hello2}}},
      // arm64 back with zsh in another folder; libx gone, its folders with it
      {{"amd64", {hello2, zsh}}, {"arm64", {moved, common}}, {"source", {hello2}}},
      // no Sources any more
      {{"amd64", {hello2, zsh}}, {"arm64", {moved}}},
  };
  const char* ids[] = {"20240101T000000Z", "20240102T000000Z", "20240103T000000Z",
                       "20240104T000000Z", "20240105T000000Z"};
  for (size_t i = 0; i < states.size(); ++i) {
    serve(states[i]);
    auto edited = importer::MirrorUpstream(memory_, *catalog_, http_, options_for(ids[i]));
    ASSERT_TRUE(edited.ok()) << edited.status().ToString();
    EXPECT_EQ(edited->pool_folders_rebuilt.has_value(), i > 0) << "run " << i;

    auto db = db::OpenDatabase("sqlite://" + tmp_.path() + "/fresh" + std::to_string(i) + ".db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto catalog = archive::Catalog::Open(*db);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    auto fresh =
        importer::MirrorUpstream(store::MakeMemoryStore(), **catalog, http_, options_for(ids[i]));
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    EXPECT_FALSE(fresh->pool_folders_rebuilt.has_value());
    EXPECT_EQ(archive::ToHex(edited->record.root), archive::ToHex(fresh->record.root))
        << "run " << i;
    EXPECT_EQ(edited->record.files, fresh->record.files);
    EXPECT_EQ(edited->pool_files, fresh->pool_files);
  }
  auto report = archive::Fsck(*memory_, catalog_.get(), {.deep = true}, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const auto& p : report->problems) ADD_FAILURE() << p.where << ": " << p.what;
}

// Only the folders of what changed are made anew: one package of many replaced.
TEST_F(MirrorUpstreamTest, AnEditedRunRebuildsOnlyTheFoldersThatChanged) {
  std::vector<std::pair<std::string, std::string>> debs;
  for (int i = 0; i < 50; ++i)
    debs.push_back({"pkg" + std::to_string(i), "deb " + std::to_string(i)});
  ServeSuite(debs);
  ASSERT_TRUE(Mirror("20240101T000000Z").ok());
  debs[7].second = "deb 7 again";
  ServeSuite(debs);
  http_->ClearRequests();
  auto second = Mirror("20240102T000000Z");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE(second->pool_folders_rebuilt.has_value());
  EXPECT_EQ(*second->pool_folders_rebuilt, 1u);  // pool/main/p/pkg7
  EXPECT_EQ(second->known_files, 49u);
  EXPECT_EQ(PoolRequests(), 1u);
  EXPECT_EQ(ReadRunFile(second->record, "pool/main/p/pkg7/pkg7_1.0_amd64.deb"), "deb 7 again");
  EXPECT_EQ(ReadRunFile(second->record, "pool/main/p/pkg8/pkg8_1.0_amd64.deb"), "deb 8");
}

// While a run is edited, the unchanged paragraphs are read for their pool files alone; a
// paragraph that came is parsed whole, and one the full parse refuses (here: no Version, which
// the pool files alone do not need) refuses the run as a mirror into an empty store would.
TEST_F(MirrorUpstreamTest, AnEditedRunRefusesANewParagraphTheFullParseRefuses) {
  std::vector<std::pair<std::string, std::string>> debs;
  for (int i = 0; i < 5; ++i)
    debs.push_back({"pkg" + std::to_string(i), "deb " + std::to_string(i)});
  ServeSuite(debs);
  ASSERT_TRUE(Mirror("20240101T000000Z").ok());
  auto latest = catalog_->LatestRun("debian");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  const std::string first = latest->value().run_id.ToString();
  const std::string content = "deb new";
  const std::string path = "pool/main/n/new/new_1.0_amd64.deb";
  Serve(path, content);
  ServeSuite(debs, "Package: new\nArchitecture: amd64\nFilename: " + path + "\nSize: " +
                       std::to_string(content.size()) + "\nSHA256: " + Sha256Hex(content) + "\n");
  auto second = Mirror("20240102T000000Z");
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), ::testing::HasSubstr("has no Version field"));
  latest = catalog_->LatestRun("debian");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ(latest->value().run_id.ToString(), first);  // nothing committed
}

}  // namespace
}  // namespace mv::testing
