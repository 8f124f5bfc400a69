#include "apt/signature.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "util/io.h"
#include "util/subprocess.h"

namespace mv::apt {
namespace {

constexpr std::string_view kSignedHeader = "-----BEGIN PGP SIGNED MESSAGE-----";
constexpr std::string_view kSignatureEnd = "-----END PGP SIGNATURE-----";
constexpr std::string_view kSignatureBegin = "-----BEGIN PGP SIGNATURE-----";

// A private folder for gpgv's input and output files, removed with them.
class ScratchDir {
 public:
  static Result<ScratchDir> Create() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/mirrorvault-gpgv.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return ErrnoStatus(errno, "create a folder for gpgv in " + pattern);
    }
    return ScratchDir(std::move(pattern));
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (path_.empty()) return;
    for (const char* name : {"signed", "detached", "output"}) {
      ::unlink((path_ + "/" + name).c_str());
    }
    ::rmdir(path_.c_str());
  }
  std::string File(const char* name) const { return path_ + "/" + name; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

Status WriteWhole(const std::string& path, std::string_view data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus(errno, "create " + path);
  MV_RETURN_IF_ERROR(WriteAll(fd.get(), data, path));
  return fd.Close(path);
}

Result<std::string> ReadWhole(const std::string& path) {
  MV_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, OpenFileReader(path));
  std::string out;
  MV_RETURN_IF_ERROR(CopyStream(*reader, *MakeStringWriter(&out)).status());
  return out;
}

// The keyring as gpgv must be given it: an absolute path to a binary keyring.
Result<std::string> CheckKeyring(const std::string& keyring) {
  UniqueFd fd(::open(keyring.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "keyring " + keyring);
  char head[16] = {};
  ssize_t n = ::read(fd.get(), head, sizeof head);
  if (n <= 0) return InvalidArgument("keyring " + keyring + " is empty or unreadable");
  if (std::string_view(head, static_cast<size_t>(n)).starts_with("-----BEGIN")) {
    return InvalidArgument("keyring " + keyring +
                           " is ASCII-armored; gpgv needs a binary keyring (make one with "
                           "`gpg --dearmor < KEY.asc > KEY.gpg`)");
  }
  if (keyring.front() == '/') return keyring;
  char* cwd = ::getcwd(nullptr, 0);
  if (cwd == nullptr) return ErrnoStatus(errno, "getcwd");
  std::string absolute = std::string(cwd) + "/" + keyring;
  ::free(cwd);
  return absolute;
}

// gpgv's verdict from its status lines ("[GNUPG:] KEYWORD args...").
Result<VerifiedRelease> Verdict(const ProcessResult& run, const std::string& keyring,
                                std::string_view where) {
  VerifiedRelease verified;
  std::string reason;
  size_t pos = 0;
  while (pos < run.out.size()) {
    size_t nl = run.out.find('\n', pos);
    std::string_view line(run.out.data() + pos,
                          (nl == std::string::npos ? run.out.size() : nl) - pos);
    pos = nl == std::string::npos ? run.out.size() : nl + 1;
    if (!line.starts_with("[GNUPG:] ")) continue;
    line.remove_prefix(9);
    size_t space = line.find(' ');
    std::string_view keyword = line.substr(0, space);
    std::string_view args = space == std::string_view::npos ? "" : line.substr(space + 1);
    std::string first(args.substr(0, args.find(' ')));
    if (keyword == "VALIDSIG") {
      verified.fingerprints.push_back(first);
    } else if (reason.empty()) {
      if (keyword == "BADSIG") reason = "bad signature by key " + first;
      if (keyword == "NO_PUBKEY") {
        reason = "signed by key " + first;
        reason += ", which is not in " + keyring;
      }
      if (keyword == "EXPKEYSIG") reason = "signed by key " + first + ", which has expired";
      if (keyword == "REVKEYSIG") reason = "signed by key " + first + ", which is revoked";
      if (keyword == "EXPSIG") reason = "the signature has expired";
      if (keyword == "NODATA") reason = "no signature found";
    }
  }
  // As apt: a signature by an expired or revoked key is no signature, whatever gpgv's exit code.
  if (run.exit_code == 0 && !verified.fingerprints.empty() && reason.empty()) return verified;
  if (reason.empty()) {
    std::string_view err = run.err;
    while (!err.empty() && err.back() == '\n') err.remove_suffix(1);
    size_t last = err.rfind('\n');
    reason =
        "gpgv refused it (exit " + std::to_string(run.exit_code) + ")" +
        (err.empty()
             ? ""
             : ": " + std::string(last == std::string_view::npos ? err : err.substr(last + 1)));
  }
  return InvalidArgument(std::string(where) + ": signature not accepted: " + reason);
}

// A clearsigned message and nothing else: the header first, the signature's end last.
Status CheckClearsigned(std::string_view text, std::string_view where) {
  auto refuse = [&](const std::string& what) {
    return InvalidArgument(std::string(where) + ": not a clearsigned Release: " + what);
  };
  std::string_view body = text;
  while (!body.empty() && (body.front() == '\n' || body.front() == '\r')) body.remove_prefix(1);
  if (!body.starts_with(kSignedHeader))
    return refuse("it does not begin with " + std::string(kSignedHeader));
  if (body.find(kSignedHeader, kSignedHeader.size()) != std::string_view::npos) {
    return refuse("it holds more than one signed message");
  }
  size_t end = body.rfind(kSignatureEnd);
  if (end == std::string_view::npos) return refuse("no " + std::string(kSignatureEnd) + " line");
  for (char c : body.substr(end + kSignatureEnd.size())) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
      return refuse("text follows the signature");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<VerifiedRelease> VerifyInRelease(std::string_view inrelease, const std::string& keyring,
                                        std::string_view where) {
  MV_RETURN_IF_ERROR(CheckClearsigned(inrelease, where));
  MV_ASSIGN_OR_RETURN(std::string ring, CheckKeyring(keyring));
  MV_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Create());
  MV_RETURN_IF_ERROR(WriteWhole(dir.File("signed"), inrelease));
  MV_ASSIGN_OR_RETURN(ProcessResult run,
                      RunProcess({"gpgv", "--status-fd", "1", "--keyring", ring, "--output",
                                  dir.File("output"), dir.File("signed")}));
  MV_ASSIGN_OR_RETURN(VerifiedRelease verified, Verdict(run, keyring, where));
  MV_ASSIGN_OR_RETURN(verified.text, ReadWhole(dir.File("output")));
  return verified;
}

Result<VerifiedRelease> VerifyDetachedRelease(std::string_view release, std::string_view signature,
                                              const std::string& keyring, std::string_view where) {
  MV_ASSIGN_OR_RETURN(std::string ring, CheckKeyring(keyring));
  MV_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Create());
  MV_RETURN_IF_ERROR(WriteWhole(dir.File("signed"), release));
  MV_RETURN_IF_ERROR(WriteWhole(dir.File("detached"), signature));
  MV_ASSIGN_OR_RETURN(ProcessResult run, RunProcess({"gpgv", "--status-fd", "1", "--keyring", ring,
                                                     dir.File("detached"), dir.File("signed")}));
  MV_ASSIGN_OR_RETURN(VerifiedRelease verified, Verdict(run, keyring, where));
  verified.text = std::string(release);
  return verified;
}

Result<std::string> ClearsignedText(std::string_view inrelease, std::string_view where) {
  MV_RETURN_IF_ERROR(CheckClearsigned(inrelease, where));
  auto refuse = [&](const std::string& what) {
    return InvalidArgument(std::string(where) + ": not a clearsigned Release: " + what);
  };
  std::string_view rest = inrelease.substr(inrelease.find(kSignedHeader) + kSignedHeader.size());
  // The armor headers ("Hash: SHA512") end at the first empty line.
  size_t blank = std::string_view::npos;
  for (size_t pos = rest.find('\n'); pos != std::string_view::npos;
       pos = rest.find('\n', pos + 1)) {
    size_t next = pos + 1;
    if (next < rest.size() && rest[next] == '\r') ++next;
    if (next < rest.size() && rest[next] == '\n') {
      blank = next + 1;
      break;
    }
    if (next >= rest.size()) break;
  }
  if (blank == std::string_view::npos) return refuse("no empty line after the armor headers");
  rest = rest.substr(blank);
  size_t sig = rest.find(std::string("\n") + std::string(kSignatureBegin));
  if (sig == std::string_view::npos) return refuse("no " + std::string(kSignatureBegin) + " line");
  // The line break before the signature belongs to the armor, not to the text.
  std::string_view body = rest.substr(0, sig);
  if (body.ends_with('\r')) body.remove_suffix(1);
  std::string text;
  text.reserve(body.size() + 1);
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t nl = body.find('\n', pos);
    std::string_view line =
        body.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (line.starts_with("- ")) line.remove_prefix(2);
    text.append(line);
    if (nl == std::string_view::npos) break;
    text.push_back('\n');
    pos = nl + 1;
  }
  text.push_back('\n');
  return text;
}

