// Merging mirrorvault's read statement into a bucket's policy (store/s3/bucket_policy.h), over an
// arbitrary existing policy: nothing crashes; a merge that succeeds is a JSON object whose
// Statement list holds mirrorvault's statement once, and merging again keeps the same statements
// (numbers in other statements may be re-spelt, so the text itself is not compared).
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "store/s3/bucket_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string existing(reinterpret_cast<const char*>(data), size);
  auto merged = mv::s3::MergeReadPolicy(existing, "bucket", "prefix/", {"127.0.0.1/32"});
  if (!merged.ok()) return 0;
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(*merged, ec);
  MV_FUZZ_CHECK(!ec && doc.is_object() && doc.as_object().contains("Statement"), *merged);
  auto count = [](const boost::json::value& policy, size_t* ours) {
    const boost::json::array& st = policy.at("Statement").as_array();
    *ours = 0;
    for (const auto& s : st) {
      const boost::json::value* sid = s.as_object().if_contains("Sid");
      if (sid != nullptr && sid->is_string() && sid->as_string().starts_with("mirrorvaultread")) {
        ++*ours;
      }
    }
    return st.size();
  };
  size_t ours = 0;
  const size_t n = count(doc, &ours);
  MV_FUZZ_CHECK(ours >= 1, "mirrorvault's statement is missing");
  auto again = mv::s3::MergeReadPolicy(*merged, "bucket", "prefix/", {"127.0.0.1/32"});
  MV_FUZZ_CHECK(again.ok(), again.status().ToString());
  size_t ours_again = 0;
  MV_FUZZ_CHECK(count(boost::json::parse(*again), &ours_again) == n && ours_again == ours,
                "merging twice changed the statements");
  return 0;
}
