// The signature of a suite's Release, checked with gpgv against a keyring, as apt does: a
// clearsigned InRelease, or a Release with its detached Release.gpg. And the other way: a Release
// mirrorvault wrote, signed with the operator's key through gpg.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::apt {

struct VerifiedRelease {
  std::string text;                       // the signed text, exactly as gpgv verified it
  std::vector<std::string> fingerprints;  // of the keys whose good signatures it carries
};

// InvalidArgument naming `where` and gpgv's reason (a bad signature, no key of the keyring,
// an expired or revoked key, text outside the signed part, not a clearsigned message);
// NotFound when gpgv is not installed. `keyring` is a binary OpenPGP keyring (an armored one
// is refused, naming `gpg --dearmor`).
Result<VerifiedRelease> VerifyInRelease(std::string_view inrelease, const std::string& keyring,
                                        std::string_view where);
Result<VerifiedRelease> VerifyDetachedRelease(std::string_view release, std::string_view signature,
                                              const std::string& keyring, std::string_view where);

// The signed text of a clearsigned InRelease, WITHOUT checking the signature: for reading a
// Release that was verified when it was mirrored (a run's stored copy), or one mirrored with
// --no-verify. The armor headers are skipped and dash-escaped lines ("- -...") unescaped, as
// gpgv --output does. InvalidArgument naming `where` when the text is not one clearsigned
// message.
Result<std::string> ClearsignedText(std::string_view inrelease, std::string_view where);

// The operator's signing key: a key id (or fingerprint, or user id) of a secret key in a GnuPG
// home. The secret key stays there; only the `gpg` binary reads it.
struct SigningKey {
  std::string gnupg_home;  // empty: gpg's default (~/.gnupg)
  std::string key;
};

struct SignedRelease {
  std::string inrelease;    // clearsigned (InRelease)
  std::string release_gpg;  // ASCII-armored detached signature (Release.gpg)
};

// Signs `release` (gpg --clearsign and --detach-sign --armor, SHA-256 digests, --batch: a key
// that needs a passphrase fails). InvalidArgument naming `where`, the key, the home and gpg's
// words when gpg refuses (no such secret key, an expired key, a passphrase asked); NotFound when
// gpg is not installed.
Result<SignedRelease> SignRelease(std::string_view release, const SigningKey& key,
                                  std::string_view where);

}  // namespace mv::apt
