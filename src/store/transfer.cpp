#include "store/transfer.h"

#include <sys/stat.h>

#include <filesystem>
#include <mutex>

#include "util/task_group.h"

namespace mv::store {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kInMemoryCopyLimit = 64ull << 20;

struct Item {
  std::string src;  // local path or key
  std::string dst;  // local path or key
  uint64_t size = 0;
};

std::string Basename(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string JoinKey(const std::string& prefix, const std::string& rel) {
  if (prefix.empty()) return rel;
  if (prefix.back() == '/') return prefix + rel;
  return prefix + "/" + rel;
}

bool IsLocalDir(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

Result<std::vector<Item>> PlanLocalTree(const Endpoint& src) {
  std::vector<Item> items;
  std::error_code ec;
  if (!fs::is_directory(src.path, ec)) {
    return InvalidArgument(src.display +
                           " is not a directory (copy a single file without --recursive)");
  }
  fs::recursive_directory_iterator it(src.path, fs::directory_options::none, ec);
  if (ec) return ErrnoStatus(ec.value(), "read directory " + src.path);
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return ErrnoStatus(ec.value(), "read directory " + src.path);
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), src.path, ec).generic_string();
    items.push_back({it->path().string(), rel, static_cast<uint64_t>(it->file_size(ec))});
  }
  return items;
}

Result<std::vector<Item>> PlanStoreTree(const Endpoint& src) {
  std::vector<Item> items;
  std::string prefix = src.path;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  MV_RETURN_IF_ERROR(src.store->ListAll({.prefix = prefix}, [&](const ListPage& page) {
    for (const ObjectInfo& obj : page.objects) {
      items.push_back({obj.key, obj.key.substr(prefix.size()), obj.size});
    }
    return true;
  }));
  return items;
}

Status EnsureParent(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return ErrnoStatus(ec.value(), "create directory " + parent.string());
  return Status::Ok();
}

// Copies one item; `dst` is a final local path or key.
Status CopyOne(const Endpoint& src, const Endpoint& dst, const Item& item) {
  if (src.is_local() && dst.is_local()) {
    MV_RETURN_IF_ERROR(EnsureParent(item.dst));
    std::error_code ec;
    fs::copy_file(item.src, item.dst, fs::copy_options::overwrite_existing, ec);
    if (ec) return ErrnoStatus(ec.value(), "copy " + item.src + " to " + item.dst);
    return Status::Ok();
  }
  if (src.is_local()) return dst.store->PutFile(item.dst, item.src, {});
  if (dst.is_local()) {
    MV_RETURN_IF_ERROR(EnsureParent(item.dst));
    // The size comes from the listing (or Head) that planned the copy.
    return src.store->GetFile(item.src, item.dst, {.size_hint = item.size});
  }
  if (src.store == dst.store) return dst.store->Copy(item.src, item.dst, {});
  if (item.size <= kInMemoryCopyLimit) {
    MV_ASSIGN_OR_RETURN(std::string data, src.store->GetBytes(item.src));
    return dst.store->PutBytes(item.dst, data);
  }
  std::string tmp =
      (fs::temp_directory_path() /
       ("mirrorvault-cp-" + std::to_string(std::hash<std::string>{}(item.src + "|" + item.dst))))
          .string();
  Status st = src.store->GetFile(item.src, tmp, {});
  if (st.ok()) st = dst.store->PutFile(item.dst, tmp, {});
  std::error_code ec;
  fs::remove(tmp, ec);
  return st;
}

}  // namespace

Result<CopySummary> CopyObjects(const Endpoint& src, const Endpoint& dst,
                                const CopyOptions& options) {
  auto started = std::chrono::steady_clock::now();
  std::vector<Item> items;
  if (options.recursive) {
    MV_ASSIGN_OR_RETURN(items, src.is_local() ? PlanLocalTree(src) : PlanStoreTree(src));
    for (Item& item : items) {
      item.dst =
          dst.is_local() ? (fs::path(dst.path) / item.dst).string() : JoinKey(dst.path, item.dst);
    }
  } else {
    Item item{src.path, dst.path, 0};
    if (src.is_local()) {
      struct stat st {};
      if (::stat(src.path.c_str(), &st) != 0) return ErrnoStatus(errno, src.display);
      if (S_ISDIR(st.st_mode))
        return InvalidArgument(src.display + " is a directory: use --recursive");
      item.size = static_cast<uint64_t>(st.st_size);
    } else {
      MV_ASSIGN_OR_RETURN(ObjectInfo info, src.store->Head(src.path));
      item.size = info.size;
    }
    // "dst/" or an existing local directory receives the source's base name, as cp does.
    bool into_dir =
        dst.path.empty() || dst.path.back() == '/' || (dst.is_local() && IsLocalDir(dst.path));
    if (into_dir)
      item.dst = dst.is_local() ? (fs::path(dst.path) / Basename(src.path)).string()
                                : JoinKey(dst.path, Basename(src.path));
    items.push_back(std::move(item));
  }
  uint64_t total_bytes = 0;
  for (const Item& item : items) total_bytes += item.size;
  if (options.on_planned) options.on_planned(items.size(), total_bytes);

  CopySummary summary;
  std::mutex mu;
  // Per-object failures are collected, not returned: the copy goes on with the other objects.
  mv::ParallelFor(items.size(),
                  [&](size_t i) -> Status {
                    const Item& item = items[i];
                    Status st = CopyOne(src, dst, item);
                    std::lock_guard lock(mu);
                    if (st.ok()) {
                      summary.objects++;
                      summary.bytes += item.size;
                      if (options.on_copied) options.on_copied(item.src, item.size);
                    } else {
                      summary.failures.push_back({item.src, st});
                    }
                    return Status::Ok();
                  },
                  {.max_in_flight = static_cast<size_t>(std::max(options.concurrency, 1)),
                   .cancel_on_failure = false})
      .IgnoreError();  // every task returns OK
  summary.elapsed = std::chrono::steady_clock::now() - started;
  return summary;
}

}  // namespace mv::store
