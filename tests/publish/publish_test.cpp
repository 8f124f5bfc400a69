// Publishing without servers: the stage of every kind of path, plans (changed files written,
// retired files kept for the grace, then deletable), the manifest's round trip and refusals, and
// the publisher on memory stores: the order of writes, a no-change publish, a change, the grace,
// a publish that fails before its InRelease and is resumed, and a dry run. What changed between
// two runs (publish/run_files.h) against a full listing of each, and the target after each of a
// series of publishes against the run's files; a publish after a small change reads only the
// changed folders; a target of format 1, and one whose published tree is gone.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <tuple>

#include "archive/ids.h"
#include "archive/memory_node_source.h"
#include "archive/run_view.h"
#include "archive/tree_builder.h"
#include "publish/manifest.h"
#include "publish/plan.h"
#include "publish/publisher.h"
#include "store/fault_injecting_store.h"
#include "store/forwarding_store.h"
#include "store/memory_store.h"
#include "util/hash.h"

namespace mv::publish {
namespace {

using namespace std::chrono_literals;

TEST(StageOf, EveryKindOfPath) {
  EXPECT_EQ(StageOf("pool/main/h/hello/hello_1.0_amd64.deb"), Stage::kContent);
  EXPECT_EQ(StageOf("dists/bookworm/main/binary-amd64/by-hash/SHA256/ab12"), Stage::kContent);
  EXPECT_EQ(StageOf("README"), Stage::kContent);
  EXPECT_EQ(StageOf("dists/bookworm/main/binary-amd64/Packages.xz"), Stage::kIndexes);
  EXPECT_EQ(StageOf("dists/bookworm/main/binary-amd64/Release"), Stage::kIndexes);
  EXPECT_EQ(StageOf("dists/bookworm/main/source/Sources.gz"), Stage::kIndexes);
  EXPECT_EQ(StageOf("dists/bookworm/main/Contents-amd64.gz"), Stage::kIndexes);
  EXPECT_EQ(StageOf("dists/bookworm/main/i18n/Translation-en.bz2"), Stage::kIndexes);
  EXPECT_EQ(StageOf("dists/bookworm/Release"), Stage::kRelease);
  EXPECT_EQ(StageOf("dists/bookworm/Release.gpg"), Stage::kRelease);
  EXPECT_EQ(StageOf("dists/bookworm/InRelease"), Stage::kRelease);
  EXPECT_EQ(StageOf("dists/bookworm/ChangeLog"), Stage::kIndexes);
  // A flat repository's Release files and indexes at the top.
  EXPECT_EQ(StageOf("InRelease"), Stage::kRelease);
  EXPECT_EQ(StageOf("Release.gpg"), Stage::kRelease);
  EXPECT_EQ(StageOf("Packages.xz"), Stage::kIndexes);
  EXPECT_EQ(StageOf("Sources"), Stage::kIndexes);
  EXPECT_EQ(StageOf("pool/Packages.xz"), Stage::kContent);
  // A derived view (mirror --filter-with-deps) is staged the same way under view/.
  EXPECT_EQ(StageOf("view/pool/main/h/hello/hello_1.0_amd64.deb"), Stage::kContent);
  EXPECT_EQ(StageOf("view/dists/bookworm/main/binary-amd64/by-hash/SHA256/ab12"), Stage::kContent);
  EXPECT_EQ(StageOf("view/dists/bookworm/main/binary-amd64/Packages.xz"), Stage::kIndexes);
  EXPECT_EQ(StageOf("view/dists/bookworm/InRelease"), Stage::kRelease);
  EXPECT_EQ(StageOf("other/dists/bookworm/InRelease"), Stage::kContent);
  EXPECT_LT(ReleaseRank("dists/b/Release"), ReleaseRank("dists/b/Release.gpg"));
  EXPECT_LT(ReleaseRank("dists/b/Release.gpg"), ReleaseRank("dists/b/InRelease"));
}

RunFile F(std::string path, std::string content) {
  return {std::move(path), archive::ParseSha256(Sha256Hex(content)).value(), content.size()};
}

const auto kT0 =
    std::chrono::system_clock::time_point(std::chrono::sys_days(std::chrono::year(2024) / 2 / 1));

FileContent C(const std::string& content) { return F("x", content).content(); }

TEST(MakePlan, WritesTheChangesAndRetiresForTheGrace) {
  Manifest current;
  current.run = "20240101T000000Z";
  current.retired["pool/older.deb"] = {F("x", "older").sha256, 5, kT0 - 23h};
  current.retired["pool/oldest.deb"] = {F("x", "oldest").sha256, 6, kT0 - 25h};
  current.retired["pool/back.deb"] = {F("x", "back").sha256, 4, kT0 - 30h};
  std::vector<FileChange> changes = {{"dists/s/InRelease", C("i0"), C("i")},
                                     {"dists/s/Release", C("r0"), C("r")},
                                     {"dists/s/main/binary-amd64/Packages", std::nullopt, C("p")},
                                     {"pool/b.deb", std::nullopt, C("b")},
                                     {"pool/back.deb", std::nullopt, C("back")},
                                     {"pool/old.deb", C("old"), std::nullopt}};
  Plan plan = MakePlan(changes, current, "debian", "20240201T000000Z", kT0, 24h);
  ASSERT_EQ(plan.stages[0].size(), 2u);  // b and back (a retired file named again is rewritten)
  ASSERT_EQ(plan.stages[1].size(), 1u);
  ASSERT_EQ(plan.stages[2].size(), 2u);
  EXPECT_EQ(plan.stages[2][0].path, "dists/s/Release");
  EXPECT_EQ(plan.stages[2][1].path, "dists/s/InRelease");
  // old.deb retired now; older.deb keeps its time (23 h < 24 h); oldest.deb is past the grace.
  EXPECT_EQ(plan.next.retired.at("pool/old.deb").since, kT0);
  EXPECT_EQ(plan.next.retired.at("pool/older.deb").since, kT0 - 23h);
  EXPECT_FALSE(plan.next.retired.contains("pool/back.deb"));
  EXPECT_EQ(plan.deletable, std::vector<std::string>{"pool/oldest.deb"});
  EXPECT_EQ(plan.upload_bytes, 1u + 1u + 1u + 1u + 4u);
}

TEST(Manifest, RoundTripAndRefusals) {
  Manifest m;
  m.archive = "debian";
  m.run = "20240201T000000Z";
  m.published = kT0;
  m.root = F("x", "root").sha256;
  m.file_count = 12;
  m.links = {"dists/stable", "dists/testing"};
  m.retired["pool/old.deb"] = {F("x", "old").sha256, 3, kT0 - 1h};
  Result<Manifest> back = DecodeManifest(EncodeManifest(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  // An in-flight record names files; a manifest without a root (format 1's) too.
  m.root.reset();
  m.files["pool/a b+c.deb"] = {F("x", "a").sha256, 1, {}};
  back = DecodeManifest(EncodeManifest(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  // Format 1, as publishes before format 2 wrote it: every file listed, counted.
  back = DecodeManifest(
      R"({"format":1,"archive":"a","run":"20240101T000000Z","published":"20240101T000000Z",)"
      R"("files":{"pool/a.deb":{"sha256":")" +
      Sha256Hex("a") + R"(","size":1}},"retired":{}})");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->file_count, 1u);
  EXPECT_FALSE(back->root);
  EXPECT_EQ(back->files.size(), 1u);
  for (
      const char* bad :
      {"", "[]", "{\"format\":2}", "{\"format\":3}",
       "{\"format\":1,\"archive\":\"a\",\"run\":\"r\"}",
       R"({"format":2,"archive":"a","run":"r","published":"20240101T000000Z","retired":{},"root":"","file_count":1})",
       R"({"format":2,"archive":"a","run":"r","published":"20240101T000000Z","retired":{},"root":"12","file_count":1,"links":[]})",
       R"({"format":2,"archive":"a","run":"r","published":"20240101T000000Z","retired":{},"root":"","file_count":-1,"links":[]})",
       R"({"format":2,"archive":"a","run":"r","published":"20240101T000000Z","retired":{},"root":"","file_count":1,"links":["../x"]})",
       R"({"format":1,"archive":"a","run":"r","published":"20240101T000000Z","retired":{}})",
       R"({"format":1,"archive":"a","run":"r","published":"yesterday","files":{},"retired":{}})",
       R"({"format":1,"archive":"a","run":"r","published":"20240101T000000Z","files":{"../x":{"sha256":"00","size":1}},"retired":{}})"}) {
    Result<Manifest> r = DecodeManifest(bad, "the manifest");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << bad;
    }
  }
}

// Records the keys written, in order.
class RecordingStore final : public store::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Status Put(const std::string& key, Reader& reader, const store::PutOptions& options) override {
    Status st = ForwardingStore::Put(key, reader, options);
    if (st.ok()) {
      std::lock_guard lock(mu_);
      keys_.push_back(key);
    }
    return st;
  }
  // A Sync() of the store is recorded as the key "<sync>".
  Status Sync() override {
    Status st = ForwardingStore::Sync();
    std::lock_guard lock(mu_);
    syncs_.push_back(keys_.size());
    return st;
  }
  std::vector<std::string> Keys() {
    std::lock_guard lock(mu_);
    return keys_;
  }
  // How many keys had been written at each Sync().
  std::vector<size_t> Syncs() {
    std::lock_guard lock(mu_);
    return syncs_;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    keys_.clear();
    syncs_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<std::string> keys_;
  std::vector<size_t> syncs_;
};

// path -> content; a content "-> TARGET" makes a symlink.
using Files = std::map<std::string, std::string>;

// A run: its files' contents go into `blobs`, its tree's nodes into `nodes`; its root.
archive::Sha256 BuildRun(store::ObjectStore& blobs, archive::testing::MemoryNodeSource& nodes,
                         const Files& tree) {
  archive::TreeBuilder builder;
  for (const auto& [path, content] : tree) {
    if (content.starts_with("-> ")) {
      EXPECT_TRUE(builder.Add(path, archive::testing::Symlink("", content.substr(3))).ok());
      continue;
    }
    EXPECT_TRUE(blobs.PutBytes(archive::BlobKey(archive::Sha256Of(content)), content).ok());
    EXPECT_TRUE(builder.Add(path, archive::testing::File("", content)).ok());
  }
  Result<archive::BuiltTree> built = builder.Build();
  EXPECT_TRUE(built.ok()) << built.status().ToString();
  for (const auto& level : built->levels) {
    for (const archive::EncodedNode& n : level) nodes.Put(n.id, n.bytes);
  }
  return built->root;
}

class PublisherTest : public ::testing::Test {
 protected:
  archive::Sha256 Run(const Files& tree) { return BuildRun(*source_, nodes_, tree); }
  Files Tree(const std::string& version) {
    return {{"pool/main/h/hello/hello_" + version + ".deb", "deb " + version},
            {"pool/main/s/same/same_1.deb", "same"},
            {"dists/s/main/binary-amd64/Packages", "Packages " + version},
            {"dists/s/main/binary-amd64/by-hash/SHA256/" + Sha256Hex("Packages " + version),
             "Packages " + version},
            {"dists/s/Release", "Release " + version},
            {"dists/s/Release.gpg", "sig " + version},
            {"dists/s/InRelease", "InRelease " + version}};
  }
  Result<PublishSummary> Go(const archive::Sha256& root, const std::string& run,
                            PublishOptions options = {}) {
    options.grace = 24h;
    return Publish(*source_, nodes_, root, "debian", run, *faults_, clock_, options);
  }
  // Every object of the target but its records and the retired files, with its bytes.
  Files Published() {
    Files out;
    Result<Manifest> m = ReadManifest(*memory_);
    EXPECT_TRUE(m.ok());
    store::ListOptions list;
    for (;;) {
      Result<store::ListPage> page = memory_->List(list);
      EXPECT_TRUE(page.ok());
      if (!page.ok()) return out;
      for (const store::ObjectInfo& o : page->objects) {
        if (o.key.starts_with(".mirrorvault/") || m->retired.contains(o.key)) continue;
        out[o.key] = Read(o.key);
      }
      if (page->next_start_after.empty()) return out;
      list.start_after = page->next_start_after;
    }
  }
  std::string Read(const std::string& key) {
    Result<std::string> r = memory_->GetBytes(key);
    return r.ok() ? *r : "<" + r.status().ToString() + ">";
  }

