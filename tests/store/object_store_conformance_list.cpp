// Conformance: listing — byte order, prefixes, delimiters, paging.
#include <algorithm>
#include <set>

#include "store/object_store_conformance.h"

namespace mv::store {

std::vector<std::string> ObjectStoreConformance::ListKeys(ListOptions options) {
  std::vector<std::string> keys;
  Status st = store_->ListAll(options, [&](const ListPage& page) {
    for (const ObjectInfo& info : page.objects) keys.push_back(info.key);
    return true;
  });
  EXPECT_TRUE(st.ok()) << "list prefix \"" << options.prefix << "\": " << st.ToString();
  return keys;
}

std::vector<std::string> ObjectStoreConformance::ListItems(ListOptions options) {
  std::vector<std::string> items;
  Status st = store_->ListAll(options, [&](const ListPage& page) {
    std::vector<std::string> merged;
    for (const ObjectInfo& info : page.objects) merged.push_back(info.key);
    for (const std::string& cp : page.common_prefixes) merged.push_back(cp + "(cp)");
    std::sort(merged.begin(), merged.end());
    items.insert(items.end(), merged.begin(), merged.end());
    return true;
  });
  EXPECT_TRUE(st.ok()) << "list prefix \"" << options.prefix << "\": " << st.ToString();
  return items;
}

namespace {

ListOptions Prefix(std::string prefix, std::string delimiter = "") {
  ListOptions options;
  options.prefix = std::move(prefix);
  options.delimiter = std::move(delimiter);
  return options;
}

}  // namespace

TEST_P(ObjectStoreConformance, ListOfEmptyStoreIsEmpty) {
  Result<ListPage> page = store().List({});
  MV_ASSERT_OK(page);
  EXPECT_TRUE(page->objects.empty());
  EXPECT_TRUE(page->common_prefixes.empty());
  EXPECT_TRUE(page->next_start_after.empty());
}

TEST_P(ObjectStoreConformance, ListIsInByteOrderNotDirectoryOrder) {
  // '-' (0x2d) < '.' (0x2e) < '/' (0x2f) < '0' (0x30): a directory walk gets this wrong.
  std::vector<std::string> keys = {
      "a/b",
      "a-b",
      "a0",
      "a/",
      "a.c",
      "a/a",
      "b",
      "A",
      "a/b-c",
      "a/b0",
      "a/b.",
      "a/c/d",
      "\xc3\xa9t\xc3\xa9",
      "z\xe6\x97\xa5",
      "~",
      "a/\xc3\xa9",
      "a/~",
  };
  for (const std::string& key : keys) Put(key, key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(ListKeys({}), keys);
  ListOptions small;
  small.max_keys = 3;
  EXPECT_EQ(ListKeys(small), keys) << "paged listing differs";
}

TEST_P(ObjectStoreConformance, ListFillsObjectInfo) {
  Put("info/a", "12345");
  Put("info/b", "");
  Result<ListPage> page = store().List(Prefix("info/"));
  MV_ASSERT_OK(page);
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "info/a");
  EXPECT_EQ(page->objects[0].size, 5u);
  EXPECT_EQ(page->objects[1].size, 0u);
  Result<ObjectInfo> head = store().Head("info/a");
  MV_ASSERT_OK(head);
  EXPECT_EQ(page->objects[0].etag, head->etag) << "List and Head disagree on the etag";
}

TEST_P(ObjectStoreConformance, ListByPrefix) {
  for (const char* key : {"trees/ab/1", "trees/ab/2", "trees/ac/1", "trees/abc", "treesx", "t"}) {
    Put(key, "x");
  }
  EXPECT_EQ(ListKeys(Prefix("trees/ab/")), (std::vector<std::string>{"trees/ab/1", "trees/ab/2"}));
  EXPECT_EQ(ListKeys(Prefix("trees/ab")),
            (std::vector<std::string>{"trees/ab/1", "trees/ab/2", "trees/abc"}));
  EXPECT_EQ(
      ListKeys(Prefix("trees")),
      (std::vector<std::string>{"trees/ab/1", "trees/ab/2", "trees/abc", "trees/ac/1", "treesx"}));
  EXPECT_EQ(ListKeys(Prefix("trees/ab/1")), (std::vector<std::string>{"trees/ab/1"}));
  EXPECT_TRUE(ListKeys(Prefix("nothing/")).empty());
  EXPECT_TRUE(ListKeys(Prefix("trees/zz")).empty());
  Result<ListPage> none = store().List(Prefix("nothing/"));
  MV_ASSERT_OK(none);
  EXPECT_TRUE(none->next_start_after.empty());
}

TEST_P(ObjectStoreConformance, ListWithDelimiter) {
  for (const char* key : {"top", "dir/x", "dir/y/z", "dir/y/w", "dir2/a", "dir-x", "dir/", "e/"}) {
    Put(key, "x");
  }
  Result<ListPage> root = store().List(Prefix("", "/"));
  MV_ASSERT_OK(root);
  std::vector<std::string> objects;
  for (const ObjectInfo& info : root->objects) objects.push_back(info.key);
  EXPECT_EQ(objects, (std::vector<std::string>{"dir-x", "top"}));
  EXPECT_EQ(root->common_prefixes, (std::vector<std::string>{"dir/", "dir2/", "e/"}));

  EXPECT_EQ(ListItems(Prefix("dir/", "/")),
            (std::vector<std::string>{"dir/", "dir/x", "dir/y/(cp)"}));
  EXPECT_EQ(ListItems(Prefix("dir", "/")),
            (std::vector<std::string>{"dir-x", "dir/(cp)", "dir2/(cp)"}));
  EXPECT_EQ(ListItems(Prefix("dir/y/", "/")), (std::vector<std::string>{"dir/y/w", "dir/y/z"}));
  EXPECT_TRUE(ListItems(Prefix("dir/q/", "/")).empty());
}

TEST_P(ObjectStoreConformance, PagingReturnsEveryKeyExactlyOnce) {
  std::vector<std::string> keys = {"p/1", "p/2", "p/3", "p/4/x", "p/5", "p/6", "p/7"};
  for (const std::string& key : keys) Put(key, key);
  ListOptions options = Prefix("p/");
  options.max_keys = 2;
  std::vector<std::string> seen;
  int pages = 0;
  for (;;) {
    Result<ListPage> page = store().List(options);
    MV_ASSERT_OK(page);
    ASSERT_LE(page->objects.size(), 2u);
    ++pages;
    for (const ObjectInfo& info : page->objects) seen.push_back(info.key);
    if (page->next_start_after.empty()) break;
    ASSERT_GT(page->next_start_after, options.start_after) << "listing did not advance";
    options.start_after = page->next_start_after;
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(seen, keys);
  EXPECT_GE(pages, 4);

  ListOptions from_middle = Prefix("p/");
  from_middle.start_after = "p/3";
  EXPECT_EQ(ListKeys(from_middle), (std::vector<std::string>{"p/4/x", "p/5", "p/6", "p/7"}));
  from_middle.start_after = "p/35";  // not a key: resumes after it all the same
  EXPECT_EQ(ListKeys(from_middle), (std::vector<std::string>{"p/4/x", "p/5", "p/6", "p/7"}));
  from_middle.start_after = "p/7";
  EXPECT_TRUE(ListKeys(from_middle).empty());
}

TEST_P(ObjectStoreConformance, PagingWithDelimiterNeverRepeatsACommonPrefix) {
  for (const char* key : {"a/1", "a/2", "b", "c/1", "c/2/3", "d", "e/1"}) Put(key, "x");
  ListOptions options = Prefix("", "/");
  options.max_keys = 1;
  std::vector<std::string> items = ListItems(options);
  EXPECT_EQ(items, (std::vector<std::string>{"a/(cp)", "b", "c/(cp)", "d", "e/(cp)"}));
  options.max_keys = 2;
  EXPECT_EQ(ListItems(options), items);
  options.start_after = "a/";
  EXPECT_EQ(ListItems(options), (std::vector<std::string>{"b", "c/(cp)", "d", "e/(cp)"}));
}

TEST_P(ObjectStoreConformance, BadListOptions) {
  ListOptions zero;
  zero.max_keys = 0;
  MV_EXPECT_CODE(store().List(zero), StatusCode::kInvalidArgument);
}

}  // namespace mv::store
