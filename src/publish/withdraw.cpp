#include "publish/withdraw.h"

#include <algorithm>

#include "publish/manifest.h"
#include "publish/publisher.h"
#include "publish/run_files.h"

namespace mv::publish {

Result<TargetWithdrawal> WithdrawFromTarget(store::ObjectStore& target, archive::NodeSource& nodes,
                                            const std::vector<archive::Sha256>& removed) {
  auto is_removed = [&](const archive::Sha256& sha) {
    return std::binary_search(removed.begin(), removed.end(), sha);
  };
  MV_ASSIGN_OR_RETURN(Manifest manifest, ReadManifest(target));
  TargetWithdrawal out;
  if (manifest.root) {
    MV_ASSIGN_OR_RETURN(std::vector<RunFile> files, ListRunFiles(nodes, *manifest.root));
    for (const RunFile& f : files) {
      if (is_removed(f.sha256)) out.deleted.push_back(f.path);
    }
  }
  for (const auto& [path, f] : manifest.files) {
    if (is_removed(f.sha256)) out.deleted.push_back(path);
  }
  for (const auto& [path, f] : manifest.retired) {
    if (is_removed(f.sha256)) out.deleted.push_back(path);
  }
  std::sort(out.deleted.begin(), out.deleted.end());
  out.deleted.erase(std::unique(out.deleted.begin(), out.deleted.end()), out.deleted.end());
  if (!out.deleted.empty()) MV_RETURN_IF_ERROR(target.DeleteMany(out.deleted, nullptr));
  out.indexes_broken = std::any_of(out.deleted.begin(), out.deleted.end(),
                                   [](const std::string& p) { return p.starts_with("dists/"); });
  return out;
}

}  // namespace mv::publish