  std::shared_ptr<store::ObjectStore> source_ = store::MakeMemoryStore();
  archive::testing::MemoryNodeSource nodes_;
  std::shared_ptr<store::ObjectStore> memory_ = store::MakeMemoryStore();
  std::shared_ptr<RecordingStore> target_ = std::make_shared<RecordingStore>(memory_);
  std::shared_ptr<store::FaultInjectingStore> faults_ =
      std::make_shared<store::FaultInjectingStore>(target_);
  ManualClock clock_{kT0};
};

TEST_F(PublisherTest, WritesInTheTwoStageOrder) {
  auto summary = Go(Run(Tree("1")), "20240201T000000Z");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->uploaded, 7u);
  std::vector<std::string> keys = target_->Keys();
  auto pos = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) - keys.begin();
  };
  const auto packages = pos("dists/s/main/binary-amd64/Packages");
  EXPECT_LT(pos("pool/main/h/hello/hello_1.deb"), packages);
  EXPECT_LT(pos("dists/s/main/binary-amd64/by-hash/SHA256/" + Sha256Hex("Packages 1")), packages);
  EXPECT_LT(packages, pos("dists/s/Release"));
  EXPECT_LT(pos("dists/s/Release"), pos("dists/s/Release.gpg"));
  EXPECT_LT(pos("dists/s/Release.gpg"), pos("dists/s/InRelease"));
  EXPECT_LT(pos("dists/s/InRelease"), pos(std::string(kManifestKey)));
  // Each stage is made durable before the next is written: a Sync() after the pool and by-hash
  // files (3 written after the in-flight record), after Packages, and after each Release file.
  const std::vector<size_t> syncs = target_->Syncs();
  auto synced_between = [&](size_t after, size_t before) {
    return std::any_of(syncs.begin(), syncs.end(),
                       [&](size_t n) { return n > after && n <= before; });
  };
  EXPECT_TRUE(synced_between(pos("pool/main/h/hello/hello_1.deb"), packages));
  EXPECT_TRUE(synced_between(packages, pos("dists/s/Release")));
  EXPECT_TRUE(synced_between(pos("dists/s/Release"), pos("dists/s/Release.gpg")));
  EXPECT_TRUE(synced_between(pos("dists/s/Release.gpg"), pos("dists/s/InRelease")));
  EXPECT_EQ(Read("dists/s/InRelease"), "InRelease 1");
  EXPECT_FALSE(memory_->Head(std::string(kInflightKey)).ok());  // removed at the end
  Result<Manifest> m = ReadManifest(*memory_);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->run, "20240201T000000Z");
  EXPECT_EQ(m->file_count, 7u);
  EXPECT_TRUE(m->files.empty());
  // The objects carry their SHA-256 and a content type.
  Result<store::ObjectInfo> info = memory_->Head("pool/main/h/hello/hello_1.deb");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->metadata.at("mv-sha256"), Sha256Hex("deb 1"));
  EXPECT_EQ(info->content_type, "application/vnd.debian.binary-package");
}

