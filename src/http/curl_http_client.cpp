// HttpClient on libcurl: a few curl multi handles, each driven by one thread, carry every
// transfer of the process, so connections are reused across callers and thousands of transfers
// can be in flight.
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "http/http_client.h"
#include "util/mutex.h"
#include "util/redact.h"

namespace mv::http {
namespace {

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;

constexpr size_t kMaxErrorBody = 1 << 20;

// Socket read and upload buffers per transfer (curl's defaults: 16 KiB and 64 KiB). A 1 GiB
// download took 66,000 recvfrom and as many poll calls with 16 KiB, 4,200 with 256 KiB, and the
// client's system time fell by a quarter. Memory: 256 KiB per transfer in flight, 512 KiB for
// an upload.
constexpr long kReceiveBufferSize = 256L << 10;
constexpr long kUploadBufferSize = 256L << 10;

// The one mapping from CURLcode to Status.
Status StatusFromCurl(CURLcode code, const char* errbuf, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += (errbuf != nullptr && errbuf[0] != '\0') ? errbuf : curl_easy_strerror(code);
  switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgument(std::move(message));
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_AGAIN:
    case CURLE_SEND_FAIL_REWIND:  // the body could not be replayed on a new connection
      return Unavailable(std::move(message));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return PermissionDenied(std::move(message));
    case CURLE_OUT_OF_MEMORY:
      return {StatusCode::kUnavailable, std::move(message), /*retryable=*/false};
    default:
      return Internal(message + " (curl error " + std::to_string(static_cast<int>(code)) + ")");
  }
}

bool IsSuccess(long code) { return code >= 200 && code < 300; }

// One request in flight. Lives on the caller's stack while the caller waits for `done`.
struct Transfer {
  const Request* request = nullptr;
  Response response;
  Slist header_list;
  Slist resolve_list;  // CURLOPT_RESOLVE of a pinned request
  char errbuf[CURL_ERROR_SIZE] = {};
  Status callback_status;  // set when our own callback aborted the transfer
  CURL* easy = nullptr;
  std::promise<Result<Response>> done;

  static size_t OnHeader(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    std::string_view line(data, size * n);
    if (line.starts_with("HTTP/")) {
      t->response.headers.clear();  // a new response (after 100 Continue)
      return size * n;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return size * n;
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    t->response.headers.emplace_back(std::move(name), std::string(value));
    return size * n;
  }

  static size_t OnBody(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    size_t len = size * n;
    long code = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    t->response.body_bytes += len;
    if (t->request->sink != nullptr && IsSuccess(code)) {
      Status st = t->request->sink->Write(std::string_view(data, len));
      if (!st.ok()) {
        t->callback_status = st;
        return 0;  // aborts with CURLE_WRITE_ERROR
      }
      return len;
    }
    if (t->response.body.size() + len > kMaxErrorBody && !IsSuccess(code)) {
      return len;  // error bodies beyond 1 MiB are not needed to map the error
    }
    t->response.body.append(data, len);
    return len;
  }

  // curl replays a body from its start when a reused connection turns out dead.
  static int OnSeek(void* self, curl_off_t offset, int origin) {
    auto* t = static_cast<Transfer*>(self);
    if (origin != SEEK_SET || offset != 0) return CURL_SEEKFUNC_CANTSEEK;
    return t->request->body->Rewind().ok() ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK;
  }

  static size_t OnRead(char* buf, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    Result<size_t> got = t->request->body->Read(buf, size * n);
    if (!got.ok()) {
      t->callback_status = got.status();
      return CURL_READFUNC_ABORT;
    }
    return *got;
  }
};

// One curl multi handle and the thread that drives it.
class CurlLoop final : public HttpClient {
 public:
  explicit CurlLoop(const HttpClientOptions& options) : options_(options) {
    curl_global_init(CURL_GLOBAL_DEFAULT);  // reference-counted; thread-safe in curl >= 7.84
    {
      util::MutexLock lock(mu_);
      multi_ = NewMulti();
    }
    loop_ = std::thread([this] { Loop(); });
  }

  ~CurlLoop() override {
    {
      util::MutexLock lock(mu_);
      stopping_ = true;
      curl_multi_wakeup(multi_.get());
    }
    loop_.join();
    idle_.clear();
    multi_.reset();
    curl_global_cleanup();
  }

