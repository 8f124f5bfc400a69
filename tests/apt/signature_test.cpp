// Release signatures checked by the real gpgv, against throwaway keys made by gpg for the test:
// good InRelease and Release.gpg pass and give the signed text; a tampered text, a key missing
// from the keyring, an armored keyring, text outside the signed part and unsigned text are
// refused with the reason.
#include "apt/signature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/file_bytes.h"
#include "support/status_assert.h"
#include "support/temp_dir.h"

namespace mv::apt {
namespace {

using ::testing::HasSubstr;

std::string Slurp(const std::string& path) { return mv::testing::ReadFileBytes(path); }
void Spill(const std::string& path, const std::string& data) {
  mv::testing::WriteFileBytes(path, data);
}

class SignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Sh("mkdir -m 700 " + dir_.path() + "/good " + dir_.path() + "/other"), 0);
    for (const char* who : {"good", "other"}) {
      ASSERT_EQ(Gpg(who, "--quick-gen-key 'mirrorvault test " + std::string(who) +
                             " <test@example.invalid>' ed25519 sign never"),
                0);
    }
    ASSERT_EQ(Gpg("good", "--export > " + Path("good.gpg")), 0);
    ASSERT_EQ(Gpg("good", "--armor --export > " + Path("good.asc")), 0);
    Spill(Path("Release"), kRelease);
    ASSERT_EQ(Gpg("good", "--clearsign -o " + Path("InRelease") + " " + Path("Release")), 0);
    ASSERT_EQ(Gpg("good", "--detach-sign -o " + Path("Release.gpg") + " " + Path("Release")), 0);
    ASSERT_EQ(Gpg("other", "--clearsign -o " + Path("InRelease.other") + " " + Path("Release")), 0);
  }
  void TearDown() override {
    for (const char* who : {"good", "other"}) {
      Sh("gpgconf --homedir " + Path(who) + " --kill gpg-agent");
    }
  }

  static int Sh(const std::string& command) { return std::system(command.c_str()); }
  int Gpg(const std::string& who, const std::string& args) {
    return Sh("gpg --batch --quiet --homedir " + Path(who) +
              " --pinentry-mode loopback --passphrase '' " + args + " 2>/dev/null");
  }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  static constexpr const char* kRelease =
      "Origin: Test\nSuite: stable\nSHA256:\n "
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 1 main/x\n";
  testing::TempDir dir_;
};

TEST_F(SignatureTest, GoodSignaturesGiveTheSignedText) {
  auto verified = VerifyInRelease(Slurp(Path("InRelease")), Path("good.gpg"), "dists/stable");
  MV_ASSERT_OK(verified);
  EXPECT_EQ(verified->text, kRelease);
  ASSERT_EQ(verified->fingerprints.size(), 1u);
  EXPECT_EQ(verified->fingerprints[0].size(), 40u);
  auto detached =
      VerifyDetachedRelease(kRelease, Slurp(Path("Release.gpg")), Path("good.gpg"), "dists/stable");
  MV_ASSERT_OK(detached);
  EXPECT_EQ(detached->text, kRelease);
  EXPECT_EQ(detached->fingerprints, verified->fingerprints);
}

TEST_F(SignatureTest, ClearsignedTextIsWhatGpgvVerifies) {
  // Without checking: the same text gpgv gives, dash-escaped lines unescaped.
  auto verified = VerifyInRelease(Slurp(Path("InRelease")), Path("good.gpg"), "dists/stable");
  MV_ASSERT_OK(verified);
  auto text = ClearsignedText(Slurp(Path("InRelease")), "dists/stable/InRelease");
  MV_ASSERT_OK(text);
  EXPECT_EQ(*text, verified->text);
  const std::string dashed = std::string(kRelease) + "-----not armor\n";
  Spill(Path("Release.dashed"), dashed);
  ASSERT_EQ(
      Gpg("good", "--clearsign -o " + Path("InRelease.dashed") + " " + Path("Release.dashed")), 0);
  const std::string signed_dashed = Slurp(Path("InRelease.dashed"));
  EXPECT_THAT(signed_dashed, HasSubstr("\n- -----not armor"));
  auto unescaped = ClearsignedText(signed_dashed, "x");
  MV_ASSERT_OK(unescaped);
  EXPECT_EQ(*unescaped, dashed);
  // Not one clearsigned message: refused, naming the source.
  Status st = ClearsignedText(kRelease, "dists/stable/InRelease").status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("dists/stable/InRelease: not a clearsigned Release"));
  EXPECT_FALSE(ClearsignedText(signed_dashed + "trailing text\n", "x").ok());
}

