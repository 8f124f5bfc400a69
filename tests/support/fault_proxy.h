// Runs tests/support/fault_proxy.py in front of an upstream for one test, and drives its modes
// through its control interface with our own HTTP client.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "http/http_client.h"

namespace mv::testing {

class FaultProxy {
 public:
  // `upstream` is "host:port".
  explicit FaultProxy(const std::string& upstream) {
    dir_ = std::filesystem::temp_directory_path() /
           ("mv-fault-proxy-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_));
    std::filesystem::create_directories(dir_);
    std::string port_file = (dir_ / "port").string(), control_file = (dir_ / "control").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Its asyncio noise about reset connections goes to a log beside its port files.
      int log = ::open((dir_ / "proxy.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (log >= 0) ::dup2(log, STDERR_FILENO);
      ::execlp("python3", "python3", MV_FAULT_PROXY_SCRIPT, "--upstream", upstream.c_str(),
               "--port-file", port_file.c_str(), "--control-port-file", control_file.c_str(),
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::ifstream(port_file) >> port_;
    std::ifstream(control_file) >> control_port_;
    if (port_ == 0 || control_port_ == 0) ADD_FAILURE() << "the fault proxy did not start";
    http_ = http::MakeCurlHttpClient();
  }
  ~FaultProxy() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string Authority() const { return "127.0.0.1:" + std::to_string(port_); }

  // POSTs `json` to /mode (or "" to /reset) and expects 200.
  void SetMode(const std::string& json) { Control(http::Method::kPost, "/mode", json); }
  void Reset() { Control(http::Method::kPost, "/reset", ""); }
  std::string Stats() { return Control(http::Method::kGet, "/stats", ""); }

 private:
  std::string Control(http::Method method, const std::string& path, const std::string& body) {
    auto reader = MakeStringReader(body);
    http::Request r{.method = method,
                    .url = "http://127.0.0.1:" + std::to_string(control_port_) + path,
                    .headers = {{"content-type", "application/json"}},
                    .body = method == http::Method::kPost ? reader.get() : nullptr};
    auto response = http_->Send(r);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return {};
    EXPECT_EQ(response->status, 200) << path << " " << body << ": " << response->body;
    return response->body;
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int control_port_ = 0;
  std::shared_ptr<http::HttpClient> http_;
};

}  // namespace mv::testing
