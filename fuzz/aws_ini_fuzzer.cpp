// ParseIni (~/.aws/credentials and ~/.aws/config), and ResolveAwsSettings reading the input as
// both files. Properties: sections and keys are non-empty, keys lower-case, names and values
// trimmed; writing the sections back as INI parses to the same sections.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_file.h"
#include "store/s3/credentials.h"

namespace {

bool Trimmed(const std::string& s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  return s.empty() || (!blank(s.front()) && !blank(s.back()));
}

std::string Write(const mv::s3::IniSections& sections) {
  std::string out;
  for (const auto& [name, values] : sections) {
    out += "[" + name + "]\n";
    for (const auto& [key, value] : values) out += key + " = " + value + "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = mv::s3::ParseIni(text, "fuzz.ini");
  if (!parsed.ok()) {
    MV_FUZZ_CHECK_ERROR(parsed.status(), mv::StatusCode::kInvalidArgument);
  } else {
    for (const auto& [name, values] : *parsed) {
      MV_FUZZ_CHECK(!name.empty() && Trimmed(name), mv::fuzz::Printable(name));
      for (const auto& [key, value] : values) {
        MV_FUZZ_CHECK(!key.empty() && Trimmed(key), mv::fuzz::Printable(key));
        MV_FUZZ_CHECK(key.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos,
                      mv::fuzz::Printable(key));
        MV_FUZZ_CHECK(Trimmed(value), mv::fuzz::Printable(value));
        MV_FUZZ_CHECK(value.find('\n') == std::string::npos, mv::fuzz::Printable(value));
      }
    }
    std::string again_text = Write(*parsed);
    auto again = mv::s3::ParseIni(again_text, "again.ini");
    MV_FUZZ_CHECK(again.ok(), again.status().ToString());
    MV_FUZZ_CHECK(*again == *parsed, mv::fuzz::Printable(again_text));
  }

  static mv::fuzz::MemFile file("aws-ini");
  file.Write(text);
  for (const char* profile : {"", "dev"}) {
    mv::s3::AwsEnvironment env;
    env.env["AWS_SHARED_CREDENTIALS_FILE"] = file.path();
    env.env["AWS_CONFIG_FILE"] = file.path();
    if (*profile != '\0') env.env["AWS_PROFILE"] = profile;
    auto settings = mv::s3::ResolveAwsSettings(env);
    if (!settings.ok()) MV_FUZZ_CHECK_ERROR(settings.status(), mv::StatusCode::kInvalidArgument);
  }
  return 0;
}
