// The admin API (server/admin_api.h) on a job queue in SQLite, without sockets: off without a
// token, 401 without the right one, and each resource and action, audited with who did it.
#include "server/admin_api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "jobs/job_admin.h"
#include "jobs/queue.h"
#include "support/status_assert.h"
#include "support/temp_dir.h"

namespace mv::server {
namespace {

namespace json = boost::json;

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = db::OpenDatabase("sqlite://" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto q = jobs::JobQueue::Open(*db, {.clock = &clock_});
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(*q);
    admin_ = {.queue = queue_.get(), .token = "s3cret-token"};
  }
  httpd::Response Call(const std::string& method, const std::string& target,
                       const std::string& token = "s3cret-token",
                       const AdminContext* admin = nullptr) {
    httpd::Request r;
    r.method = method;
    r.target = target;
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.operator_name = "alice";
    r.client = "192.0.2.7";
    auto matched = MatchRoute(target);
    const Route* route = std::get_if<Route>(&matched);
    EXPECT_NE(route, nullptr) << target;
    const AdminRoute* a = route ? std::get_if<AdminRoute>(route) : nullptr;
    EXPECT_NE(a, nullptr) << target;
    return a ? ServeAdmin(admin ? admin : &admin_, r, *a) : httpd::Response{};
  }
  static json::value Body(const httpd::Response& r) { return json::parse(r.body); }

  mv::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<jobs::JobQueue> queue_;
  AdminContext admin_;
};

TEST_F(AdminApiTest, OffWithoutATokenAndRefusedWithoutTheRightOne) {
  AdminContext off{.queue = queue_.get()};
  httpd::Response r = Call("GET", "/admin/jobs", "s3cret-token", &off);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("admin API is off"), std::string::npos) << r.body;
  httpd::Response none = Call("GET", "/admin/jobs", "");
  EXPECT_EQ(none.status, 401);
  ASSERT_NE(none.Find("WWW-Authenticate"), nullptr);
  EXPECT_EQ(Call("GET", "/admin/jobs", "s3cret-tokeX").status, 401);
  EXPECT_EQ(Call("GET", "/admin/jobs", "s3cret").status, 401);
  EXPECT_EQ(Call("GET", "/admin/jobs", "s3cret-token-and-more").status, 401);
  // Nothing was done by the refused requests.
  EXPECT_EQ(Call("POST", "/admin/archives/a/pause", "").status, 401);
  auto audit = jobs::JobAdmin(*queue_).Audit(10);
  MV_ASSERT_OK(audit);
  EXPECT_TRUE(audit->empty());
}

TEST_F(AdminApiTest, JobsFailuresRetryRunNowPauseAndTheAudit) {
  auto id = queue_->Enqueue({.kind = jobs::JobKind::kMirror, .archive = "debian", .origin = "t"});
  MV_ASSERT_OK(id);
  MV_ASSERT_OK(queue_->Claim("w/0"));
  MV_ASSERT_OK(queue_->Fail(*id, "w/0", InvalidArgument("InRelease: signature not accepted")));

  httpd::Response list = Call("GET", "/admin/jobs?state=failed");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(Body(list).as_array().size(), 1u);
  EXPECT_EQ(Body(list).as_array()[0].at("error_class"), "signature");
  httpd::Response show = Call("GET", "/admin/jobs/" + std::to_string(*id));
  ASSERT_EQ(show.status, 200);
  EXPECT_EQ(Body(show).at("errors").as_array().size(), 1u);
  EXPECT_EQ(Call("GET", "/admin/jobs/999").status, 404);
  EXPECT_EQ(Call("GET", "/admin/jobs/x1").status, 400);
  httpd::Response failures = Call("GET", "/admin/failures");
  ASSERT_EQ(failures.status, 200);
  EXPECT_EQ(Body(failures).as_array()[0].at("error_class"), "signature");

  // Actions are POSTs.
  EXPECT_EQ(Call("GET", "/admin/jobs/" + std::to_string(*id) + "/retry").status, 405);
  httpd::Response retried = Call("POST", "/admin/jobs/" + std::to_string(*id) + "/retry");
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(Body(retried).at("state"), "available");
  EXPECT_EQ(Call("POST", "/admin/jobs/" + std::to_string(*id) + "/retry").status, 409);
  httpd::Response cancelled = Call("POST", "/admin/jobs/" + std::to_string(*id) + "/cancel");
  ASSERT_EQ(cancelled.status, 200);
  EXPECT_EQ(Body(cancelled).at("state"), "cancelled");

  httpd::Response run = Call("POST", "/admin/archives/debian/run-now");
  ASSERT_EQ(run.status, 200) << run.body;
  const int64_t new_id = Body(run).at("job").as_int64();
  EXPECT_NE(new_id, *id);
  ASSERT_EQ(Call("POST", "/admin/archives/debian/pause").status, 200);
  httpd::Response archives = Call("GET", "/admin/archives");
  ASSERT_EQ(archives.status, 200);
  EXPECT_EQ(Body(archives).as_array()[0].at("paused"), true);
  auto claimed = queue_->Claim("w/0");
  MV_ASSERT_OK(claimed);
  EXPECT_FALSE(claimed->has_value()) << "a paused archive's job was claimed";
  EXPECT_EQ(Call("POST", "/admin/archives/debian/explode").status, 404);
  EXPECT_EQ(Call("GET", "/admin/nothing").status, 404);

  httpd::Response audit = Call("GET", "/admin/audit");
  ASSERT_EQ(audit.status, 200);
  const json::value audit_json = Body(audit);
  const json::array& entries = audit_json.as_array();
  ASSERT_GE(entries.size(), 4u);
  EXPECT_EQ(entries[0].at("action"), "pause");
  EXPECT_EQ(entries[0].at("who"), "alice via admin API from 192.0.2.7");
}

}  // namespace
}  // namespace mv::server
