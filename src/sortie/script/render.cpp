#include "sortie/script/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <kainjow/mustache.hpp>
#include <map>
#include <set>

#include "sortie/remote/quote.hpp"
#include "sortie/script/directive.hpp"
#include "sortie/slurm/time.hpp"

namespace sortie::script {

namespace {

namespace mustache = kainjow::mustache;
using core::ErrorCode;

std::unexpected<core::Error> invalid(std::string message) {
  return core::fail(ErrorCode::invalid_argument, std::move(message));
}

// One template variable. Unset optional values are flags set to false: a section over them is
// skipped and the variable renders as nothing.
struct Value {
  enum class Kind { text, flag, list, records };
  Kind kind = Kind::flag;
  std::string text;
  bool flag = false;
  std::vector<std::string> items;              // list
  std::vector<std::string> keys;               // records: the fields of each row
  std::vector<std::vector<std::string>> rows;  // records
  bool shell = false;                          // shell by design: must be written with three braces

  static Value of_text(std::string text, bool shell = false) {
    Value value;
    value.kind = Kind::text;
    value.text = std::move(text);
    value.shell = shell;
    return value;
  }
  static Value of_flag(bool flag) {
    Value value;
    value.flag = flag;
    return value;
  }
  static Value of_list(std::vector<std::string> items, bool shell = false) {
    Value value;
    value.kind = Kind::list;
    value.items = std::move(items);
    value.shell = shell;
    return value;
  }
  static Value optional_text(const std::optional<std::string>& text) {
    return text ? of_text(*text) : of_flag(false);
  }
  static Value optional_text(const std::string& text) {
    return text.empty() ? of_flag(false) : of_text(text);
  }
  static Value optional_number(const std::optional<std::int64_t>& number) {
    return number ? of_text(std::to_string(*number)) : of_flag(false);
  }
};

using Variables = std::map<std::string, Value, std::less<>>;

// ---- Context checks -------------------------------------------------------------------------

core::Result<void> require_absolute(std::string_view field, std::string_view path) {
  if (path.empty()) return invalid(fmt::format("{} is empty: the script needs it", field));
  if (path.front() != '/') {
    return invalid(fmt::format(
        "{} '{}' is not an absolute path: neither sbatch nor a quoted shell word expands `~` or "
        "relative paths; resolve it on the cluster first",
        field, path));
  }
  return {};
}

bool is_hex_commit(std::string_view commit) {
  return (commit.size() == 40 || commit.size() == 64) &&
         std::all_of(commit.begin(), commit.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

core::Result<void> check_context(const ScriptContext& context) {
  if (context.submission_key.empty()) return invalid("submission key is empty");
  if (context.resources.job_name.empty()) return invalid("job name is empty");
  if (auto ok = require_absolute("workspace dir", context.workspace_dir); !ok) return ok;
  if (auto ok = require_absolute("job dir", context.job_dir); !ok) return ok;
  if (context.job_dir.find('%') != std::string::npos) {
    return invalid(fmt::format(
        "job dir '{}' contains '%', which sbatch reads as a pattern in --output", context.job_dir));
  }
  if (auto ok = require_absolute("code dir", context.code_dir); !ok) return ok;
  if (context.task_arguments_dir) {
    if (auto ok = require_absolute("task arguments dir", *context.task_arguments_dir); !ok) {
      return ok;
    }
  }
  if (context.delivery == CodeDelivery::git) {
    if (!is_hex_commit(context.commit)) {
      return invalid(fmt::format(
          "commit '{}' is not a full lower-case hex commit id: git delivery checks out an exact "
          "commit",
          context.commit));
    }
    if (context.repository_url.empty()) return invalid("repository URL is empty (git delivery)");
    if (auto ok = require_absolute("clone cache dir", context.clone_cache_dir); !ok) return ok;
  } else {
    if (!context.commit.empty() && !is_hex_commit(context.commit)) {
      return invalid(
          fmt::format("commit '{}' is not a full lower-case hex commit id", context.commit));
    }
    if (auto ok = require_absolute("snapshot path", context.snapshot_path); !ok) return ok;
  }
  for (const auto& variable : context.environment) {
    if (!is_identifier(variable.name)) {
      return invalid(fmt::format(
          "environment variable name '{}' is not a shell identifier (letters, digits, '_', not "
          "starting with a digit)",
          variable.name));
    }
  }
  for (const auto& line : context.resources.extra_sbatch_lines) {
    if (!line.starts_with("#SBATCH ") || line.find_first_of("\n\r") != std::string::npos) {
      return invalid(
          fmt::format("extra #SBATCH line '{}' must be one line starting with '#SBATCH '", line));
    }
  }
  if (context.entry_command.find_first_not_of(" \t") == std::string::npos) {
    return invalid("entry command is empty: set e.g. `python train.py`");
  }
  return {};
}

core::Result<void> check_no_nul(const Variables& variables) {
  const auto reject = [](const std::string& name) {
    return invalid(fmt::format("{} contains a NUL byte, which no script can carry", name));
  };
  for (const auto& [name, value] : variables) {
    if (remote::has_nul(value.text)) return reject(name);
    for (const auto& item : value.items) {
      if (remote::has_nul(item)) return reject(name);
    }
    for (const auto& row : value.rows) {
      for (const auto& field : row) {
        if (remote::has_nul(field)) return reject(name);
      }
    }
  }
  return {};
}

// ---- Variables ------------------------------------------------------------------------------

Variables make_variables(const ScriptContext& context) {
  const CheckedResources& resources = context.resources;
  const bool is_git = context.delivery == CodeDelivery::git;

  Variables variables;
  variables["job_name"] = Value::of_text(resources.job_name);
  variables["submission_key"] = Value::of_text(context.submission_key);
  variables["cluster"] = Value::of_text(context.cluster);
  variables["project"] = Value::of_text(context.project);

  variables["partition"] = Value::of_text(resources.partition);
  variables["gpu_type"] = Value::optional_text(resources.gpu_type);
  variables["gpus"] = resources.gpus_per_node > 0
                          ? Value::of_text(std::to_string(resources.gpus_per_node))
                          : Value::of_flag(false);
  variables["gpus_per_node"] = Value::of_text(std::to_string(resources.gpus_per_node));
  variables["total_gpus"] = Value::of_text(std::to_string(resources.total_gpus()));
  variables["gres"] =
      resources.gpus_per_node > 0
          ? Value::of_text(fmt::format("gpu:{}{}",
                                       resources.gpu_type.empty() ? "" : resources.gpu_type + ":",
                                       resources.gpus_per_node))
          : Value::of_flag(false);
  variables["nodes"] = Value::of_text(std::to_string(resources.nodes));
  variables["tasks_per_node"] = Value::optional_number(resources.tasks_per_node);
  variables["ntasks"] = Value::optional_number(resources.ntasks);
  variables["cpus_per_task"] = Value::optional_number(resources.cpus_per_task);
  variables["memory"] = Value::optional_text(resources.memory);
  variables["time_limit"] = resources.time_limit
                                ? Value::of_text(slurm::format_time_limit(resources.time_limit))
                                : Value::of_flag(false);
  variables["account"] = Value::optional_text(resources.account);
  variables["qos"] = Value::optional_text(resources.qos);
  variables["constraint"] = Value::optional_text(resources.constraint);
  variables["array"] = Value::optional_text(resources.array);
  variables["extra_sbatch_lines"] = Value::of_list(resources.extra_sbatch_lines, true);

  variables["workspace_dir"] = Value::of_text(context.workspace_dir);
  variables["job_dir"] = Value::of_text(context.job_dir);
  variables["code_dir"] = Value::of_text(context.code_dir);
  const LogPatterns logs = log_patterns(context);
  variables["stdout_path"] = Value::of_text(logs.out);
  variables["stderr_path"] = Value::of_text(logs.err);

  variables["delivery"] = Value::of_text(is_git ? "git" : "snapshot");
  variables["git"] = Value::of_flag(is_git);
  variables["snapshot"] = Value::of_flag(!is_git);
  variables["commit"] = Value::optional_text(context.commit);
  variables["repository_url"] =
      is_git ? Value::of_text(context.repository_url) : Value::of_flag(false);
  variables["clone_cache_dir"] =
      is_git ? Value::of_text(context.clone_cache_dir) : Value::of_flag(false);
  variables["snapshot_path"] =
      is_git ? Value::of_flag(false) : Value::of_text(context.snapshot_path);
  variables["snapshot_hash"] =
      is_git ? Value::of_flag(false) : Value::optional_text(context.snapshot_hash);

  variables["setup_lines"] = Value::of_list(context.setup_lines, true);
  variables["entry_command"] = Value::of_text(context.entry_command, true);
  variables["arguments"] = Value::of_list(context.arguments);
  variables["arguments_shell"] = Value::of_text(remote::join(context.arguments), true);
  Value environment;
  environment.kind = Value::Kind::records;
  environment.keys = {"name", "value"};
  for (const auto& variable : context.environment) {
    environment.rows.push_back({variable.name, variable.value});
  }
  variables["environment"] = std::move(environment);
  variables["task_arguments_dir"] = Value::optional_text(context.task_arguments_dir);
  return variables;
}

mustache::data to_data(const Variables& variables) {
  mustache::data data{mustache::data::type::object};
  for (const auto& [name, value] : variables) {
    switch (value.kind) {
      case Value::Kind::text:
        data.set(name, mustache::data{value.text});
        break;
      case Value::Kind::flag:
        data.set(name, mustache::data{value.flag ? mustache::data::type::bool_true
                                                 : mustache::data::type::bool_false});
        break;
      case Value::Kind::list: {
        mustache::data list{mustache::data::type::list};
        for (const auto& item : value.items) list.push_back(mustache::data{item});
        data.set(name, list);
        break;
      }
      case Value::Kind::records: {
        mustache::data list{mustache::data::type::list};
        for (const auto& row : value.rows) {
          mustache::data object{mustache::data::type::object};
          for (std::size_t i = 0; i < value.keys.size(); ++i) {
            object.set(value.keys[i], mustache::data{row[i]});
          }
          list.push_back(object);
        }
        data.set(name, list);
        break;
      }
    }
  }
  return data;
}

// ---- Template checks ------------------------------------------------------------------------

enum class TagKind {
  variable,
  raw_variable,
  section,
  inverted,
  close,
  comment,
  partial,
  delimiter
};

struct Tag {
  TagKind kind;
  std::string name;
  std::string written;  // the tag as written, for messages
  std::size_t line;
  bool on_directive_line;
};

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::size_t levenshtein(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Reads the tags of `text` the way kainjow's parser does with the default delimiters:
// `{{{name}}}` raw, `{{name}}` with an optional sigil, contents trimmed.
core::Result<std::vector<Tag>> scan_tags(const Template& script_template) {
  const std::string& text = script_template.text;
  std::vector<Tag> tags;
  std::size_t line = 1;
  std::size_t counted_to = 0;
  std::size_t position = 0;
  while ((position = text.find("{{", position)) != std::string::npos) {
    line += static_cast<std::size_t>(
        std::count(text.begin() + static_cast<std::ptrdiff_t>(counted_to),
                   text.begin() + static_cast<std::ptrdiff_t>(position), '\n'));
    counted_to = position;
    const bool triple = position + 2 < text.size() && text[position + 2] == '{';
    const std::string_view close = triple ? "}}}" : "}}";
    const std::size_t contents_start = position + (triple ? 3 : 2);
    const std::size_t end = text.find(close, contents_start);
    if (end == std::string::npos) {
      return invalid(fmt::format(
          "{}:{}: tag '{}' is never closed with '{}'", script_template.file_name, line,
          text.substr(position, std::min<std::size_t>(20, text.size() - position)), close));
    }
    const std::string written = text.substr(position, end + close.size() - position);
    std::string contents =
        trim(std::string_view(text).substr(contents_start, end - contents_start));
    Tag tag{TagKind::variable, "", written, line, false};
    if (triple) {
      tag.kind = TagKind::raw_variable;
    } else if (!contents.empty()) {
      switch (contents.front()) {
        case '#':
          tag.kind = TagKind::section;
          break;
        case '^':
          tag.kind = TagKind::inverted;
          break;
        case '/':
          tag.kind = TagKind::close;
          break;
        case '!':
          tag.kind = TagKind::comment;
          break;
        case '>':
          tag.kind = TagKind::partial;
          break;
        case '&':
          tag.kind = TagKind::raw_variable;
          break;
        case '=':
          tag.kind = TagKind::delimiter;
          break;
        default:
          break;
      }
      if (tag.kind != TagKind::variable) contents = trim(std::string_view(contents).substr(1));
    }
    tag.name = contents;

    // The template line the tag is on, with every tag taken out: is it an #SBATCH directive?
    const std::size_t line_start =
        text.rfind('\n', position) == std::string::npos ? 0 : text.rfind('\n', position) + 1;
    const std::size_t line_end = std::min(text.find('\n', position), text.size());
    std::string literal;
    for (std::size_t at = line_start; at < line_end;) {
      if (text.compare(at, 2, "{{") == 0) {
        const bool raw = text.compare(at, 3, "{{{") == 0;
        const std::size_t tag_end = text.find(raw ? "}}}" : "}}", at);
        if (tag_end == std::string::npos) break;
        at = tag_end + (raw ? 3 : 2);
      } else {
        literal += text[at++];
      }
    }
    tag.on_directive_line = trim(literal).starts_with("#SBATCH");

    tags.push_back(std::move(tag));
    position = end + close.size();
  }
  return tags;
}

struct OpenSection {
  std::string name;
  std::size_t line;
  const Value* value;  // nullptr for `.`
};

// What a name can render to, from the innermost section outwards, as mustache looks it up.
struct Resolved {
  const Value* value = nullptr;    // a top-level variable, or the section's value for `.`
  std::vector<std::string> texts;  // every text it may render
  bool shell = false;
};

std::optional<Resolved> resolve(std::string_view name, const std::vector<OpenSection>& sections,
                                const Variables& variables) {
  if (name == ".") {
    if (sections.empty() || sections.back().value == nullptr) return std::nullopt;
    const Value& value = *sections.back().value;
    Resolved resolved{&value, {}, value.shell};
    if (value.kind == Value::Kind::list) resolved.texts = value.items;
    if (value.kind == Value::Kind::text) resolved.texts = {value.text};
    return resolved;
  }
  for (auto section = sections.rbegin(); section != sections.rend(); ++section) {
    if (section->value == nullptr || section->value->kind != Value::Kind::records) continue;
    const auto& keys = section->value->keys;
    const auto key = std::find(keys.begin(), keys.end(), name);
    if (key == keys.end()) continue;
    Resolved resolved;
    const auto index = static_cast<std::size_t>(key - keys.begin());
    for (const auto& row : section->value->rows) resolved.texts.push_back(row[index]);
    return resolved;
  }
  const auto found = variables.find(name);
  if (found == variables.end()) return std::nullopt;
  Resolved resolved{&found->second, {}, found->second.shell};
  if (found->second.kind == Value::Kind::text) resolved.texts = {found->second.text};
  return resolved;
}

std::string unknown_message(const Template& script_template, const Tag& tag,
                            const std::vector<OpenSection>& sections, const Variables& variables) {
  std::vector<std::string> candidates;
  for (const auto& [name, value] : variables) candidates.push_back(name);
  for (const auto& section : sections) {
    if (section.value != nullptr && section.value->kind == Value::Kind::records) {
      candidates.insert(candidates.end(), section.value->keys.begin(), section.value->keys.end());
    }
  }
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& candidate : candidates) {
    const std::size_t distance = levenshtein(tag.name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  const std::string hint = best_distance <= std::max<std::size_t>(2, tag.name.size() / 3)
                               ? fmt::format("; did you mean '{}'?", best)
                               : "";
  const std::string what = tag.name == "." ? "'.' outside a list section"
                                           : fmt::format("unknown variable '{}'", tag.name);
  return fmt::format("{}:{}: {} in {}{} (docs/TEMPLATES.md lists every variable)",
                     script_template.file_name, tag.line, what, tag.written, hint);
}

// Checks every tag of the template against the variables before kainjow renders it, since
// kainjow renders unknown names as nothing.
core::Result<void> check_template(const Template& script_template, const Variables& variables) {
  auto tags = scan_tags(script_template);
  if (!tags) return std::unexpected(tags.error());
  const std::string& file = script_template.file_name;
  std::vector<OpenSection> sections;
  for (const Tag& tag : *tags) {
    const auto fail_here = [&](std::string_view message) {
      return invalid(fmt::format("{}:{}: {}", file, tag.line, message));
    };
    switch (tag.kind) {
      case TagKind::comment:
        break;
      case TagKind::partial:
        return fail_here(
            fmt::format("partials ({}) are not supported: inline the text", tag.written));
      case TagKind::delimiter:
        return fail_here(fmt::format("changing delimiters ({}) is not supported", tag.written));
      case TagKind::section:
      case TagKind::inverted: {
        const auto resolved = resolve(tag.name, sections, variables);
        if (!resolved) return invalid(unknown_message(script_template, tag, sections, variables));
        sections.push_back({tag.name, tag.line, resolved->value});
        break;
      }
      case TagKind::close:
        if (sections.empty()) {
          return fail_here(fmt::format("{} closes a section that was never opened", tag.written));
        }
        if (sections.back().name != tag.name) {
          return fail_here(fmt::format("{} does not close section '{}' opened on line {}",
                                       tag.written, sections.back().name, sections.back().line));
        }
        sections.pop_back();
        break;
      case TagKind::variable:
      case TagKind::raw_variable: {
        if (tag.name.empty()) return fail_here(fmt::format("empty tag {}", tag.written));
        const auto resolved = resolve(tag.name, sections, variables);
        if (!resolved) return invalid(unknown_message(script_template, tag, sections, variables));
        const bool quoted = tag.kind == TagKind::variable;
        if (quoted && resolved->shell) {
          return fail_here(fmt::format(
              "variable '{}' is shell by design and {} would quote it into one word: write "
              "{{{{{{{}}}}}}}",
              tag.name, tag.written, tag.name));
        }
        if (tag.on_directive_line) {
          if (quoted) {
            return fail_here(fmt::format(
                "{} on an #SBATCH line: sbatch reads no shell quoting, write {{{{{{{}}}}}}} "
                "(sortie checks such values are one plain word)",
                tag.written, tag.name));
          }
          if (!resolved->shell) {
            for (const auto& text : resolved->texts) {
              if (auto problem = directive_word_problem(text)) {
                return fail_here(
                    fmt::format("the value of '{}' ('{}') {}: it cannot go on an #SBATCH line",
                                tag.name, text, *problem));
              }
            }
          }
        }
        break;
      }
    }
  }
  if (!sections.empty()) {
    return invalid(fmt::format("{}:{}: section '{}' is never closed (add {{{{/{}}}}})", file,
                               sections.back().line, sections.back().name, sections.back().name));
  }
  return {};
}

// kainjow 4.1 drops a line holding only section tags when it renders the section, but prints it
// as an empty line when it skips the section or the tag is a comment. So, on such standalone
// lines (one closing or comment tag and blanks, as the Mustache spec defines them), an empty
// section over an always-true value follows the tag: it marks the line as a section line,
// which kainjow then drops. The name cannot clash: templates are checked against the real
// variables before this runs.
constexpr std::string_view kStandaloneMark = "sortie-standalone-line";

std::string mark_standalone_lines(const std::string& text) {
  std::string marked;
  marked.reserve(text.size());
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string_view line = std::string_view(text).substr(start, end - start);
    const std::string content = trim(line);
    const bool standalone = content.size() > 4 && content.starts_with("{{") &&
                            content.ends_with("}}") && content.find("{{", 2) == std::string::npos &&
                            (content[2] == '/' || content[2] == '!');
    if (standalone) {
      const std::size_t tag_end = line.find("}}") + 2;
      marked += line.substr(0, tag_end);
      marked += fmt::format("{{{{#{0}}}}}{{{{/{0}}}}}", kStandaloneMark);
      marked += line.substr(tag_end);
    } else {
      marked += line;
    }
    start = end;
  }
  return marked;
}

core::Result<std::string> render_checked(const Template& script_template,
                                         const Variables& variables) {
  if (auto ok = check_template(script_template, variables); !ok) {
    return std::unexpected(ok.error());
  }
  mustache::mustache engine{mark_standalone_lines(script_template.text)};
  if (!engine.is_valid()) {
    return invalid(fmt::format("{}: {}", script_template.file_name, engine.error_message()));
  }
  engine.set_custom_escape([](const std::string& text) { return remote::quote(text); });
  mustache::data data = to_data(variables);
  data.set(std::string(kStandaloneMark), mustache::data{mustache::data::type::bool_true});
  std::string rendered = engine.render(data);
  if (!engine.is_valid()) {
    return invalid(fmt::format("{}: {}", script_template.file_name, engine.error_message()));
  }
  return rendered;
}

}  // namespace

LogPatterns log_patterns(const ScriptContext& context) {
  const std::string ids = context.resources.array ? "%A_%a" : "%j";
  return {fmt::format("{}.{}.out", context.job_dir, ids),
          fmt::format("{}.{}.err", context.job_dir, ids)};
}

core::Result<std::string> render(const Template& script_template, const ScriptContext& context) {
  if (auto ok = check_context(context); !ok) return std::unexpected(ok.error());
  Variables variables = make_variables(context);
  if (auto ok = check_no_nul(variables); !ok) return std::unexpected(ok.error());

  // The entry command and setup lines are templates of their own; they cannot refer to
  // themselves.
  Variables inner = variables;
  inner.erase("entry_command");
  inner.erase("setup_lines");
  auto entry = render_checked({context.entry_command, "entry command"}, inner);
  if (!entry) return std::unexpected(entry.error());
  if (entry->find_first_of("\n\r") != std::string::npos) {
    return invalid(fmt::format(
        "entry command '{}' spans several lines: put preparation in setup lines", *entry));
  }
  std::vector<std::string> setup_lines;
  for (std::size_t i = 0; i < context.setup_lines.size(); ++i) {
    auto line =
        render_checked({context.setup_lines[i], fmt::format("setup line {}", i + 1)}, inner);
    if (!line) return std::unexpected(line.error());
    setup_lines.push_back(*line);
  }
  variables["entry_command"] = Value::of_text(*entry, true);
  variables["setup_lines"] = Value::of_list(std::move(setup_lines), true);

  return render_checked(script_template, variables);
}

std::vector<std::string> variable_names() {
  ScriptContext context;
  std::vector<std::string> names;
  for (const auto& [name, value] : make_variables(context)) names.push_back(name);
  return names;
}

core::Result<std::string> task_arguments_file(const std::vector<std::string>& arguments) {
  std::string file;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i].find_first_of("\n\r") != std::string::npos || remote::has_nul(arguments[i])) {
      return invalid(fmt::format(
          "task argument {} ('{}') contains a line break or NUL: a per-task argument file holds "
          "one argument per line",
          i + 1, arguments[i]));
    }
    file += arguments[i];
    file += '\n';
  }
  return file;
}

}  // namespace sortie::script
