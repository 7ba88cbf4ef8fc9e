#include "sortie/git/sha256.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace sortie::git {
namespace {

// Test vectors from NIST's "SHA-256 examples" (FIPS 180-4 appendix) and the SHAVS long messages.
TEST(GitSha256, MatchesNistVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(
      sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmno"
                 "pqklmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(GitSha256, MessagesAroundBlockBoundariesArePaddedCorrectly) {
  // 55 bytes leave room for the length in the last block, 56 do not; 64 and 128 fill blocks.
  // Expected digests from coreutils' sha256sum.
  const std::pair<std::size_t, std::string> cases[] = {
      {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
      {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
      {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
      {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
      {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
      {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
      {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
      {128, "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464"},
  };
  for (const auto& [length, digest] : cases) {
    EXPECT_EQ(sha256_hex(std::string(length, 'x')), digest) << length << " bytes";
  }
}

TEST(GitSha256, ChunkedUpdatesGiveTheSameDigestAsOneUpdate) {
  std::string message;
  for (int i = 0; i < 1000; ++i) message += static_cast<char>(i * 7 + 3);
  const std::string expected = sha256_hex(message);
  for (std::size_t chunk : {1u, 3u, 63u, 64u, 65u, 127u, 500u}) {
    Sha256 hash;
    for (std::size_t offset = 0; offset < message.size(); offset += chunk) {
      hash.update(std::string_view(message).substr(offset, chunk));
    }
    EXPECT_EQ(hash.finish_hex(), expected) << "chunk size " << chunk;
  }
}

}  // namespace
}  // namespace sortie::git
