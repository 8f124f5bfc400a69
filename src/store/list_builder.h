// ListBuilder: the paging and delimiter rules of ObjectStore::List, shared by the stores that
// list by walking their keys in byte order themselves (memory, local). Internal to src/store.
//
// Usage: validate with ListBuilder::Check, then offer every key >= prefix in strictly increasing
// byte order to Offer(); add the object when it answers kTakeObject; stop when it answers kStop
// or keys leave the prefix; Finish() returns the page. SkipsSubtree() lets a walker skip all keys
// starting with some string without offering them. Not thread-safe; one per List call.
#pragma once

#include <string>
#include <string_view>

#include "store/object_store.h"

namespace mv::store {

class ListBuilder {
 public:
  enum class Action {
    kSkip,        // not part of this page; go on
    kTakeObject,  // call AddObject() with this key's info (or skip it if it vanished)
    kStop,        // the page is full and more follows
  };

  // InvalidArgument for max_keys < 1.
  static Status Check(const ListOptions& options);

  explicit ListBuilder(const ListOptions& options) : options_(options) {}

  // True when every key starting with `key_prefix` would be skipped: outside the prefix, at or
  // before start_after, or inside the common prefix just rolled up.
  bool SkipsSubtree(std::string_view key_prefix) const;

  // Offers the next key; rolls it into a common prefix when the delimiter says so.
  Action Offer(std::string_view key);
  void AddObject(ObjectInfo info);

  ListPage Finish() &&;

 private:
  bool Full() const;

  const ListOptions& options_;
  ListPage page_;
  int count_ = 0;
  std::string last_item_;
  std::string rolled_up_;  // the last common prefix seen (returned or before start_after)
  bool more_ = false;
};

}  // namespace mv::store