  Result<Response> Send(const Request& request) override {
    Transfer transfer;
    transfer.request = &request;
    std::future<Result<Response>> result = transfer.done.get_future();
    {
      util::MutexLock lock(mu_);
      if (stopping_) return Unavailable("HTTP client is shutting down");
      pending_.push_back(&transfer);
      curl_multi_wakeup(multi_.get());  // under mu_: the loop may replace multi_ (CloseIdle)
    }
    return result.get();
  }

 private:
  MultiHandle NewMulti() const {
    MultiHandle multi(curl_multi_init());
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options_.max_connections_per_host));
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(options_.max_connections));
    curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS,
                      static_cast<long>(options_.max_connections));
    return multi;
  }

  // The loop has been quiet for options_.idle_close: curl keeps the connections of finished
  // transfers in the multi handle's cache and closes them only when it next looks for one, so
  // a quiet loop would hold them for ever. Replacing the (empty) multi handle closes them.
  void CloseIdle() {
    idle_.clear();
    MultiHandle old;
    {
      util::MutexLock lock(mu_);
      old = std::exchange(multi_, NewMulti());
      // A transfer queued since this pass took pending_ woke the old handle: wake the new one.
      if (!pending_.empty()) curl_multi_wakeup(multi_.get());
    }
    old.reset();
  }

  EasyHandle TakeEasy() {
    if (!idle_.empty()) {
      EasyHandle easy = std::move(idle_.back());
      idle_.pop_back();
      return easy;
    }
    return EasyHandle(curl_easy_init());
  }

  Status Configure(CURL* easy, Transfer& t) {
    const Request& r = *t.request;
    t.easy = easy;
    curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, kReceiveBufferSize);
    curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, kUploadBufferSize);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
    // HTTP/2 where an https server offers it (ALPN). Multiplexed requests then share a
    // connection as streams, so a far upstream needs no connection, and no handshake, per file
    // in flight: PIPEWAIT has a new transfer wait for a connection being set up to say whether
    // it multiplexes, rather than open one more.
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, r.multiplex ? 1L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count() * 1000));
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>(r.stall_timeout.count()));
    if (r.total_timeout.count() > 0) {
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.total_timeout.count() * 1000));
    }
    if (r.follow_redirects) {
      curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
      curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }
    if (!r.pin.empty()) {
      // "+": a cache entry that times out like a looked-up one, not a permanent override of the
      // name for every later transfer of this multi handle.
      t.resolve_list.reset(curl_slist_append(nullptr, ("+" + r.pin).c_str()));
      if (!t.resolve_list) return Internal("out of memory pinning " + r.pin);
      curl_easy_setopt(easy, CURLOPT_RESOLVE, t.resolve_list.get());
      curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
      curl_easy_setopt(easy, CURLOPT_PROXY, "");
    }
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);

    std::optional<uint64_t> body_size =
        r.body != nullptr ? r.body->Size() : std::optional<uint64_t>(0);
    switch (r.method) {
      case Method::kGet:
        break;
      case Method::kHead:
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        break;
      case Method::kPut:
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        break;
      case Method::kPost:
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        break;
      case Method::kDelete:
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
    }
    if (r.method == Method::kPut || r.method == Method::kPost) {
      if (r.body != nullptr) {
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Transfer::OnRead);
        curl_easy_setopt(easy, CURLOPT_READDATA, &t);
        curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, &Transfer::OnSeek);
        curl_easy_setopt(easy, CURLOPT_SEEKDATA, &t);
      }
      if (body_size) {
        auto size = static_cast<curl_off_t>(*body_size);
        if (r.method == Method::kPut) {
          curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, size);
        } else {
          curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, size);
          if (r.body == nullptr) curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
        }
      }
    }

    curl_slist* list = nullptr;
    auto append = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(list, line.c_str());
      if (next == nullptr) return false;
      list = next;
      return true;
    };
    bool ok = append("Expect:");  // no 100-continue round trip
    for (const auto& [name, value] : r.headers) {
      // "Name;" sends a header with an empty value in curl's syntax.
      ok = ok && append(value.empty() ? name + ";" : name + ": " + value);
    }
    t.header_list.reset(list);
    if (!ok) return Internal("out of memory building request headers");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    return Status::Ok();
  }

  void Finish(CURL* easy, CURLcode code) {
    Transfer* t = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(multi_.get(), easy);
    active_.erase(easy);
    std::string what =
        std::string(MethodName(t->request->method)) + " " + mv::RedactUrl(t->request->url);
    Result<Response> result = Internal(what + ": unfinished");
    if (!t->callback_status.ok()) {
      result = t->callback_status;
    } else if (code != CURLE_OK) {
      result = StatusFromCurl(code, t->errbuf, what);
    } else {
      t->response.status = static_cast<int>(status);
      result = std::move(t->response);
    }
    // Drop every pointer into the transfer (headers, error buffer, callbacks) before its owner
    // wakes up and destroys it; the connection stays in the multi handle's cache.
    curl_easy_reset(easy);
    t->done.set_value(std::move(result));
    idle_.push_back(EasyHandle(easy));
    if (idle_.size() > 64) idle_.erase(idle_.begin());
  }

  void Loop() {
    auto last_busy = std::chrono::steady_clock::now();
    bool holds_connections = false;  // a transfer ran since the multi handle was made
    for (;;) {
      std::deque<Transfer*> incoming;
      bool stopping = false;
      {
        util::MutexLock lock(mu_);
        incoming.swap(pending_);
        stopping = stopping_;
      }
      for (Transfer* t : incoming) {
        EasyHandle easy = TakeEasy();
        if (!easy) {
          t->done.set_value(Internal("curl_easy_init failed"));
          continue;
        }
        Status st = Configure(easy.get(), *t);
        if (!st.ok()) {
          t->done.set_value(st);
          continue;
        }
        active_.insert(easy.get());
        curl_multi_add_handle(multi_.get(), easy.release());
        holds_connections = true;
      }
      int running = 0;
      curl_multi_perform(multi_.get(), &running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
        if (msg->msg == CURLMSG_DONE) Finish(msg->easy_handle, msg->data.result);
      }
      if (stopping && running == 0) break;
      if (stopping) {
        // Shutting down with transfers in flight: fail them rather than wait for stalls.
        AbortAll();
        break;
      }
      auto now = std::chrono::steady_clock::now();
      if (running > 0 || !active_.empty()) {
        last_busy = now;
      } else if (holds_connections && options_.idle_close.count() > 0 &&
                 now - last_busy >= options_.idle_close) {
        CloseIdle();
        holds_connections = false;
      }
      curl_multi_poll(multi_.get(), nullptr, 0, 1000, nullptr);
    }
  }

  void AbortAll() {
    std::vector<CURL*> easies(active_.begin(), active_.end());
    for (CURL* easy : easies) Finish(easy, CURLE_ABORTED_BY_CALLBACK);
  }

  HttpClientOptions options_;
  MultiHandle multi_;  // replaced by the loop only, under mu_; read by Send under mu_
  std::thread loop_;
  util::Mutex mu_;
  std::deque<Transfer*> pending_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<EasyHandle> idle_;      // loop thread only
  std::unordered_set<CURL*> active_;  // loop thread only: handles attached to multi_
};