TEST_F(PublisherTest, NoChangeWritesNothing) {
  auto files = Run(Tree("1"));
  ASSERT_TRUE(Go(files, "20240201T000000Z").ok());
  target_->Clear();
  clock_.Advance(1h);
  auto again = Go(files, "20240201T000000Z");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->uploaded, 0u);
  EXPECT_EQ(again->unchanged, 7u);
  EXPECT_TRUE(target_->Keys().empty());
  // The same files as another run: only the manifest changes.
  auto other = Go(files, "20240201T010000Z");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->uploaded, 0u);
  EXPECT_EQ(target_->Keys(),
            (std::vector<std::string>{std::string(kInflightKey), std::string(kManifestKey)}));
  EXPECT_EQ(ReadManifest(*memory_)->run, "20240201T010000Z");
}

// A withdrawn content (a legal removal: its blob deleted from the store) is left out of a
// publish, which writes everything else; without being told, the publish fails on the missing
// blob and names the path.
TEST_F(PublisherTest, WithdrawnContentsAreLeftOut) {
  auto root = Run(Tree("1"));
  ASSERT_TRUE(source_->Delete(archive::BlobKey(archive::Sha256Of("deb 1"))).ok());
  auto blind = Go(root, "20240201T000000Z");
  ASSERT_FALSE(blind.ok());
  EXPECT_NE(blind.status().ToString().find("pool/main/h/hello/hello_1.deb"), std::string::npos)
      << blind.status().ToString();
  PublishOptions told;
  told.withdrawn = {archive::Sha256Of("deb 1")};
  told.dry_run = true;
  auto dry = Go(root, "20240201T000000Z", told);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->withdrawn, 1u);
  EXPECT_EQ(dry->uploaded, 6u);
  told.dry_run = false;
  auto summary = Go(root, "20240201T000000Z", told);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->withdrawn, 1u);
  EXPECT_EQ(summary->uploaded + summary->resumed, 6u);  // the failed publish wrote some
  Files published = Published();
  EXPECT_FALSE(published.contains("pool/main/h/hello/hello_1.deb"));
  EXPECT_EQ(published.at("pool/main/s/same/same_1.deb"), "same");
  EXPECT_EQ(published.at("dists/s/InRelease"), "InRelease 1");
  EXPECT_EQ(ReadManifest(*memory_)->run, "20240201T000000Z");
}

