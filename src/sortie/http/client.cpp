#include "sortie/http/client.hpp"

#include <fmt/format.h>
#include <httplib.h>

namespace sortie::http {

core::Result<ClientResponse> send(const std::string& base_url, std::string_view method,
                                  const std::string& path, const std::string& body,
                                  std::chrono::milliseconds timeout,
                                  const std::optional<std::string>& bearer) {
  httplib::Client client(base_url);
  if (bearer) client.set_bearer_token_auth(*bearer);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout));
  client.set_write_timeout(std::chrono::seconds(10));
  httplib::Result result = method == "GET"    ? client.Get(path)
                           : method == "DELETE" ? client.Delete(path, "", "application/json")
                                                : client.Post(path, body, "application/json");
  if (!result) {
    const auto error = result.error();
    if (error == httplib::Error::Read || error == httplib::Error::Write) {
      return core::fail(core::ErrorCode::timeout,
                        fmt::format("sortie serve at {} did not answer {} {} in time", base_url,
                                    method, path));
    }
    return core::fail(core::ErrorCode::connection_failed,
                      fmt::format("cannot reach sortie serve at {}: {}", base_url,
                                  httplib::to_string(error)));
  }
  return ClientResponse{result->status, result->body};
}

}  // namespace sortie::http