// Transfers spread round-robin over several loops, so that receiving, and what the callers' sinks
// do with the bytes (hashing, writing), run on every core: with one loop, every byte of a
// mirror was received, hashed and written by one thread while the other core idled. Two loops
// per core let the scheduler even out loops that drew larger transfers (a first mirror: 0.54 s
// median with 4 loops on 2 cores, 0.60 s with 2, 0.59 s with 8).
class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(const HttpClientOptions& options) {
    size_t n = options.loops > 0 ? static_cast<size_t>(options.loops)
                                 : 2 * std::max(1u, std::thread::hardware_concurrency());
    n = std::min<size_t>(n, 16);
    HttpClientOptions per_loop = options;
    per_loop.max_connections_per_host =
        std::max(1, options.max_connections_per_host / static_cast<int>(n));
    per_loop.max_connections = std::max(1, options.max_connections / static_cast<int>(n));
    for (size_t i = 0; i < n; ++i) loops_.push_back(std::make_unique<CurlLoop>(per_loop));
  }

  Result<Response> Send(const Request& request) override {
    size_t i = next_.fetch_add(1, std::memory_order_relaxed) % loops_.size();
    return loops_[i]->Send(request);
  }

 private:
  std::vector<std::unique_ptr<CurlLoop>> loops_;
  std::atomic<size_t> next_{0};
};

}  // namespace

std::shared_ptr<HttpClient> MakeCurlHttpClient(const HttpClientOptions& options) {
  return std::make_shared<CurlHttpClient>(options);
}

}  // namespace mv::http
