// Helpers for the importer tests: a scratch mirror tree, a local store and a SQLite catalog in a
// fresh folder, and one-call imports.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "archive/catalog.h"
#include "archive/fsck.h"
#include "archive/node_source.h"
#include "archive/run_view.h"
#include "db/database.h"
#include "importer/local_import.h"
#include "store/local_store.h"
#include "store/store_test_util.h"

namespace mv::testing {

class ImportFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    mirror_ = tmp_.path() + "/mirror";
    std::filesystem::create_directories(mirror_);
    auto store = store::MakeLocalStore({.root = tmp_.path() + "/store", .create = true});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = *store;
    auto db = db::OpenDatabase("sqlite://" + tmp_.path() + "/catalog.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    database_ = *db;
    auto catalog = archive::Catalog::Open(database_);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
  }

  void Write(const std::string& rel, const std::string& data, bool exec = false) {
    std::filesystem::path p = std::filesystem::path(mirror_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
    if (exec) {
      std::filesystem::permissions(p, std::filesystem::perms::owner_exec,
                                   std::filesystem::perm_options::add);
    }
  }

  Result<importer::ImportSummary> Import(const std::string& archive = "debian",
                                         std::optional<std::string> run_id = std::nullopt,
                                         std::shared_ptr<store::ObjectStore> store = nullptr) {
    importer::LocalImportOptions options{.archive = archive, .dir = mirror_};
    if (run_id) options.run_id = RunId::Parse(*run_id).value();
    options.racy_window = std::chrono::nanoseconds(0);
    return importer::ImportLocalTree(store ? store : store_, *catalog_, options);
  }

  // The bytes of the file at `path` (symlinks followed) in the run whose tree is `root`, read
  // from `store` (default: the fixture's).
  std::string ReadRunFile(const archive::Sha256& root, const std::string& path,
                          std::shared_ptr<store::ObjectStore> store = nullptr) {
    if (!store) store = store_;
    auto source = archive::MakeCachedNodeSource(store, catalog_.get());
    auto entry = archive::ResolvePath(*source, root, path);
    EXPECT_TRUE(entry.ok()) << entry.status().ToString();
    if (!entry.ok()) return "";
    auto bytes = store->GetBytes(archive::BlobKey(entry->hash));
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    return bytes.ok() ? *bytes : "";
  }

  archive::FsckReport Fsck(bool deep = true) {
    auto report = archive::Fsck(*store_, catalog_.get(), {.deep = deep}, nullptr);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    for (const auto& p : report->problems) ADD_FAILURE() << p.where << ": " << p.what;
    return *report;
  }

  store::TempDir tmp_;
  std::string mirror_;
  std::shared_ptr<store::ObjectStore> store_;
  std::shared_ptr<db::Database> database_;
  std::unique_ptr<archive::Catalog> catalog_;
};

}  // namespace mv::testing
