// A fixture for tests that need runs with package indexes: a suite written as a local mirror
// tree (binary packages in main/binary-amd64/Packages, sources in main/source/Sources, a Release
// listing both), imported with the package index updated.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "importer/import_test_util.h"
#include "pkgindex/package_index.h"
#include "util/hash.h"

namespace mv::testing {

struct Pkg {
  std::string name, version, source;  // source "" : the same as name
};

class SuiteFixture : public ImportFixture {
 protected:
  void SetUp() override {
    ImportFixture::SetUp();
    auto index = pkgindex::PackageIndex::Open(database_);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    index_ = std::move(*index);
  }

  // A suite with binary packages in main/binary-amd64/Packages and source packages in
  // main/source/Sources; the Release lists both with their SHA-256.
  void WriteSuite(const std::vector<Pkg>& binaries, const std::vector<Pkg>& sources,
                  bool sign_release = true) {
    std::filesystem::remove_all(mirror_);
    std::string packages, sources_text;
    for (const Pkg& p : binaries) {
      const std::string deb = "pool/main/" + p.name.substr(0, 1) + "/" + p.name + "/" + p.name +
                              "_" + p.version + "_amd64.deb";
      const std::string content = "deb " + p.name + " " + p.version;
      Write(deb, content);
      packages += "Package: " + p.name + "\nVersion: " + p.version + "\nArchitecture: amd64\n" +
                  (p.source.empty() ? "" : "Source: " + p.source + "\n") + "Filename: " + deb +
                  "\nSize: " + std::to_string(content.size()) + "\nSHA256: " + Sha256Hex(content) +
                  "\n\n";
    }
    for (const Pkg& s : sources) {
      const std::string dir = "pool/main/" + s.name.substr(0, 1) + "/" + s.name;
      const std::string dsc = s.name + "_" + s.version + ".dsc";
      const std::string tar = s.name + "_" + s.version + ".tar.xz";
      Write(dir + "/" + dsc, "dsc " + s.version);
      Write(dir + "/" + tar, "tar " + s.version);
      sources_text += "Package: " + s.name + "\nVersion: " + s.version + "\nDirectory: " + dir +
                      "\nChecksums-Sha256:\n " + Sha256Hex("dsc " + s.version) + " " +
                      std::to_string(("dsc " + s.version).size()) + " " + dsc + "\n " +
                      Sha256Hex("tar " + s.version) + " " +
                      std::to_string(("tar " + s.version).size()) + " " + tar + "\n\n";
    }
    Write("dists/bookworm/main/binary-amd64/Packages", packages);
    Write("dists/bookworm/main/source/Sources", sources_text);
    std::string release = "Suite: bookworm\nComponents: main\nArchitectures: amd64\n";
    if (sign_release) {
      release += "SHA256:\n " + Sha256Hex(packages) + " " + std::to_string(packages.size()) +
                 " main/binary-amd64/Packages\n " + Sha256Hex(sources_text) + " " +
                 std::to_string(sources_text.size()) + " main/source/Sources\n";
    }
    Write("dists/bookworm/Release", release);
  }

  Result<importer::ImportSummary> ImportIndexed(const std::string& run_id) {
    importer::LocalImportOptions options{.archive = "debian", .dir = mirror_};
    options.run_id = RunId::Parse(run_id).value();
    options.racy_window = std::chrono::nanoseconds(0);
    options.package_index = index_.get();
    return importer::ImportLocalTree(store_, *catalog_, options);
  }

  std::unique_ptr<pkgindex::PackageIndex> index_;
};

}  // namespace mv::testing
