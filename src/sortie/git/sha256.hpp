#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sortie::git {

// SHA-256 (FIPS 180-4), fed incrementally so large files can be hashed in chunks.
class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256();

  // Appends `bytes` to the message. Must not be called after finish().
  void update(std::string_view bytes);

  // Pads the message and returns its digest. Call at most once.
  Digest finish();

  // finish() as 64 lowercase hex digits.
  std::string finish_hex();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> m_state;
  std::array<std::uint8_t, 64> m_block{};
  std::size_t m_block_length = 0;
  std::uint64_t m_message_length = 0;  // bytes
};

// The SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace sortie::git
