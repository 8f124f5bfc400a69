#include "regioncache/region_config.h"

#include <set>

#include "util/uri.h"

namespace mv::regioncache {
namespace {

Result<std::vector<AddressRange>> Ranges(const ConfigValue& v) {
  MV_ASSIGN_OR_RETURN(std::vector<std::string> texts, v.AsStringList());
  std::vector<AddressRange> out;
  for (const std::string& t : texts) {
    Result<AddressRange> r = ParseRange(t);
    if (!r.ok()) return v.Error(r.status().message());
    out.push_back(*r);
  }
  return out;
}

Result<std::string> String(const ConfigValue& section, std::string_view key) {
  const ConfigValue* v = section.Find(key);
  if (v == nullptr) return std::string();
  return v->AsString();
}

}  // namespace

const RegionConfig* RegionCacheConfig::Find(std::string_view name) const {
  for (const RegionConfig& r : regions) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Result<std::optional<RegionCacheConfig>> ReadRegionCacheConfig(const ConfigValue& document) {
  MV_ASSIGN_OR_RETURN(std::vector<ConfigValue> sections, document.Sections("region"));
  const ConfigValue* cache = document.Find("regioncache");
  if (sections.empty() && cache == nullptr) return std::optional<RegionCacheConfig>();
  RegionCacheConfig c;
  std::set<std::string> names;
  for (const ConfigValue& s : sections) {
    MV_RETURN_IF_ERROR(s.CheckKeys({"name", "store", "budget", "ttl", "cidrs", "redirect",
                                    "public_base", "presign_ttl", "hold"}));
    RegionConfig r;
    MV_ASSIGN_OR_RETURN(r.name, String(s, "name"));
    if (r.name.empty()) return s.Error("a [[region]] needs a name");
    if (r.name == "auto" || r.name.find('/') != std::string::npos) {
      return s.Find("name")->Error("a region cannot be named '" + r.name + "'");
    }
    if (!names.insert(r.name).second)
      return s.Find("name")->Error("a second [[region]] named '" + r.name + "'");
    MV_ASSIGN_OR_RETURN(r.store, String(s, "store"));
    if (r.store.empty()) return s.Error("[[region]] '" + r.name + "' needs a store URL");
    if (const ConfigValue* v = s.Find("budget")) {
      MV_ASSIGN_OR_RETURN(r.budget, v->AsSize());
    }
    if (const ConfigValue* v = s.Find("ttl")) {
      MV_ASSIGN_OR_RETURN(r.ttl, v->AsDuration());
      if (r.ttl.count() <= 0) return v->Error("ttl must be longer than zero");
    }
    if (const ConfigValue* v = s.Find("cidrs")) {
      MV_ASSIGN_OR_RETURN(r.cidrs, Ranges(*v));
    }
    MV_ASSIGN_OR_RETURN(std::string redirect, String(s, "redirect"));
    MV_ASSIGN_OR_RETURN(r.public_base, String(s, "public_base"));
    if (redirect.empty() || redirect == "presigned") {
      r.redirect = RedirectMode::kPresigned;
    } else if (redirect == "public") {
      r.redirect = RedirectMode::kPublic;
      if (!r.public_base.starts_with("https://") && !r.public_base.starts_with("http://")) {
        return s.Find("redirect")->Error("a public redirect needs public_base = \"https://...\"");
      }
      if (!r.public_base.ends_with("/")) r.public_base += "/";
    } else {
      return s.Find("redirect")
          ->Error("redirect is \"presigned\" or \"public\", not \"" + redirect + "\"");
    }
    if (const ConfigValue* v = s.Find("presign_ttl")) {
      MV_ASSIGN_OR_RETURN(std::chrono::milliseconds ttl, v->AsDuration());
      if (ttl < std::chrono::seconds(1) || ttl > std::chrono::hours(24 * 7)) {
        return v->Error("presign_ttl must be between 1s and 7d");
      }
      r.presign_ttl = std::chrono::duration_cast<std::chrono::seconds>(ttl);
    }
    if (const ConfigValue* v = s.Find("hold")) {
      MV_ASSIGN_OR_RETURN(std::chrono::milliseconds hold, v->AsDuration());
      r.hold = hold;
    }
    c.regions.push_back(std::move(r));
  }
  if (cache != nullptr) {
    MV_RETURN_IF_ERROR(
        cache->CheckKeys({"state", "allow", "default_region", "wait", "revalidate"}));
    MV_ASSIGN_OR_RETURN(c.state, String(*cache, "state"));
    if (!c.state.empty() && !c.state.starts_with("redis://")) {
      return cache->Find("state")->Error("state is a redis:// URL, or absent for the catalog");
    }
    if (const ConfigValue* v = cache->Find("allow")) {
      MV_ASSIGN_OR_RETURN(c.allow, v->AsStringList());
      for (const std::string& prefix : c.allow) {
        Result<Uri> u = ParseUri(prefix);
        if (!u.ok() || (u->scheme != "https" && u->scheme != "http") || u->host.empty()) {
          return v->Error("an allow entry is an http(s) URL prefix, not \"" + prefix + "\"");
        }
      }
    }
    MV_ASSIGN_OR_RETURN(c.default_region, String(*cache, "default_region"));
    if (const ConfigValue* v = cache->Find("wait")) {
      MV_ASSIGN_OR_RETURN(c.wait, v->AsDuration());
    }
    if (const ConfigValue* v = cache->Find("revalidate")) {
      MV_ASSIGN_OR_RETURN(c.revalidate, v->AsDuration());
    }
    if (!c.default_region.empty() && c.Find(c.default_region) == nullptr) {
      return cache->Find("default_region")
          ->Error("default_region '" + c.default_region + "' is not a [[region]]");
    }
  }
  if (const ConfigValue* server = document.Find("server")) {
    if (const ConfigValue* v = server->Find("trusted_proxies")) {
      MV_ASSIGN_OR_RETURN(c.trusted_proxies, Ranges(*v));
    }
  }
  return std::optional<RegionCacheConfig>(std::move(c));
}

}  // namespace mv::regioncache
