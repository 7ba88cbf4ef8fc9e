#include "sortie/slurm/gres.hpp"

#include <gtest/gtest.h>

namespace sortie::slurm {
namespace {

std::vector<GresItem> parse_ok(std::string_view text) {
  auto items = parse_gres(text);
  EXPECT_TRUE(items.has_value()) << text << ": " << (items ? "" : items.error().message);
  return items ? *items : std::vector<GresItem>{};
}

TEST(Gres, ParsesTypedCount) {
  EXPECT_EQ(parse_ok("gpu:a100:4"), (std::vector<GresItem>{{"gpu", "a100", 4}}));
}

TEST(Gres, ParsesUntypedCountWithSocketNote) {
  EXPECT_EQ(parse_ok("gpu:4(S:0-1)"), (std::vector<GresItem>{{"gpu", "", 4}}));
}

TEST(Gres, ReadsNullTypeAsUntyped) {
  EXPECT_EQ(parse_ok("gpu:(null):4(IDX:0-3)"), (std::vector<GresItem>{{"gpu", "", 4}}));
}

TEST(Gres, ParsesTwoTypesOnOneNode) {
  EXPECT_EQ(parse_ok("gpu:1080ti:1(IDX:0),gpu:980gtx:1(IDX:1)"),
            (std::vector<GresItem>{{"gpu", "1080ti", 1}, {"gpu", "980gtx", 1}}));
}

TEST(Gres, ParsesCommaInsideIndexList) {
  EXPECT_EQ(parse_ok("gpu:NVlink_A100_40GB:2(IDX:0,3)"),
            (std::vector<GresItem>{{"gpu", "NVlink_A100_40GB", 2}}));
}

TEST(Gres, ParsesCommaInsideIndexListFollowedByAnotherItem) {
  EXPECT_EQ(parse_ok("gpu:a100:2(IDX:0,3),shard:a100:8(2/4,0/4,0/4,6/4)"),
            (std::vector<GresItem>{{"gpu", "a100", 2}, {"shard", "a100", 8}}));
}

TEST(Gres, ParsesTypeNamesWithDashesDotsAndUnderscores) {
  EXPECT_EQ(parse_ok("gpu:nvidia_a100-sxm4-80gb:8(S:0-1)"),
            (std::vector<GresItem>{{"gpu", "nvidia_a100-sxm4-80gb", 8}}));
  EXPECT_EQ(parse_ok("gpu:nvidia_h100_80gb_hbm3_3g.40gb:2"),
            (std::vector<GresItem>{{"gpu", "nvidia_h100_80gb_hbm3_3g.40gb", 2}}));
}

TEST(Gres, KeepsShardsNextToGpusByName) {
  EXPECT_EQ(parse_ok("gpu:h100:1,shard:h100:2"),
            (std::vector<GresItem>{{"gpu", "h100", 1}, {"shard", "h100", 2}}));
}

TEST(Gres, ReadsZeroUsedWithNoIndex) {
  EXPECT_EQ(parse_ok("gpu:h100:0(IDX:N/A)"), (std::vector<GresItem>{{"gpu", "h100", 0}}));
}

TEST(Gres, ReadsUntypedZeroUsed) {
  EXPECT_EQ(parse_ok("gpu:0"), (std::vector<GresItem>{{"gpu", "", 0}}));
}

TEST(Gres, ReadsNullNaAndEmptyAsNothing) {
  EXPECT_TRUE(parse_ok("(null)").empty());
  EXPECT_TRUE(parse_ok("N/A").empty());
  EXPECT_TRUE(parse_ok("").empty());
}

TEST(Gres, ReadsNameAloneAsOne) {
  EXPECT_EQ(parse_ok("gpu"), (std::vector<GresItem>{{"gpu", "", 1}}));
  EXPECT_EQ(parse_ok("gpu:a100"), (std::vector<GresItem>{{"gpu", "a100", 1}}));
}

TEST(Gres, AppliesCountSuffixes) {
  EXPECT_EQ(parse_ok("mps:400,bandwidth:lustre:no_consume:4G"),
            (std::vector<GresItem>{{"mps", "", 400}, {"bandwidth", "lustre", 4LL << 30}}));
}

TEST(Gres, RejectsMalformedStringsWithoutCrashing) {
  for (const std::string_view bad : {"gpu:a100:4(IDX:0", "gpu:a100:4)", ",gpu:1", "gpu:1,,gpu:2",
                                     ":4", "gpu:a b:1", "gpu:x:y:4", "gpu:a100:4(IDX:0))", "(("}) {
    const auto items = parse_gres(bad);
    ASSERT_FALSE(items.has_value()) << bad;
    EXPECT_EQ(items.error().code, core::ErrorCode::parse_error);
  }
}

TEST(Gres, SurvivesEveryPrefixOfARealValue) {
  const std::string_view value = "gpu:1080ti:1(IDX:0),gpu:(null):2(IDX:1,3),shard:h100:2(S:0-1)";
  for (std::size_t length = 0; length <= value.size(); ++length) {
    (void)parse_gres(value.substr(0, length));
  }
}

}  // namespace
}  // namespace sortie::slurm
