// IdSet: a set (against std::set over random ids), and its memory (at most 64 bytes an id once
// past its first tables, growth included).
#include "archive/id_set.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace mv::archive {
namespace {

Sha256 RandomId(std::mt19937_64& rng) {
  Sha256 id;
  for (size_t i = 0; i < id.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(id.data() + i, &v, 8);
  }
  return id;
}

TEST(IdSetTest, IsASetOfIdsInAtMost64BytesAnId) {
  std::mt19937_64 rng(7);
  IdSet set;
  std::set<Sha256> model;
  std::vector<Sha256> seen;
  for (int i = 0; i < 200'000; ++i) {
    // A third of the inserts repeat an id already in.
    const Sha256 id = (!seen.empty() && i % 3 == 0) ? seen[rng() % seen.size()] : RandomId(rng);
    EXPECT_EQ(set.Insert(id), model.insert(id).second);
    seen.push_back(id);
    ASSERT_EQ(set.size(), model.size());
    // Past the 256 first tables (64 slots each), never above 64 bytes an id, even while a
    // table grows.
    if (set.size() > 256 * 64) {
      ASSERT_LE(set.bytes(), 64 * set.size()) << "at " << set.size();
      ASSERT_LE(set.peak_bytes(), 64 * set.size()) << "at " << set.size();
    }
  }
  for (const Sha256& id : model) ASSERT_TRUE(set.Contains(id));
  for (int i = 0; i < 10'000; ++i) EXPECT_FALSE(set.Contains(RandomId(rng)));
  EXPECT_FALSE(IdSet().Contains(Sha256{}));
}

}  // namespace
}  // namespace mv::archive
