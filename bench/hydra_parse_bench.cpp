// How fast sortie parses Hydra overrides and expands a multirun sweep, next to naive splitting
// of the same strings on '=' and ',' measured in the same run. Target: parsing 10,000 overrides
// and expanding a 1,000-job sweep each under 50 ms (median).
#include <fmt/format.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "bench/measure.hpp"
#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/sweep.hpp"

namespace {

constexpr std::size_t kOverrides = 10'000;
constexpr std::size_t kRuns = 15;
constexpr double kTargetMilliseconds = 50.0;

// What researchers' launch lines hold: plain values, groups, packages, adds and deletes,
// lists, dicts, interpolations, quoted strings, sweeps and functions.
std::vector<std::string> realistic_overrides() {
  const std::array<std::string_view, 20> templates{
      "trainer.max_epochs={}",
      "optimizer.lr=3e-{}",
      "model=resnet{}",
      "+experiment=baseline_v{}",
      "~callbacks.early_stopping_{}",
      "data.path=/scratch/user{}/datasets/imagenet",
      "model.layers=[64,128,{}]",
      "optimizer={{name:adam,betas:[0.9,0.999],eps:1e-{}}}",
      "seed={},2,3",
      "lr=range(0.001,0.01,0.00{})",
      "db=choice(mysql,postgres{})",
      "run_name=${{now:%Y-%m-%d}}_run{}",
      "hydra.run.dir='outputs/${{now:%H-%M-%S}}/{}'",
      "batch_size=int({}.0)",
      "++trainer.devices={}",
      "dropout=interval(0.1,0.{})",
      "tags=sort([c,a,b{}])",
      "server/db@backup=mysql{}",
      "msg=hello world {}",
      "trainer.precision=bf16,{}",
  };
  std::vector<std::string> overrides;
  overrides.reserve(kOverrides);
  for (std::size_t i = 0; i < kOverrides; ++i)
    overrides.push_back(fmt::format(fmt::runtime(templates[i % templates.size()]), i % 9 + 1));
  return overrides;
}

// The baseline: what a launcher that does not understand Hydra would do.
std::size_t split_naively(const std::vector<std::string>& overrides) {
  std::size_t pieces = 0;
  std::vector<std::string_view> parts;
  for (std::string_view text : overrides) {
    parts.clear();
    const auto equal = text.find('=');
    parts.push_back(text.substr(0, equal));
    std::string_view value = equal == std::string_view::npos ? "" : text.substr(equal + 1);
    while (true) {
      const auto comma = value.find(',');
      parts.push_back(value.substr(0, comma));
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
    pieces += parts.size();
  }
  return pieces;
}

// 10 x 5 x 4 x 5 = 1,000 jobs, plus one override every job gets.
const std::vector<std::string> k_sweep = {
    "seed=range(10)",
    "optimizer.lr=0.1,0.01,0.001,0.0001,0.00001",
    "model=resnet18,resnet50,vit_b,vit_l",
    "batch_size=32,64,128,256,512",
    "trainer.max_epochs=100",
};

// The baseline: Hydra 0.11's sweeper, a cartesian product of comma-split strings.
std::size_t product_naively(const std::vector<std::string>& arguments) {
  std::vector<std::vector<std::string>> lists;
  for (std::string_view text : arguments) {
    const auto equal = text.find('=');
    const std::string key(text.substr(0, equal));
    std::string_view value = text.substr(equal + 1);
    std::vector<std::string> list;
    while (true) {
      const auto comma = value.find(',');
      list.push_back(fmt::format("{}={}", key, value.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
    lists.push_back(std::move(list));
  }
  std::vector<std::vector<std::string>> jobs{{}};
  for (const auto& list : lists) {
    std::vector<std::vector<std::string>> next;
    for (const auto& job : jobs)
      for (const auto& item : list) {
        next.push_back(job);
        next.back().push_back(item);
      }
    jobs = std::move(next);
  }
  return jobs.size();
}

}  // namespace

int main() {
  using sortie::bench::measure;
  const auto overrides = realistic_overrides();

  std::size_t parsed_count = 0;
  auto parse = measure("hydra::parse_override x10,000", kRuns, [&] {
    parsed_count = 0;
    for (const auto& text : overrides) {
      auto parsed = sortie::hydra::parse_override(text);
      if (!parsed) {
        fmt::print(stderr, "{}\n", parsed.error().message);
        return false;
      }
      ++parsed_count;
    }
    return true;
  });
  std::size_t pieces = 0;
  auto split = measure("split on '=' and ',' x10,000", kRuns, [&] {
    pieces = split_naively(overrides);
    return pieces > 0;
  });

  std::size_t job_count = 0;
  auto sweep = measure("parse + expand_jobs, 1,000 jobs", kRuns, [&] {
    auto parsed = sortie::hydra::parse_overrides(k_sweep);
    if (!parsed) return false;
    auto jobs = sortie::hydra::expand_jobs(*parsed);
    if (!jobs) {
      fmt::print(stderr, "{}\n", jobs.error().message);
      return false;
    }
    job_count = jobs->size();
    return true;
  });
  std::vector<std::string> naive_arguments(k_sweep.begin(), k_sweep.end());
  naive_arguments[0] = "seed=0,1,2,3,4,5,6,7,8,9";
  auto product = measure("naive split + product, 1,000 jobs", kRuns,
                         [&] { return product_naively(naive_arguments) == 1000; });
  if (!parse || !split || !sweep || !product) return 1;
  if (job_count != 1000) {
    fmt::print(stderr, "expected 1000 jobs, got {}\n", job_count);
    return 1;
  }

  fmt::print("{:<38} {:>10} {:>10}\n", fmt::format("what ({} runs)", kRuns), "median ms", "p90 ms");
  for (const auto* figures : {&*parse, &*split, &*sweep, &*product})
    fmt::print("{:<38} {:>10.2f} {:>10.2f}\n", figures->name, figures->median_ms, figures->p90_ms);
  fmt::print("\nparse / split: {:.1f}x; sweep / naive product: {:.1f}x\n",
             parse->median_ms / split->median_ms, sweep->median_ms / product->median_ms);
  const bool pass =
      parse->median_ms < kTargetMilliseconds && sweep->median_ms < kTargetMilliseconds;
  fmt::print("{}: parsing {:.2f} ms and sweeping {:.2f} ms against a target of {:.0f} ms each\n",
             pass ? "PASS" : "FAIL", parse->median_ms, sweep->median_ms, kTargetMilliseconds);
  return pass ? 0 : 1;
}
