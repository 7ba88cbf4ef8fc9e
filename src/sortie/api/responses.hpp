#pragma once

// Small helpers the route files share: error responses and reading ids and numbers from a
// request, each refusal naming the parameter.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"
#include "sortie/http/message.hpp"

namespace sortie::api {

// {"error": {...}} with the status of http::status_for(error.code).
http::Response error_response(const core::Error& error);
// {"error": {...}} with an explicit status and code ("conflict", "unauthorized", ...).
http::Response error_response(int status, std::string_view code, std::string_view message);

// The path parameter `name` as a positive id; invalid_argument otherwise.
core::Result<std::int64_t> path_id(const http::Request& request, std::string_view name = "id");

// The query parameter `name` as an integer in [low, high]; `fallback` when absent.
core::Result<std::int64_t> query_integer(const http::Request& request, std::string_view name,
                                         std::int64_t fallback, std::int64_t low,
                                         std::int64_t high);

// Whether the body was declared as JSON (or not declared at all, as curl -d sends).
bool declares_json(const http::Request& request);

// A 415 when a body is sent as something other than JSON.
std::optional<http::Response> refuse_non_json(const http::Request& request);

}  // namespace sortie::api
