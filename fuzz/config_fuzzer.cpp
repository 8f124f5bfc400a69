// LoadConfig on the input as the named config file (--config), with an empty environment:
// TOML syntax, the known keys, the [s3] limits and the store/catalog URLs. Properties: errors are
// InvalidArgument with a message; an accepted config keeps the documented limits, and what
// FormatConfig prints (`mirrorvault config show`) is valid TOML that says the same settings.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_file.h"
#include "util/config.h"
#include "util/toml_reader.h"
#include "util/units.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mv::fuzz::MemFile file("mirrorvault.toml");
  file.Write(std::string_view(reinterpret_cast<const char*>(data), size));
  mv::ConfigSources sources;
  sources.flags.config_file = file.path();
  sources.cwd = "/nonexistent/mirrorvault-fuzz";
  sources.system_file = "/nonexistent/mirrorvault-fuzz/system.toml";
  auto config = mv::LoadConfig(sources);
  if (!config.ok()) {
    MV_FUZZ_CHECK_ERROR(config.status(), mv::StatusCode::kInvalidArgument);
    return 0;
  }
  const mv::S3Settings& s3 = config->s3;
  MV_FUZZ_CHECK(s3.concurrency >= 1 && s3.concurrency <= 4096, "concurrency");
  MV_FUZZ_CHECK(s3.max_attempts >= 1 && s3.max_attempts <= 100, "max_attempts");
  MV_FUZZ_CHECK(s3.part_size >= (5ULL << 20) && s3.part_size <= (5ULL << 30), "part_size");
  MV_FUZZ_CHECK(s3.multipart_threshold <= (5ULL << 30), "multipart_threshold");

  std::string shown = mv::FormatConfig(*config);
  auto again = mv::ParseToml(shown, "shown.toml");
  MV_FUZZ_CHECK(again.ok(), again.status().ToString() + "\n" + mv::fuzz::Printable(shown));
  auto s3_again = again->Section("s3");
  MV_FUZZ_CHECK(s3_again.ok(), mv::fuzz::Printable(shown));
  auto integer = [&](const char* key) {
    const mv::ConfigValue* v = s3_again->Find(key);
    return v != nullptr && v->AsInteger().ok() ? *v->AsInteger() : -1;
  };
  auto bytes = [&](const char* key) {
    const mv::ConfigValue* v = s3_again->Find(key);
    return v != nullptr && v->AsSize().ok() ? *v->AsSize() : ~0ULL;
  };
  MV_FUZZ_CHECK(integer("concurrency") == s3.concurrency, mv::fuzz::Printable(shown));
  MV_FUZZ_CHECK(integer("max_attempts") == s3.max_attempts, mv::fuzz::Printable(shown));
  MV_FUZZ_CHECK(bytes("part_size") == s3.part_size, mv::fuzz::Printable(shown));
  MV_FUZZ_CHECK(bytes("multipart_threshold") == s3.multipart_threshold, mv::fuzz::Printable(shown));
  const mv::ConfigValue* level = again->Find("log_level");
  MV_FUZZ_CHECK(level != nullptr && level->AsString().ok() &&
                    *level->AsString() == mv::LogLevelName(config->log_level),
                mv::fuzz::Printable(shown));
  return 0;
}
