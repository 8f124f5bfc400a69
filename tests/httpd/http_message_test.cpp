// The transport's plain values without a socket: headers found whatever their case, the client's
// preference for JSON, the common answers, and access log lines that a hostile target cannot
// forge.
#include "httpd/http_message.h"

#include <gtest/gtest.h>

#include "httpd/access_log.h"

namespace mv::httpd {
namespace {

TEST(HttpMessage, HeadersAreFoundWhateverTheirCase) {
  Response r = RedirectResponse(302, "/elsewhere");
  ASSERT_NE(r.Find("location"), nullptr);
  EXPECT_EQ(*r.Find("LOCATION"), "/elsewhere");
  EXPECT_EQ(r.Find("Retry-After"), nullptr);
  EXPECT_EQ(r.body, "see /elsewhere\n");
  EXPECT_EQ(TextResponse(200, "ok").ContentLength(), 3u);
}

TEST(HttpMessage, JsonIsWantedWhenNamedBeforeHtml) {
  Request r;
  EXPECT_FALSE(r.WantsJson());
  r.accept = "application/json";
  EXPECT_TRUE(r.WantsJson());
  r.accept = "text/html, application/json";
  EXPECT_FALSE(r.WantsJson());
  r.accept = "application/json, text/html";
  EXPECT_TRUE(r.WantsJson());
}

TEST(AccessLog, CombinedFormatWithQuotesAndControlBytesEscaped) {
  const std::string line = AccessLog::Format({.client = "127.0.0.1",
                                              .time = std::chrono::system_clock::from_time_t(0),
                                              .method = "GET",
                                              .target = "/a\"b\n",
                                              .status = 200,
                                              .bytes = 5,
                                              .user_agent = "curl",
                                              .seconds = 0.25});
  EXPECT_EQ(line,
            "127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] \"GET /a\\\"b\\x0a HTTP/1.1\" 200 5 \"-\" "
            "\"curl\" 0.250000");
}

}  // namespace
}  // namespace mv::httpd
