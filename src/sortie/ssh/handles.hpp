#pragma once

// RAII owners for libssh handles. Internal to ssh/: only this folder includes libssh.

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <memory>

namespace sortie::ssh {

struct SessionDeleter {
  void operator()(ssh_session session) const {
    if (ssh_is_connected(session)) ssh_disconnect(session);
    ssh_free(session);
  }
};
using SessionPtr = std::unique_ptr<ssh_session_struct, SessionDeleter>;

struct ChannelDeleter {
  void operator()(ssh_channel channel) const {
    // Closing a channel whose session died would only fail: freeing is enough then.
    if (ssh_channel_is_open(channel) && ssh_is_connected(ssh_channel_get_session(channel))) {
      ssh_channel_close(channel);
    }
    ssh_channel_free(channel);
  }
};
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;

struct KeyDeleter {
  void operator()(ssh_key key) const { ssh_key_free(key); }
};
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyDeleter>;

struct SftpDeleter {
  void operator()(sftp_session sftp) const { sftp_free(sftp); }
};
using SftpPtr = std::unique_ptr<sftp_session_struct, SftpDeleter>;

struct SftpFileDeleter {
  void operator()(sftp_file file) const { sftp_close(file); }
};
using SftpFilePtr = std::unique_ptr<sftp_file_struct, SftpFileDeleter>;

struct SftpAttributesDeleter {
  void operator()(sftp_attributes attributes) const { sftp_attributes_free(attributes); }
};
using SftpAttributesPtr = std::unique_ptr<sftp_attributes_struct, SftpAttributesDeleter>;

// Strings libssh allocates with malloc.
struct CStringDeleter {
  void operator()(char* text) const { ssh_string_free_char(text); }
};
using CStringPtr = std::unique_ptr<char, CStringDeleter>;

struct HashDeleter {
  void operator()(unsigned char* hash) const { ssh_clean_pubkey_hash(&hash); }
};
using HashPtr = std::unique_ptr<unsigned char, HashDeleter>;

}  // namespace sortie::ssh
