// An HttpClient for unit tests: answers come from a script instead of a network, and every
// request is recorded (its body read, as the transport would). One fake for every part that
// speaks HTTP (S3, upstream mirroring, the region cache's origin fetches).
//
// A request is answered, in this order, by the answer served for its URL (Serve: every time),
// else by the next scripted answer (Add: each once, in order), else by the unscripted answer
// (SetUnscripted; default: Internal "unscripted request <url>"). A 2xx body goes to the
// request's sink when it has one (HEAD excepted), otherwise into Response::body.
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "util/io.h"
#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace mv::testing {

class ScriptedHttpClient final : public http::HttpClient {
 public:
  struct Answer {
    Status transport;  // not OK: the request fails before any response
    int status = 200;
    http::Headers headers;
    std::string body;
    std::optional<uint64_t> body_bytes;  // what the transport reports (default: the body's size)
  };

  void Add(Answer a) EXCLUDES(mu_) {
    util::MutexLock lock(mu_);
    script_.push_back(std::move(a));
  }
  void Serve(const std::string& url, Answer a) EXCLUDES(mu_) {
    util::MutexLock lock(mu_);
    served_[url] = std::move(a);
  }
  void SetUnscripted(Answer a) EXCLUDES(mu_) {
    util::MutexLock lock(mu_);
    unscripted_ = std::move(a);
  }

  Result<http::Response> Send(const http::Request& request) override EXCLUDES(mu_) {
    std::optional<std::string> body;
    if (request.body != nullptr) {
      body.emplace();
      std::unique_ptr<Writer> to = MakeStringWriter(&*body);
      // A failing read aborts the request, as curl does in its read callback.
      MV_RETURN_IF_ERROR(CopyStream(*request.body, *to).status());
    }
    Answer a;
    {
      util::MutexLock lock(mu_);
      requests_.push_back(request);
      if (body) bodies_.push_back(*body);
      if (auto it = served_.find(request.url); it != served_.end()) {
        a = it->second;
      } else if (!script_.empty()) {
        a = std::move(script_.front());
        script_.pop_front();
      } else if (unscripted_) {
        a = *unscripted_;
      } else {
        return Internal("unscripted request " + request.url);
      }
    }
    if (!a.transport.ok()) return a.transport;
    http::Response r{.status = a.status, .headers = a.headers};
    r.body_bytes = a.body_bytes.value_or(a.body.size());
    const bool to_sink =
        request.sink != nullptr && a.status / 100 == 2 && request.method != http::Method::kHead;
    if (to_sink) {
      MV_RETURN_IF_ERROR(request.sink->Write(a.body));
    } else {
      r.body = std::move(a.body);
    }
    return r;
  }

  // What was sent so far (the body and sink pointers of a copy are not for use).
  std::vector<http::Request> requests() const EXCLUDES(mu_) {
    util::MutexLock lock(mu_);
    return requests_;
  }
  std::vector<std::string> urls() const EXCLUDES(mu_) {
    util::MutexLock lock(mu_);
    std::vector<std::string> out;
    for (const http::Request& r : requests_) out.push_back(r.url);
    return out;
  }
  // The bodies of the requests that had one, in order.
  std::vector<std::string> bodies() const EXCLUDES(mu_) {
    util::MutexLock lock(mu_);
    return bodies_;
  }
  void ClearRequests() EXCLUDES(mu_) {
    util::MutexLock lock(mu_);
    requests_.clear();
    bodies_.clear();
  }

 private:
  mutable util::Mutex mu_;
  std::deque<Answer> script_ GUARDED_BY(mu_);
  std::map<std::string, Answer> served_ GUARDED_BY(mu_);
  std::optional<Answer> unscripted_ GUARDED_BY(mu_);
  std::vector<http::Request> requests_ GUARDED_BY(mu_);
  std::vector<std::string> bodies_ GUARDED_BY(mu_);
};

}  // namespace mv::testing
