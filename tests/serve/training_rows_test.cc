#include "feedscout/serve/training_rows.h"

#include <gtest/gtest.h>

namespace feedscout {
namespace {

constexpr TimeMs kT = 1'000'000;

LoggedPage page(std::string user, TimeMs t, std::vector<std::string> docs, size_t width = 2) {
  LoggedPage p;
  p.user = std::move(user);
  p.time_ms = t;
  p.doc_ids = std::move(docs);
  for (size_t i = 0; i < p.doc_ids.size(); ++i) {
    p.served.push_back(1);
    for (size_t f = 0; f < width; ++f) p.features.push_back(static_cast<float>(i * 10 + f));
  }
  return p;
}

TEST(TrainingRows, LabelsOnlyClicksAfterThePageWithinTheWindow) {
  const std::vector<LoggedPage> pages{page("u", kT, {"a", "b", "c", "d"})};
  const std::vector<FeedbackClick> clicks{
      {"u", "a", kT - 1},      // before the page: the page could not have caused it
      {"u", "b", kT + 10},     // inside the window
      {"u", "c", kT + 5'000},  // after the window
      {"v", "d", kT + 10},     // another user
  };
  JoinReport report;
  const RankingData d = join_clicks(pages, clicks, 1'000, 2, &report);
  ASSERT_EQ(d.labels.size(), 4u);
  EXPECT_EQ(d.labels, (std::vector<float>{0, 1, 0, 0}));
  EXPECT_EQ(d.group_sizes, (std::vector<uint32_t>{4}));
  EXPECT_EQ(d.features, pages[0].features);
  EXPECT_EQ(report.positives, 1u);
  EXPECT_EQ(report.pages_without_click, 0u);
}

TEST(TrainingRows, APagesLabelHorizonEndsItsQuestionInsideTheWindow) {
  std::vector<LoggedPage> pages{page("u", kT, {"a", "b", "c"})};
  pages[0].label_until_ms = kT + 100;
  const std::vector<FeedbackClick> clicks{
      {"u", "a", kT + 100},  // at the horizon: counts
      {"u", "b", kT + 101},  // after it, though inside the window
      {"u", "c", kT + 50},
  };
  const RankingData d = join_clicks(pages, clicks, 1'000, 2, nullptr);
  EXPECT_EQ(d.labels, (std::vector<float>{1, 0, 1}));
  // A horizon past the window does not widen it.
  pages[0].label_until_ms = kT + 1'000'000;
  const RankingData wide = join_clicks(pages, {{"u", "a", kT + 2'000}}, 1'000, 2, nullptr);
  EXPECT_EQ(wide.labels, (std::vector<float>{0, 0, 0}));
}

TEST(TrainingRows, AClickAtThePageTimeIsNotAfterIt) {
  const RankingData d = join_clicks({page("u", kT, {"a"})}, {{"u", "a", kT}}, 1'000, 2, nullptr);
  EXPECT_EQ(d.labels, (std::vector<float>{0}));
}

TEST(TrainingRows, OneGroupPerPageAndOneClickCreditsEveryEarlierPage) {
  const std::vector<LoggedPage> pages{page("u", kT, {"a", "b"}), page("u", kT + 100, {"a", "c"})};
  JoinReport report;
  const RankingData d = join_clicks(pages, {{"u", "a", kT + 200}}, 1'000, 2, &report);
  EXPECT_EQ(d.group_sizes, (std::vector<uint32_t>{2, 2}));
  EXPECT_EQ(d.labels, (std::vector<float>{1, 0, 1, 0}));
  EXPECT_EQ(report.pages, 2u);
}

TEST(TrainingRows, MalformedPagesAreSkippedAndCounted) {
  LoggedPage bad = page("u", kT, {"a", "b"});
  bad.features.pop_back();
  JoinReport report;
  const RankingData d =
      join_clicks({bad, page("u", kT, {}), page("u", kT, {"x"})}, {}, 1'000, 2, &report);
  EXPECT_EQ(report.pages_malformed, 2u);
  EXPECT_EQ(report.pages, 1u);
  EXPECT_EQ(report.pages_without_click, 1u);
  EXPECT_EQ(d.group_sizes, (std::vector<uint32_t>{1}));
}

}  // namespace
}  // namespace feedscout