TEST_F(PublisherTest, ReportsEachStageAndEveryFileWritten) {
  std::mutex mu;
  std::vector<std::tuple<Stage, size_t, uint64_t>> stages;
  std::map<Stage, size_t> written;
  PublishOptions options;
  options.on_stage = [&](Stage stage, size_t files, uint64_t bytes) {
    std::lock_guard lock(mu);
    stages.emplace_back(stage, files, bytes);
  };
  options.on_written = [&](const RunFile&, Stage stage) {
    std::lock_guard lock(mu);
    ++written[stage];
  };
  ASSERT_TRUE(Go(Run(Tree("1")), "20240201T000000Z", options).ok());
  ASSERT_EQ(stages.size(), 3u);
  // Stage 1: the .debs and the by-hash copy; 2: Packages; 3: the three Release files.
  EXPECT_EQ(stages[0],
            std::make_tuple(Stage::kContent, size_t{3},
                            uint64_t{sizeof("deb 1") - 1 + 4 + sizeof("Packages 1") - 1}));
  EXPECT_EQ(std::get<1>(stages[1]), 1u);
  EXPECT_EQ(std::get<1>(stages[2]), 3u);
  EXPECT_EQ(written, (std::map<Stage, size_t>{
                         {Stage::kContent, 3}, {Stage::kIndexes, 1}, {Stage::kRelease, 3}}));
}

