#include "publish/target_config.h"

#include "util/uri.h"

namespace mv::publish {

Result<std::vector<std::pair<std::string, TargetConfig>>> ConfiguredTargets(
    const ConfigValue& document) {
  MV_ASSIGN_OR_RETURN(std::vector<ConfigValue> sections, document.Sections("target"));
  std::vector<std::pair<std::string, TargetConfig>> targets;
  for (const ConfigValue& section : sections) {
    MV_RETURN_IF_ERROR(section.CheckKeys({"name", "url", "bucket", "prefix", "region", "endpoint",
                                          "folder", "public_read", "allow_cidr", "grace"}));
    const ConfigValue* name_value = section.Find("name");
    if (name_value == nullptr) return section.Error("a [[target]] needs a name");
    MV_ASSIGN_OR_RETURN(std::string name, name_value->AsString());
    for (const auto& [other, unused] : targets) {
      if (other == name) return name_value->Error("a second [[target]] named '" + name + "'");
    }
    auto str = [&](std::string_view key) -> Result<std::string> {
      const ConfigValue* v = section.Find(key);
      if (v == nullptr) return std::string();
      return v->AsString();
    };
    TargetConfig t;
    MV_ASSIGN_OR_RETURN(std::string url, str("url"));
    MV_ASSIGN_OR_RETURN(std::string bucket, str("bucket"));
    MV_ASSIGN_OR_RETURN(std::string folder, str("folder"));
    if (!url.empty() + !bucket.empty() + !folder.empty() != 1) {
      return section.Error("a [[target]] needs one of url, bucket and folder");
    }
    if (!url.empty()) {
      t.url = url;
    } else if (!folder.empty()) {
      if (folder.front() != '/') return section.Error("folder must be an absolute path");
      t.url = "file://" + PercentEncode(folder, "/");
    } else {
      MV_ASSIGN_OR_RETURN(std::string prefix, str("prefix"));
      MV_ASSIGN_OR_RETURN(std::string region, str("region"));
      MV_ASSIGN_OR_RETURN(std::string endpoint, str("endpoint"));
      t.url = "s3://" + bucket + (prefix.empty() ? "" : "/" + PercentEncode(prefix, "/"));
      std::string query;
      if (!endpoint.empty()) query += "endpoint=" + PercentEncode(endpoint);
      if (!region.empty())
        query += std::string(query.empty() ? "" : "&") + "region=" + PercentEncode(region);
      if (!query.empty()) t.url += "?" + query;
    }
    if (const ConfigValue* v = section.Find("public_read")) {
      MV_ASSIGN_OR_RETURN(t.public_read, v->AsBool());
    }
    if (const ConfigValue* v = section.Find("allow_cidr")) {
      MV_ASSIGN_OR_RETURN(t.allow_cidr, v->AsStringList());
    }
    if (const ConfigValue* v = section.Find("grace")) {
      MV_ASSIGN_OR_RETURN(t.grace, v->AsDuration());
    }
    targets.emplace_back(name, std::move(t));
  }
  return targets;
}

Result<std::optional<TargetConfig>> FindTarget(const ConfigValue& document,
                                               const std::string& name) {
  MV_ASSIGN_OR_RETURN(auto targets, ConfiguredTargets(document));
  for (auto& [target_name, target] : targets) {
    if (target_name == name) return std::optional<TargetConfig>(std::move(target));
  }
  return std::optional<TargetConfig>();
}

}  // namespace mv::publish
