#include "store/list_builder.h"

#include <utility>

namespace mv::store {

Status ListBuilder::Check(const ListOptions& options) {
  if (options.max_keys < 1) {
    return InvalidArgument("list max_keys must be at least 1, got " +
                           std::to_string(options.max_keys));
  }
  return Status::Ok();
}

bool ListBuilder::SkipsSubtree(std::string_view key_prefix) const {
  const std::string& prefix = options_.prefix;
  if (!key_prefix.starts_with(prefix) && !std::string_view(prefix).starts_with(key_prefix)) {
    return true;
  }
  if (!rolled_up_.empty() && key_prefix.starts_with(rolled_up_)) return true;
  // Every key starting with key_prefix is <= start_after only when start_after is greater than
  // key_prefix without extending it.
  const std::string& after = options_.start_after;
  return after > key_prefix && !std::string_view(after).starts_with(key_prefix);
}

bool ListBuilder::Full() const { return count_ >= options_.max_keys; }

ListBuilder::Action ListBuilder::Offer(std::string_view key) {
  if (more_) return Action::kStop;
  if (!key.starts_with(options_.prefix)) return Action::kSkip;
  if (!rolled_up_.empty() && key.starts_with(rolled_up_)) return Action::kSkip;
  if (!options_.delimiter.empty()) {
    size_t at = key.find(options_.delimiter, options_.prefix.size());
    if (at != std::string_view::npos) {
      rolled_up_.assign(key.substr(0, at + options_.delimiter.size()));
      if (rolled_up_ <= options_.start_after) return Action::kSkip;
      if (Full()) {
        more_ = true;
        return Action::kStop;
      }
      page_.common_prefixes.push_back(rolled_up_);
      last_item_ = rolled_up_;
      ++count_;
      return Action::kSkip;
    }
  }
  if (key <= options_.start_after) return Action::kSkip;
  if (Full()) {
    more_ = true;
    return Action::kStop;
  }
  return Action::kTakeObject;
}

void ListBuilder::AddObject(ObjectInfo info) {
  last_item_ = info.key;
  page_.objects.push_back(std::move(info));
  ++count_;
}

ListPage ListBuilder::Finish() && {
  if (more_) page_.next_start_after = std::move(last_item_);
  return std::move(page_);
}

}  // namespace mv::store