// A store on a pretend S3 service: CopySourceOf names the service, and CopyFrom a store of the
// same service copies without the publisher reading the bytes, as S3Store does with CopyObject.
class ServiceStore final : public store::ForwardingStore {
 public:
  ServiceStore(std::shared_ptr<store::ObjectStore> inner, std::string service)
      : ForwardingStore(inner), inner_(std::move(inner)), service_(std::move(service)) {}
  std::optional<store::CopySource> CopySourceOf(const std::string& key) const override {
    return store::CopySource{service_, key};
  }
  Status CopyFrom(const store::ObjectStore& source, const std::string& src_key,
                  const std::string& dst_key, uint64_t size,
                  const store::PutOptions& options) override {
    std::optional<store::CopySource> from = source.CopySourceOf(src_key);
    const auto* peer = dynamic_cast<const ServiceStore*>(&source);
    if (!from || from->service != service_ || peer == nullptr) {
      return ObjectStore::CopyFrom(source, src_key, dst_key, size, options);
    }
    if (options.expected_sha256) return InvalidArgument("a server copy cannot check a digest");
    MV_ASSIGN_OR_RETURN(std::string data, peer->inner_->GetBytes(src_key));
    ++copies;
    return inner_->PutBytes(dst_key, data, options);
  }
  std::atomic<int> copies{0};

 private:
  std::shared_ptr<store::ObjectStore> inner_;
  std::string service_;
};

TEST(PublisherServerCopy, CopiesByTheServerWhenSourceAndTargetShareIt) {
  auto blobs = store::MakeMemoryStore();
  ServiceStore source(blobs, "http://s3.example as AKID");
  archive::testing::MemoryNodeSource nodes;
  const archive::Sha256 root = BuildRun(*blobs, nodes,
                                        {{"pool/a.deb", "a"},
                                         {"dists/s/main/binary-amd64/Packages", "P"},
                                         {"dists/s/InRelease", "I"}});
  ManualClock clock{kT0};
  auto same_bytes = store::MakeMemoryStore();
  ServiceStore same(same_bytes, "http://s3.example as AKID");
  auto summary = Publish(source, nodes, root, "debian", "20240201T000000Z", same, clock, {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->copied_server_side, 3u);
  EXPECT_EQ(same.copies.load(), 3);
  Result<store::ObjectInfo> info = same_bytes->Head("pool/a.deb");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->metadata.at("mv-sha256"), Sha256Hex("a"));
  EXPECT_EQ(info->content_type, "application/vnd.debian.binary-package");
  EXPECT_EQ(same_bytes->GetBytes("dists/s/InRelease").value(), "I");

  // Another service (or another identity on it): streamed through the publisher.
  auto other_bytes = store::MakeMemoryStore();
  ServiceStore other(other_bytes, "http://s3.example as SOMEONE-ELSE");
  summary = Publish(source, nodes, root, "debian", "20240201T000000Z", other, clock, {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->uploaded, 3u);
  EXPECT_EQ(summary->copied_server_side, 0u);
  EXPECT_EQ(other.copies.load(), 0);
  EXPECT_EQ(other_bytes->GetBytes("pool/a.deb").value(), "a");
}

TEST_F(PublisherTest, AChangeWritesWhatChangedAndRetiresTheRestForTheGrace) {
  ASSERT_TRUE(Go(Run(Tree("1")), "20240201T000000Z").ok());
  target_->Clear();
  clock_.Advance(1h);
  auto second = Go(Run(Tree("2")), "20240201T010000Z");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->uploaded, 6u);  // all but same_1.deb
  EXPECT_EQ(second->retired, 2u);   // hello_1.deb and the old by-hash Packages
  EXPECT_EQ(Read("pool/main/h/hello/hello_1.deb"), "deb 1");  // still there for old clients
  // Within the grace, a cleanup deletes nothing; after it, the retired files go.
  clock_.Advance(23h);
  auto early = Cleanup(*faults_, clock_, 24h, false);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->deleted, 0u);
  clock_.Advance(2h);
  auto late = Cleanup(*faults_, clock_, 24h, false);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->deleted, 2u);
  EXPECT_FALSE(memory_->Head("pool/main/h/hello/hello_1.deb").ok());
  EXPECT_EQ(Read("pool/main/h/hello/hello_2.deb"), "deb 2");
  Result<Manifest> m = ReadManifest(*memory_);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->retired.empty());
}