TEST_F(SignatureTest, RefusalsSayWhy) {
  const std::string good = Slurp(Path("InRelease"));
  std::string tampered = good;
  tampered.replace(tampered.find("Suite: stable"), 13, "Suite: stab1e");
  Status st = VerifyInRelease(tampered, Path("good.gpg"), "dists/stable/InRelease").status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(),
              HasSubstr("dists/stable/InRelease: signature not accepted: bad signature by key"));

  st = VerifyInRelease(Slurp(Path("InRelease.other")), Path("good.gpg"), "dists/stable/InRelease")
           .status();
  EXPECT_THAT(st.message(), HasSubstr("which is not in " + Path("good.gpg")));

  st = VerifyDetachedRelease(std::string(kRelease) + "extra\n", Slurp(Path("Release.gpg")),
                             Path("good.gpg"), "dists/stable/Release")
           .status();
  EXPECT_THAT(st.message(), HasSubstr("dists/stable/Release: signature not accepted: bad"));

  st = VerifyInRelease(good, Path("good.asc"), "dists/stable/InRelease").status();
  EXPECT_THAT(st.message(), HasSubstr("is ASCII-armored; gpgv needs a binary keyring"));

  st = VerifyInRelease(good + "Suite: injected\n", Path("good.gpg"), "x").status();
  EXPECT_THAT(st.message(), HasSubstr("x: not a clearsigned Release: text follows the signature"));
  st = VerifyInRelease("Suite: injected\n" + good, Path("good.gpg"), "x").status();
  EXPECT_THAT(st.message(), HasSubstr("it does not begin with -----BEGIN PGP SIGNED MESSAGE"));
  st = VerifyInRelease(kRelease, Path("good.gpg"), "x").status();
  EXPECT_THAT(st.message(), HasSubstr("not a clearsigned Release"));
  st = VerifyInRelease(good, Path("missing.gpg"), "x").status();
  EXPECT_THAT(st.message(), HasSubstr("missing.gpg"));
}

TEST_F(SignatureTest, SignReleaseGivesWhatGpgvAndApt) {
  // A text with a line that gpg must dash-escape.
  const std::string text = std::string(kRelease) + "Description: - dashes\n";
  auto signed_release = SignRelease(
      text, {.gnupg_home = Path("good"), .key = "mirrorvault test good"}, "view bookworm");
  ASSERT_TRUE(signed_release.ok()) << signed_release.status().ToString();
  EXPECT_TRUE(signed_release->release_gpg.starts_with("-----BEGIN PGP SIGNATURE-----"));
  auto in = VerifyInRelease(signed_release->inrelease, Path("good.gpg"), "view");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->text, text);
  auto detached =
      VerifyDetachedRelease(text, signed_release->release_gpg, Path("good.gpg"), "view");
  ASSERT_TRUE(detached.ok()) << detached.status().ToString();
  // Verified by the real gpgv too, as apt runs it.
  Spill(Path("view-InRelease"), signed_release->inrelease);
  EXPECT_EQ(
      Sh("gpgv --keyring " + Path("good.gpg") + " " + Path("view-InRelease") + " 2>/dev/null"), 0);
}

TEST_F(SignatureTest, SignReleaseRefusalsNameTheKeyAndHome) {
  auto missing = SignRelease("Origin: x\n", {.gnupg_home = Path("good"), .key = "nobody@nowhere"},
                             "view bookworm");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("view bookworm"));
  EXPECT_THAT(missing.status().message(), HasSubstr("nobody@nowhere"));
  EXPECT_THAT(missing.status().message(), HasSubstr(Path("good")));
  EXPECT_FALSE(SignRelease("Origin: x\n", {.gnupg_home = Path("good")}, "view").ok());
}

}  // namespace
}  // namespace mv::apt
