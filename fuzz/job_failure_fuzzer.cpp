// A job's failure message as the queue reads it (jobs/error_class.h): classification and the
// signature that groups failures, over arbitrary messages and status codes. Nothing crashes; a
// signature starts with its class, is bounded, and does not change when a number standing alone
// in the message changes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "jobs/error_class.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto code = static_cast<mv::StatusCode>(1 + data[0] % 8);
  std::string message(reinterpret_cast<const char*>(data) + 1, size - 1);
  mv::Status status(code, message, (data[0] & 0x80) != 0);
  mv::jobs::ErrorClass cls = mv::jobs::Classify(status);
  MV_FUZZ_CHECK(!cls.name.empty(), "a failure without a class");
  std::string sig = mv::jobs::FailureSignature(cls.name, message);
  MV_FUZZ_CHECK(sig.size() <= 300, "an unbounded signature");
  MV_FUZZ_CHECK(sig.rfind(cls.name, 0) == 0, "the signature does not start with the class");
  MV_FUZZ_CHECK(mv::jobs::FailureSignature(cls.name, message + " 12") ==
                    mv::jobs::FailureSignature(cls.name, message + " 345"),
                "a trailing number changes the signature");
  return 0;
}