TEST_F(PublisherTest, AFailureBeforeInReleaseKeepsTheOldStateAndResumes) {
  ASSERT_TRUE(Go(Run(Tree("1")), "20240201T000000Z").ok());
  clock_.Advance(1h);
  auto files2 = Run(Tree("2"));
  int rule = faults_
                 ->AddRule({.ops = store::StoreOps(store::StoreOp::kPut),
                            .key_prefix = "dists/s/InRelease",
                            .status = PermissionDenied("injected: no write")})
                 .value();
  auto failed = Go(files2, "20240201T010000Z");
  EXPECT_FALSE(failed.ok());
  // apt still sees run 1: its InRelease, and every file it names.
  EXPECT_EQ(Read("dists/s/InRelease"), "InRelease 1");
  EXPECT_EQ(Read("pool/main/h/hello/hello_1.deb"), "deb 1");
  EXPECT_EQ(ReadManifest(*memory_)->run, "20240201T000000Z");
  EXPECT_TRUE(memory_->Head(std::string(kInflightKey)).ok());
  faults_->RemoveRule(rule);
  target_->Clear();
  auto resumed = Go(files2, "20240201T010000Z");
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->resumed, 5u);   // written before the failure: checked, not sent again
  EXPECT_EQ(resumed->uploaded, 1u);  // InRelease
  EXPECT_EQ(Read("dists/s/InRelease"), "InRelease 2");
  EXPECT_EQ(ReadManifest(*memory_)->run, "20240201T010000Z");
}

// The SIGKILL case of tests/integration/publish_test.sh, made exact: the target holds run 2;
// a publish of run 1 is interrupted after it wrote run 1's Release files but before its manifest;
// publishing run 2 again must put run 2's files back although the manifest already names them.
TEST_F(PublisherTest, AnInterruptedPublishOfAnotherRunIsUndoneByTheNext) {
  auto files1 = Run(Tree("1"));
  auto files2 = Run(Tree("2"));
  ASSERT_TRUE(Go(files1, "20240201T000000Z").ok());
  clock_.Advance(1h);
  ASSERT_TRUE(Go(files2, "20240201T010000Z").ok());
  clock_.Advance(1h);
  // Run 1 again, failing after Release and Release.gpg (InRelease refused): those two now hold
  // run 1's bytes while the manifest still says run 2.
  int rule = faults_
                 ->AddRule({.ops = store::StoreOps(store::StoreOp::kPut),
                            .key_prefix = "dists/s/InRelease",
                            .status = PermissionDenied("injected: no write")})
                 .value();
  EXPECT_FALSE(Go(files1, "20240201T020000Z").ok());
  faults_->RemoveRule(rule);
  EXPECT_EQ(Read("dists/s/Release"), "Release 1");
  EXPECT_EQ(ReadManifest(*memory_)->run, "20240201T010000Z");
  clock_.Advance(1h);
  auto again = Go(files2, "20240201T010000Z");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (const auto& [path, content] : Tree("2")) EXPECT_EQ(Read(path), content) << path;
  EXPECT_FALSE(memory_->Head(std::string(kInflightKey)).ok());
}

TEST_F(PublisherTest, DryRunWritesNothing) {
  auto summary = Go(Run(Tree("1")), "20240201T000000Z", {.dry_run = true});
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->uploaded, 7u);
  EXPECT_TRUE(target_->Keys().empty());
}

// The files of a run as the first publisher listed them: every file of the tree, and at every
// link the file or the whole folder it resolves to, walked afresh (links within followed).
std::map<std::string, FileContent> ExpandRun(archive::NodeSource& nodes,
                                             const archive::Sha256& root) {
  std::map<std::string, FileContent> out;
  std::function<Status(const std::string&, const archive::TreeEntry&)> visit;
  visit = [&](const std::string& path, const archive::TreeEntry& entry) -> Status {
    if (entry.type == archive::EntryType::kFile) {
      out[path] = {entry.hash, entry.size};
    } else if (entry.type == archive::EntryType::kSymlink) {
      Result<archive::TreeEntry> target = archive::ResolvePath(nodes, root, path);
      if (!target.ok()) return Status::Ok();
      if (target->type == archive::EntryType::kFile) out[path] = {target->hash, target->size};
      if (target->type == archive::EntryType::kDirectory) {
        return archive::WalkTree(nodes, target->hash,
                                 [&](const std::string& rel, const archive::TreeEntry& e) {
                                   return visit(path + "/" + rel, e);
                                 });
      }
    }
    return Status::Ok();
  };
  EXPECT_TRUE(archive::WalkTree(nodes, root, visit).ok());
  return out;
}

