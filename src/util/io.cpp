#include "util/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <random>
#include <vector>

namespace mv {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.Release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Status UniqueFd::Close(std::string_view what) {
  int fd = Release();
  if (fd >= 0 && ::close(fd) != 0)
    return ErrnoStatus(errno, std::string("close ") + std::string(what));
  return Status::Ok();
}

namespace {

class FileReader final : public Reader {
 public:
  FileReader(UniqueFd fd, std::string path, uint64_t offset, uint64_t length)
      : fd_(std::move(fd)), path_(std::move(path)), offset_(offset), length_(length) {}

  Result<size_t> Read(char* buf, size_t n) override {
    uint64_t left = length_ - pos_;
    if (left == 0) return size_t{0};
    size_t want = static_cast<size_t>(std::min<uint64_t>(n, left));
    for (;;) {
      ssize_t got = ::pread(fd_.get(), buf, want, static_cast<off_t>(offset_ + pos_));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return ErrnoStatus(errno, "read " + path_);
      if (got == 0) return Corruption("read " + path_ + ": file shrank while being read");
      pos_ += static_cast<uint64_t>(got);
      return static_cast<size_t>(got);
    }
  }
  std::optional<uint64_t> Size() const override { return length_; }
  Status Rewind() override {
    pos_ = 0;
    return Status::Ok();
  }

 private:
  UniqueFd fd_;
  std::string path_;
  uint64_t offset_;
  uint64_t length_;
  uint64_t pos_ = 0;
};

class StringReader final : public Reader {
 public:
  explicit StringReader(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t take = std::min(n, data_.size() - pos_);
    std::copy_n(data_.data() + pos_, take, buf);
    pos_ += take;
    return take;
  }
  std::optional<uint64_t> Size() const override { return data_.size(); }
  Status Rewind() override {
    pos_ = 0;
    return Status::Ok();
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

class StringWriter final : public Writer {
 public:
  explicit StringWriter(std::string* out) : out_(out) {}
  Status Write(std::string_view data) override {
    out_->append(data);
    return Status::Ok();
  }

 private:
  std::string* out_;
};

class FdWriter final : public Writer {
 public:
  FdWriter(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  Status Write(std::string_view data) override { return WriteAll(fd_, data, name_); }

 private:
  int fd_;
  std::string name_;
};

}  // namespace

Result<std::unique_ptr<Reader>> OpenFileReader(const std::string& path, uint64_t offset,
                                               std::optional<uint64_t> length) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "stat " + path);
  if (S_ISDIR(st.st_mode)) return InvalidArgument(path + " is a directory");
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (offset > size) return InvalidArgument("offset beyond the end of " + path);
  uint64_t len = length.value_or(size - offset);
  if (len > size - offset) return InvalidArgument("range beyond the end of " + path);
  return std::unique_ptr<Reader>(std::make_unique<FileReader>(std::move(fd), path, offset, len));
}

std::unique_ptr<Reader> MakeStringReader(std::string_view data) {
  return std::make_unique<StringReader>(data);
}

std::unique_ptr<Writer> MakeStringWriter(std::string* out) {
  return std::make_unique<StringWriter>(out);
}

std::unique_ptr<Writer> MakeFdWriter(int fd, std::string name) {
  return std::make_unique<FdWriter>(fd, std::move(name));
}

std::string TempSiblingPath(const std::string& path) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".mvtmp-%016llx", static_cast<unsigned long long>(rng()));
  return path + suffix;
}

Status MoveTempFileIntoPlace(UniqueFd& fd, const std::string& tmp, const std::string& path,
                             Status written) {
  Status st = std::move(written);
  if (st.ok() && ::fsync(fd.get()) != 0) st = ErrnoStatus(errno, "fsync " + tmp);
  if (st.ok()) st = fd.Close(tmp);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = ErrnoStatus(errno, "rename to " + path);
  }
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

Status WriteAll(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, std::string("write ") + std::string(what));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status WriteAllAt(int fd, std::string_view data, uint64_t offset, std::string_view what) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, std::string("write ") + std::string(what));
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status ReadExactlyAt(int fd, char* out, size_t n, uint64_t offset, std::string_view what) {
  for (size_t done = 0; done < n;) {
    ssize_t got = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus(errno, std::string("read ") + std::string(what));
    if (got == 0) return Corruption(std::string(what) + " ended early");
    done += static_cast<size_t>(got);
  }
  return Status::Ok();
}

Result<uint64_t> CopyStream(Reader& reader, Writer& writer) {
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  for (;;) {
    MV_ASSIGN_OR_RETURN(size_t n, reader.Read(buf.data(), buf.size()));
    if (n == 0) return total;
    MV_RETURN_IF_ERROR(writer.Write(std::string_view(buf.data(), n)));
    total += n;
  }
}

}  // namespace mv
