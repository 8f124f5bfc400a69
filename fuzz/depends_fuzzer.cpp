// The relationship-field parser (Depends, Provides, ...) over arbitrary text.
// Properties: nothing crashes; every refusal is InvalidArgument naming the field and the
// package; an accepted list has non-empty groups of alternatives with non-empty names, a version
// exactly when there is a relation, and prints (ToString) to text that parses back to the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "apt/depends.h"
#include "fuzz_check.h"

namespace {

void CheckRefusal(const mv::Status& st, std::string_view field) {
  if (st.ok()) return;
  MV_FUZZ_CHECK_ERROR(st, mv::StatusCode::kInvalidArgument);
  MV_FUZZ_CHECK(st.message().find(std::string(field) + " of fuzz-pkg") != std::string::npos,
                st.message());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto groups = mv::apt::ParseDependencies(text, "Depends", "fuzz-pkg");
  CheckRefusal(groups.status(), "Depends");
  if (groups.ok()) {
    std::string printed;
    for (const mv::apt::DependencyGroup& g : *groups) {
      MV_FUZZ_CHECK(!g.empty(), "an empty group");
      if (!printed.empty()) printed += ", ";
      for (size_t i = 0; i < g.size(); ++i) {
        const mv::apt::Dependency& d = g[i];
        MV_FUZZ_CHECK(!d.package.empty(), "an empty name");
        MV_FUZZ_CHECK((d.relation == mv::apt::Relation::kAny) == d.version.empty(), d.version);
        (void)mv::apt::ArchRestrictionAdmits(d.arch_restrictions, "amd64");
        if (!d.version.empty()) (void)mv::apt::Satisfies("1.0-1", d.relation, d.version);
        printed += (i ? " | " : "") + mv::apt::ToString(d);
      }
    }
    auto again = mv::apt::ParseDependencies(printed, "Depends", "fuzz-pkg");
    MV_FUZZ_CHECK(again.ok(), mv::fuzz::Printable(printed));
    MV_FUZZ_CHECK(*again == *groups, mv::fuzz::Printable(printed));
  }
  auto provides = mv::apt::ParseProvides(text, "fuzz-pkg");
  CheckRefusal(provides.status(), "Provides");
  return 0;
}