Result<SignedRelease> SignRelease(std::string_view release, const SigningKey& key,
                                  std::string_view where) {
  if (key.key.empty()) return InvalidArgument(std::string(where) + ": no signing key given");
  MV_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Create());
  MV_RETURN_IF_ERROR(WriteWhole(dir.File("signed"), release));
  std::vector<std::string> gpg = {"gpg", "--batch", "--no-tty", "--quiet"};
  if (!key.gnupg_home.empty()) {
    gpg.push_back("--homedir");
    gpg.push_back(key.gnupg_home);
  }
  for (const std::string& arg : {std::string("--local-user"), key.key, std::string("--digest-algo"),
                                 std::string("SHA256")}) {
    gpg.push_back(arg);
  }
  auto run = [&](std::vector<std::string> args, const char* out) -> Result<std::string> {
    args.insert(args.begin(), gpg.begin(), gpg.end());
    args.push_back("--output");
    args.push_back(dir.File(out));
    args.push_back(dir.File("signed"));
    MV_ASSIGN_OR_RETURN(ProcessResult r, RunProcess(args));
    if (r.exit_code != 0) {
      std::string words = r.err.empty() ? r.out : r.err;
      while (!words.empty() && (words.back() == '\n' || words.back() == ' ')) words.pop_back();
      return InvalidArgument(std::string(where) + ": gpg cannot sign with key " + key.key +
                             " of the GnuPG home " +
                             (key.gnupg_home.empty() ? "~/.gnupg" : key.gnupg_home) + " (exit " +
                             std::to_string(r.exit_code) + "): " + words);
    }
    return ReadWhole(dir.File(out));
  };
  SignedRelease out;
  MV_ASSIGN_OR_RETURN(out.inrelease, run({"--clearsign"}, "output"));
  MV_ASSIGN_OR_RETURN(out.release_gpg, run({"--armor", "--detach-sign"}, "detached"));
  // What gpg clearsigned must read back as the text given (a trailing-blank or dash-escape slip
  // would make apt see another Release than the one the hashes were computed for).
  MV_ASSIGN_OR_RETURN(std::string text, ClearsignedText(out.inrelease, where));
  if (text != release) {
    return Internal(std::string(where) + ": the clearsigned Release does not read back as signed");
  }
  return out;
}

}  // namespace mv::apt
