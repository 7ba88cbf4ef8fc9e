// `sortie tokens create|list|revoke`: API tokens for `sortie serve` beyond loopback (or with
// --require-tokens). A token is printed once; the database keeps only its SHA-256.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "sortie/api/auth.hpp"
#include "sortie/cli/context.hpp"

namespace sortie::cli {
namespace {

struct TokenOptions {
  std::string name;
};

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
           c == '@';
  });
}

int create(Context& context, const TokenOptions& options) {
  if (!valid_name(options.name)) {
    return report({core::ErrorCode::invalid_argument,
                   fmt::format("token name '{}': use 1 to 64 letters, digits, '-', '_', '.', '@' "
                               "(e.g. laptop or alice@lab)",
                               options.name)});
  }
  auto store = context.store();
  if (!store) return report(store.error());
  auto token = api::new_token();
  if (!token) return report(token.error());
  if (auto saved = (*store)->create_token(options.name, api::token_hash(*token)); !saved) {
    return report(saved.error());
  }
  fmt::print("{}\n", *token);
  fmt::print(stderr,
             "Token '{}' created. It is shown only this once: keep it somewhere safe. Send it as "
             "`Authorization: Bearer TOKEN`, or sign in with it on the web UI.\n",
             options.name);
  return 0;
}

int list(Context& context) {
  auto store = context.store();
  if (!store) return report(store.error());
  auto tokens = (*store)->tokens();
  if (!tokens) return report(tokens.error());
  if (tokens->empty()) {
    fmt::print("No API tokens. Make one with `sortie tokens create NAME`.\n");
    return 0;
  }
  fmt::print("{:<32} {}\n", "NAME", "CREATED");
  for (const auto& token : *tokens) {
    fmt::print("{:<32} {:%Y-%m-%d %H:%M:%S} UTC\n", token.name, token.created_at);
  }
  return 0;
}

int revoke(Context& context, const TokenOptions& options) {
  auto store = context.store();
  if (!store) return report(store.error());
  auto removed = (*store)->delete_token(options.name);
  if (!removed) return report(removed.error());
  if (!*removed) {
    return report({core::ErrorCode::not_found,
                   fmt::format("no token named '{}' (see `sortie tokens list`)", options.name)});
  }
  fmt::print("Token '{}' revoked: requests and sessions using it are refused from now on.\n",
             options.name);
  return 0;
}

}  // namespace

void add_token_commands(CLI::App& app, Context& context) {
  auto options = std::make_shared<TokenOptions>();
  auto* tokens = app.add_subcommand("tokens", "API tokens for `sortie serve` (hashes are stored)");
  tokens->require_subcommand(1);
  auto* create_command = tokens->add_subcommand("create", "Make a token and print it once");
  create_command->add_option("name", options->name, "Who or what uses it (laptop, alice)")
      ->required();
  create_command->callback([&context, options] { context.status = create(context, *options); });
  auto* list_command = tokens->add_subcommand("list", "List tokens by name (never the tokens)");
  list_command->callback([&context] { context.status = list(context); });
  auto* revoke_command = tokens->add_subcommand("revoke", "Forget a token");
  revoke_command->add_option("name", options->name, "The token's name")->required();
  revoke_command->callback([&context, options] { context.status = revoke(context, *options); });
}

}  // namespace sortie::cli
