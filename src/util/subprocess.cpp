#include "util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "util/io.h"

extern char** environ;

namespace mv {
namespace {

struct Pipe {
  UniqueFd read, write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, size_t max_output) {
  if (argv.empty()) return InvalidArgument("RunProcess: no program given");
  MV_ASSIGN_OR_RETURN(Pipe out, MakePipe());
  MV_ASSIGN_OR_RETURN(Pipe err, MakePipe());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT) return NotFound(argv[0] + " is not installed (not found in PATH)");
  if (rc != 0) return ErrnoStatus(rc, "start " + argv[0]);
  out.write.Close("pipe").IgnoreError();
  err.write.Close("pipe").IgnoreError();

  ProcessResult result;
  Status read_status;
  pollfd fds[2] = {{out.read.get(), POLLIN, 0}, {err.read.get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_streams = 2;
  char buf[65536];
  while (open_streams > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      read_status = ErrnoStatus(errno, "poll " + argv[0] + "'s output");
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_streams;
        continue;
      }
      if (sinks[i]->size() + static_cast<size_t>(n) > max_output) {
        read_status = InvalidArgument(argv[0] + " printed more than " + std::to_string(max_output) +
                                      " bytes");
        ::kill(pid, SIGKILL);
        open_streams = 0;
        break;
      }
      sinks[i]->append(buf, static_cast<size_t>(n));
    }
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "wait for " + argv[0]);
  }
  MV_RETURN_IF_ERROR(read_status);
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return result;
}

}  // namespace mv