// A random archive with links: pool folders, two suites, dists/stable a link to one of them or a
// folder of its own, a link within a suite to a sibling folder, links to files, dangling links.
Files RandomArchive(std::mt19937& rng, int round) {
  Files t;
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::string v = std::to_string(round);
  for (int p = 0; p < 3; ++p) {
    for (int src = 0; src < 4 + pick(4); ++src) {
      for (int f = 0; f < 1 + pick(2); ++f) {
        const std::string path =
            "pool/p" + std::to_string(p) + "/s" + std::to_string(src) + "/f" + std::to_string(f);
        t[path] = pick(5) == 0 ? "new " + v + path : "stable " + path;
      }
    }
  }
  for (const std::string suite : {"bookworm", "trixie"}) {
    if (suite == "trixie" && pick(4) == 0) continue;  // a suite that goes and comes back
    const std::string d = "dists/" + suite + "/";
    t[d + "main/binary-amd64/Packages"] = "Packages " + suite + (pick(2) ? v : "");
    t[d + "main/binary-arm64/Packages"] = "Packages arm " + suite + (pick(3) ? "" : v);
    t[d + "InRelease"] = "InRelease " + suite + v;
    if (pick(2)) t[d + "main/all"] = "-> binary-" + std::string(pick(2) ? "amd64" : "arm64");
  }
  switch (pick(4)) {
    case 0:
      t["dists/stable"] = "-> bookworm";
      break;
    case 1:
      t["dists/stable"] = "-> trixie";
      break;  // dangles when trixie is gone
    case 2:
      t["dists/stable/InRelease"] = "InRelease own " + std::to_string(pick(2));
      break;
    default:
      break;
  }
  if (pick(2)) t["README"] = "-> pool/p0/s" + std::to_string(pick(6)) + "/f0";
  if (pick(3) == 0) t["broken"] = "-> nowhere/at/all";
  if (pick(3) == 0) t["current"] = "-> dists/stable";  // a link to a link
  return t;
}

TEST(DiffRunFiles, GivesWhatChangedBetweenFullListingsOfEachRun) {
  auto blobs = store::MakeMemoryStore();
  archive::testing::MemoryNodeSource nodes;
  std::mt19937 rng(1207);
  std::optional<archive::Sha256> before;
  std::vector<std::string> before_links;
  std::map<std::string, FileContent> before_files;
  for (int round = 0; round < 60; ++round) {
    const archive::Sha256 after = BuildRun(*blobs, nodes, RandomArchive(rng, round));
    Result<RunChanges> diff = DiffRunFiles(nodes, before, before_links, after);
    ASSERT_TRUE(diff.ok()) << diff.status().ToString();
    // The previous listing with the changes applied is the new listing.
    std::map<std::string, FileContent> applied = before_files;
    int64_t delta = 0;
    for (const FileChange& c : diff->changes) {
      ASSERT_NE(c.before, c.after) << c.path;
      auto it = applied.find(c.path);
      ASSERT_EQ(it == applied.end() ? std::nullopt : std::optional(it->second), c.before)
          << "round " << round << ": " << c.path;
      if (c.after) {
        applied[c.path] = *c.after;
      } else {
        applied.erase(c.path);
      }
      delta += (c.after ? 1 : 0) - (c.before ? 1 : 0);
    }
    const std::map<std::string, FileContent> expected = ExpandRun(nodes, after);
    ASSERT_EQ(applied, expected) << "round " << round;
    EXPECT_EQ(delta, diff->file_delta);
    // ListRunFiles is the same listing.
    Result<std::vector<RunFile>> listed = ListRunFiles(nodes, after);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), expected.size());
    for (const RunFile& f : *listed) EXPECT_EQ(expected.at(f.path), f.content()) << f.path;
    for (const auto& [path, content] : expected) {
      Result<std::optional<FileContent>> at = FileAt(nodes, after, path);
      ASSERT_TRUE(at.ok());
      EXPECT_EQ(*at, content) << path;
    }
    before = after;
    before_links = diff->links;
    before_files = expected;
  }
}

TEST_F(PublisherTest, EachPublishOfASeriesLeavesExactlyItsRunsFiles) {
  std::mt19937 rng(20261207);
  for (int round = 0; round < 25; ++round) {
    const archive::Sha256 root = Run(RandomArchive(rng, round));
    clock_.Advance(5h);  // files retired five publishes ago are past the grace
    auto summary = Go(root, "2024020" + std::to_string(1 + round / 10) + "T0" +
                                std::to_string(round % 10) + "0000Z");
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    Files expected;
    for (const auto& [path, content] : ExpandRun(nodes_, root)) {
      expected[path] = source_->GetBytes(archive::BlobKey(content.sha256)).value();
    }
    ASSERT_EQ(Published(), expected) << "round " << round;
    EXPECT_EQ(summary->files, expected.size());
    EXPECT_EQ(ReadManifest(*memory_)->file_count, expected.size());
  }
}

TEST_F(PublisherTest, APublishAfterASmallChangeReadsOnlyTheChangedFolders) {
  Files tree = Tree("1");
  for (int s = 0; s < 400; ++s) {
    for (int f = 0; f < 3; ++f) {
      tree["pool/main/l/lib" + std::to_string(s) + "/f" + std::to_string(f)] =
          "lib " + std::to_string(s * 3 + f);
    }
  }
  tree["dists/stable"] = "-> s";
  ASSERT_TRUE(Go(Run(tree), "20240201T000000Z").ok());
  tree["pool/main/l/lib7/f1"] = "lib 7 changed";
  tree["dists/s/InRelease"] = "InRelease 1 changed";
  const archive::Sha256 next = Run(tree);
  // A full listing of the run reads every folder's node (and the wide folder's shards).
  nodes_.ResetGets();
  ASSERT_TRUE(ListRunFiles(nodes_, next).ok());
  const size_t full = nodes_.gets();
  EXPECT_GT(full, 400u);
  nodes_.ResetGets();
  target_->Clear();
  auto summary = Go(next, "20240201T010000Z");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_LT(nodes_.gets(), 40u) << "of " << full << " for a full listing";
  // lib7/f1, and InRelease under both of its names.
  EXPECT_EQ(summary->uploaded, 3u);
  EXPECT_EQ(summary->files, 1200u + 7u + 5u);
  EXPECT_EQ(Read("dists/stable/InRelease"), "InRelease 1 changed");
  EXPECT_EQ(Read("pool/main/l/lib7/f1"), "lib 7 changed");
}

TEST_F(PublisherTest, ATargetOfFormatOneIsPublishedOntoAndMovedToFormatTwo) {
  ASSERT_TRUE(Go(Run(Tree("1")), "20240201T000000Z").ok());
  // The manifest as format 1 wrote it: every file listed, no tree.
  Manifest old = ReadManifest(*memory_).value();
  old.root.reset();
  for (const auto& [path, content] : Tree("1")) {
    RunFile f = F(path, content);
    old.files[path] = {f.sha256, f.size, {}};
  }
  ASSERT_TRUE(memory_->PutBytes(std::string(kManifestKey), EncodeManifest(old)).ok());
  clock_.Advance(1h);
  target_->Clear();
  auto second = Go(Run(Tree("2")), "20240201T010000Z");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->uploaded, 6u);  // all but same_1.deb
  EXPECT_EQ(second->retired, 2u);   // hello_1.deb and the old by-hash Packages
  EXPECT_EQ(Published(), Tree("2"));
  Result<Manifest> m = ReadManifest(*memory_);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->root.has_value());
  EXPECT_TRUE(m->files.empty());
  EXPECT_EQ(m->file_count, 7u);
}

TEST_F(PublisherTest, ATargetWhoseTreeIsGoneIsCheckedFileByFile) {
  ASSERT_TRUE(Go(Run(Tree("1")), "20240201T000000Z").ok());
  // The manifest names a tree no longer in the store (its run deleted and collected), and the
  // target holds an object no manifest knows.
  Manifest old = ReadManifest(*memory_).value();
  old.root = F("x", "a tree that is gone").sha256;
  ASSERT_TRUE(memory_->PutBytes(std::string(kManifestKey), EncodeManifest(old)).ok());
  ASSERT_TRUE(memory_->PutBytes("pool/stray.deb", "stray").ok());
  clock_.Advance(1h);
  target_->Clear();
  auto second = Go(Run(Tree("2")), "20240201T010000Z");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->resumed, 1u);  // same_1.deb: on the target with this content
  EXPECT_EQ(second->uploaded, 6u);
  EXPECT_EQ(second->retired, 3u);  // hello_1.deb, the old by-hash Packages, stray.deb
  EXPECT_EQ(Published(), Tree("2"));
  EXPECT_EQ(Read("pool/stray.deb"), "stray");  // kept for the grace, as any retired file
  clock_.Advance(25h);
  ASSERT_TRUE(Cleanup(*faults_, clock_, 24h, false).ok());
  EXPECT_FALSE(memory_->Head("pool/stray.deb").ok());
}

}  // namespace
}  // namespace mv::publish
