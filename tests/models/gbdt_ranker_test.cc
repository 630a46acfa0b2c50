// GbdtRanker on synthetic ranking problems: real XGBoost training, scoring, SHAP and the
// model file's checks.
#include "feedscout/models/gbdt_ranker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace feedscout {
namespace {

constexpr size_t kGroupSize = 20;

FeatureSchema test_schema() {
  return {"test-ranker", 1, {"f0", "f1", "f2", "f3", "f4"}};
}

// Nonlinear in f0 and f1 (a disc of radius 0.3, 28% of rows), independent of f2..f4: trees
// need many rounds to approximate it.
bool rule(const float* row) {
  const float x = row[0] - 0.5f, y = row[1] - 0.5f;
  return x * x + y * y < 0.09f;
}

// n_groups groups of 20 rows of 5 uniform [0, 1) features, labelled 1 iff rule(row), each
// label flipped with probability `flip` (0.5: labels independent of the features).
RankingData synthetic(size_t n_groups, uint32_t seed, float flip = 0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  RankingData d;
  d.n_features = 5;
  for (size_t g = 0; g < n_groups; ++g) {
    for (size_t i = 0; i < kGroupSize; ++i) {
      float row[5];
      for (float& v : row) v = u(rng);
      d.features.insert(d.features.end(), row, row + 5);
      d.labels.push_back(rule(row) != (u(rng) < flip) ? 1.0f : 0.0f);
    }
    d.group_sizes.push_back(kGroupSize);
  }
  return d;
}

// The noise-free labels of `d`: rule() of each row.
std::vector<float> truth(const RankingData& d) {
  std::vector<float> out;
  for (size_t i = 0; i < d.n_rows(); ++i) out.push_back(rule(&d.features[i * 5]) ? 1.0f : 0.0f);
  return out;
}

RankerTrainOptions fast_options() {
  RankerTrainOptions o;
  o.max_rounds = 60;
  o.early_stopping_rounds = 10;
  o.max_depth = 4;
  o.eta = 0.3;
  return o;
}

double mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

// One model on the nonlinear problem, trained once for the tests that only use it (and
// destroyed before exit: see the note on static rankers in gbdt_ranker.h).
struct Trained {
  RankingData train = synthetic(150, 1, 0.05f);
  RankingData validation = synthetic(50, 2, 0.05f);
  RankerTrainReport report;
  std::unique_ptr<GbdtRanker> ranker;
};

class GbdtRankerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    trained_ = std::make_unique<Trained>();
    auto r = GbdtRanker::train(test_schema(), trained_->train, trained_->validation, fast_options(),
                               &trained_->report);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    trained_->ranker = std::make_unique<GbdtRanker>(std::move(r).value());
  }
  static void TearDownTestSuite() { trained_.reset(); }

  static const Trained& trained() { return *trained_; }

 private:
  static inline std::unique_ptr<Trained> trained_;
};

std::vector<float> scores_of(const GbdtRanker& ranker, const RankingData& d) {
  std::vector<float> s;
  const Status st = ranker.predict(d.features, d.n_rows(), &s);
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  return s;
}

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("gbdt_ranker_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_F(GbdtRankerTest, LearnsNonlinearRelevance) {
  const Trained& t = trained();
  ASSERT_NE(t.ranker, nullptr);
  const std::vector<float> scores = scores_of(*t.ranker, t.validation);
  ASSERT_EQ(scores.size(), t.validation.n_rows());

  // Judged against the noise-free labels, and against the noisy ones it was trained on.
  const std::vector<float> labels = truth(t.validation);
  const std::vector<uint32_t>& groups = t.validation.group_sizes;
  std::mt19937 rng(3);
  std::vector<float> random(scores.size());
  for (float& r : random) r = std::uniform_real_distribution<float>(0, 1)(rng);
  EXPECT_GT(mean(ndcg_at_k_per_group(labels, scores, groups, 10)), 0.95);
  EXPECT_LT(mean(ndcg_at_k_per_group(labels, random, groups, 10)), 0.7);
  const double noisy_random = mean(ndcg_at_k_per_group(t.validation.labels, random, groups, 10));
  const double noisy_model = mean(ndcg_at_k_per_group(t.validation.labels, scores, groups, 10));
  EXPECT_GT(noisy_model, noisy_random + 0.2);
  EXPECT_NEAR(noisy_model, t.report.best_validation_metric, 1e-4);  // XGBoost's own ndcg@10

  // Relevant rows score higher: on average, and in nearly every (relevant, irrelevant)
  // pair of one group.
  double relevant = 0, irrelevant = 0;
  size_t n_relevant = 0, pairs = 0, ordered = 0, begin = 0;
  for (uint32_t size : groups) {
    for (size_t i = begin; i < begin + size; ++i) {
      const bool rel = labels[i] > 0;
      (rel ? relevant : irrelevant) += scores[i];
      n_relevant += rel;
      for (size_t j = begin; rel && j < begin + size; ++j) {
        if (labels[j] > 0) continue;
        ++pairs;
        ordered += scores[i] > scores[j];
      }
    }
    begin += size;
  }
  ASSERT_GT(n_relevant, 0u);
  EXPECT_GT(relevant / n_relevant, irrelevant / (scores.size() - n_relevant) + 0.3);
  EXPECT_GT(static_cast<double>(ordered) / pairs, 0.97);

  const RankerTrainReport& r = t.report;
  EXPECT_EQ(r.train_rows, 150 * kGroupSize);
  EXPECT_EQ(r.train_groups, 150u);
  EXPECT_EQ(r.validation_rows, 50 * kGroupSize);
  EXPECT_EQ(r.validation_groups, 50u);
  EXPECT_EQ(r.train_metric.size(), r.rounds_trained);
  EXPECT_EQ(r.validation_metric.size(), r.rounds_trained);
  EXPECT_EQ(t.ranker->rounds(), r.best_round + 1);
  EXPECT_EQ(r.validation_metric[r.best_round], r.best_validation_metric);
  EXPECT_GT(r.best_round, 2u);
  EXPECT_EQ(t.ranker->version().size(), 12u);
}

TEST_F(GbdtRankerTest, EarlyStoppingKeepsExactlyTheBestRounds) {
  const RankingData train = synthetic(60, 11, /*flip=*/0.5f);
  const RankingData validation = synthetic(30, 12, /*flip=*/0.5f);
  RankerTrainOptions o = fast_options();
  o.max_rounds = 200;
  o.early_stopping_rounds = 5;
  RankerTrainReport report;
  auto r = GbdtRanker::train(test_schema(), train, validation, o, &report);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_LT(report.rounds_trained, o.max_rounds);
  EXPECT_LT(report.best_round, report.rounds_trained - 1);
  EXPECT_EQ(report.rounds_trained, report.best_round + 1 + o.early_stopping_rounds);
  // best_round is the first round with the best metric.
  for (size_t i = 0; i < report.rounds_trained; ++i) {
    const double v = report.validation_metric[i];
    if (i < report.best_round) {
      EXPECT_LT(v, report.best_validation_metric) << i;
    } else if (i > report.best_round) {
      EXPECT_LE(v, report.best_validation_metric) << i;
    }
  }
  EXPECT_EQ(r->rounds(), report.best_round + 1);

  // Training just the best number of rounds (deterministic: one thread, no sampling) gives
  // the same trees, so the sliced model must predict exactly like it.
  RankerTrainOptions exact = o;
  exact.max_rounds = report.best_round + 1;
  exact.early_stopping_rounds = 0;
  RankerTrainReport exact_report;
  auto e = GbdtRanker::train(test_schema(), train, RankingData{}, exact, &exact_report);
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  EXPECT_EQ(exact_report.rounds_trained, report.best_round + 1);
  EXPECT_TRUE(exact_report.validation_metric.empty());
  EXPECT_TRUE(std::isnan(exact_report.best_validation_metric));
  EXPECT_EQ(scores_of(*r, validation), scores_of(*e, validation));

  // One round more is a different model.
  exact.max_rounds += 1;
  auto longer = GbdtRanker::train(test_schema(), train, RankingData{}, exact, nullptr);
  ASSERT_TRUE(longer.is_ok());
  EXPECT_NE(scores_of(*r, validation), scores_of(*longer, validation));
}

TEST_F(GbdtRankerTest, PairwiseMapAndGroupWeightsTrain) {
  RankingData train = synthetic(60, 21);
  const RankingData validation = synthetic(20, 22);
  for (const char* objective : {"rank:pairwise", "rank:map"}) {
    RankerTrainOptions o = fast_options();
    o.objective = objective;
    RankerTrainReport report;
    auto r = GbdtRanker::train(test_schema(), train, validation, o, &report);
    ASSERT_TRUE(r.is_ok()) << objective << ": " << r.status().to_string();
    EXPECT_GT(report.best_validation_metric, 0.9) << objective;
  }
  train.group_weights.assign(train.n_groups(), 1.0f);
  train.group_weights[0] = 3.0f;
  RankerTrainOptions o = fast_options();
  o.eval_metric = "map";
  auto r = GbdtRanker::train(test_schema(), train, validation, o, nullptr);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
}

TEST_F(GbdtRankerTest, InvalidDataRejected) {
  const FeatureSchema schema = test_schema();
  const RankingData good = synthetic(3, 31);
  ASSERT_TRUE(validate_ranking_data(good, &schema).is_ok());
  auto rejected = [&](const RankingData& d, const std::string& part) {
    const Status s = validate_ranking_data(d, &schema);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << part;
    EXPECT_TRUE(contains(s.message(), part)) << s.message();
    auto r = GbdtRanker::train(schema, d, RankingData{}, fast_options(), nullptr);
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << part;
    EXPECT_TRUE(contains(r.status().message(), part)) << r.status().message();
  };
  RankingData d = good;
  d.features.pop_back();
  rejected(d, "features has");
  d = good;
  d.group_sizes.back() += 1;
  rejected(d, "group_sizes sum to 61");
  d = good;
  d.features[7 * 5 + 1] = std::nanf("");
  rejected(d, "row 7, feature 1 'f1'");
  d = good;
  d.features[2] = INFINITY;
  rejected(d, "row 0, feature 2 'f2'");
  d = good;
  d.labels[4] = -1;
  rejected(d, "row 4: label -1");
  d = good;
  d.group_sizes = {20, 0, 40};
  rejected(d, "group 1 is empty");
  d = good;
  d.group_weights = {1, 1};
  rejected(d, "group_weights has 2");
  d = good;
  d.group_weights = {1, 0, 1};
  rejected(d, "group 1: weight 0");
  d = good;
  d.n_features = 4;
  d.features.resize(d.n_rows() * 4);
  rejected(d, "data has 4 features");

  RankingData no_rows;
  no_rows.n_features = 5;
  auto e = GbdtRanker::train(schema, no_rows, RankingData{}, fast_options(), nullptr);
  EXPECT_EQ(e.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(GbdtRankerTest, InvalidSchemaAndOptionsRejected) {
  const RankingData d = synthetic(3, 32);
  auto code = [&](const FeatureSchema& s, const RankerTrainOptions& o) {
    return GbdtRanker::train(s, d, RankingData{}, o, nullptr).status().code();
  };
  const auto kInvalid = Status::Code::kInvalidArgument;
  FeatureSchema dup = test_schema();
  dup.features[3] = "f0";
  EXPECT_EQ(code(dup, fast_options()), kInvalid);
  FeatureSchema unnamed = test_schema();
  unnamed.name.clear();
  EXPECT_EQ(code(unnamed, fast_options()), kInvalid);
  FeatureSchema bad_utf8 = test_schema();
  bad_utf8.features[0] = "f\xff";
  EXPECT_EQ(code(bad_utf8, fast_options()), kInvalid);

  RankerTrainOptions o = fast_options();
  o.objective = "reg:squarederror";
  EXPECT_EQ(code(test_schema(), o), kInvalid);
  o = fast_options();
  o.max_rounds = 0;
  EXPECT_EQ(code(test_schema(), o), kInvalid);
  o = fast_options();
  o.subsample = 0;
  EXPECT_EQ(code(test_schema(), o), kInvalid);
  o = fast_options();
  o.eval_metric = "no-such-metric";
  const Status s = GbdtRanker::train(test_schema(), d, d, o, nullptr).status();
  EXPECT_EQ(s.code(), Status::Code::kInternal);
  EXPECT_TRUE(contains(s.message(), "no-such-metric")) << s.message();
}

TEST_F(GbdtRankerTest, CleanRankingDataSkipsAndCounts) {
  const FeatureSchema schema = test_schema();
  RankingData d;
  d.n_features = 5;
  auto add_group = [&](std::vector<float> labels) {
    for (float l : labels) {
      d.features.insert(d.features.end(), {0.1f, 0.2f, 0.3f, 0.4f, 0.5f});
      d.labels.push_back(l);
    }
    d.group_sizes.push_back(static_cast<uint32_t>(labels.size()));
  };
  add_group({1, 0, 0, 0});  // 0: row 1 NaN in f2, row 2 inf in f4 -> kept with 2 rows
  d.features[1 * 5 + 2] = std::nanf("");
  d.features[2 * 5 + 4] = -INFINITY;
  add_group({0, 0, 0});  // 1: no positive
  add_group({1, 1});     // 2: no negative
  add_group({});         // 3: empty
  add_group({2, 1, 0});  // 4: graded, kept
  add_group({1, 0});     // 5: only the positive survives (negative label -1 below)
  d.labels[d.labels.size() - 1] = -1;
  add_group({1, 0});  // 6: bad weight
  d.group_weights = {1, 1, 1, 1, 2, 1, NAN};

  CleanReport report;
  auto r = clean_ranking_data(schema, d, &report);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(validate_ranking_data(*r, &schema).is_ok());
  EXPECT_EQ(report.input_rows, 16u);
  EXPECT_EQ(report.input_groups, 7u);
  EXPECT_EQ(report.rows_non_finite_feature, 2u);
  EXPECT_EQ(report.non_finite_by_feature, (std::vector<size_t>{0, 0, 1, 0, 1}));
  EXPECT_EQ(report.rows_bad_label, 1u);
  EXPECT_EQ(report.groups_bad_weight, 1u);
  EXPECT_EQ(report.groups_empty, 1u);
  EXPECT_EQ(report.groups_no_positive, 1u);
  EXPECT_EQ(report.groups_no_negative, 2u);  // group 2, and group 5 after its bad row
  EXPECT_EQ(report.kept_groups, 2u);
  EXPECT_EQ(report.kept_rows, 5u);
  EXPECT_EQ(r->group_sizes, (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(r->labels, (std::vector<float>{1, 0, 2, 1, 0}));
  EXPECT_EQ(r->group_weights, (std::vector<float>{1, 2}));
  EXPECT_EQ(r->features.size(), 25u);

  RankingData broken = d;
  broken.labels.pop_back();
  EXPECT_EQ(clean_ranking_data(schema, broken, nullptr).status().code(),
            Status::Code::kInvalidArgument);
}

TEST_F(GbdtRankerTest, SaveLoadRoundTripPredictsIdentically) {
  const Trained& t = trained();
  ASSERT_NE(t.ranker, nullptr);
  TempDir dir;
  const std::string path = dir.file("ranker.fsrank");
  write_bytes(path, "old contents");
  ASSERT_TRUE(t.ranker->save(path).is_ok());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
  EXPECT_EQ(read_bytes(path), t.ranker->serialize());

  auto loaded = GbdtRanker::load(path, test_schema());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->schema(), test_schema());
  EXPECT_EQ(loaded->version(), t.ranker->version());
  EXPECT_EQ(loaded->rounds(), t.ranker->rounds());
  EXPECT_EQ(scores_of(*loaded, t.validation), scores_of(*t.ranker, t.validation));
  EXPECT_EQ(loaded->serialize(), t.ranker->serialize());

  EXPECT_EQ(t.ranker->save(dir.file("no/such/dir/x")).code(), Status::Code::kIOError);
}

TEST_F(GbdtRankerTest, DamagedFilesAreClearErrors) {
  const Trained& t = trained();
  ASSERT_NE(t.ranker, nullptr);
  TempDir dir;
  const std::string good = t.ranker->serialize();
  const size_t header_end = good.find('\n', 8);
  const size_t payload_begin = header_end + 18;
  ASSERT_LT(payload_begin + 100, good.size());
  auto load_bytes = [&](const std::string& bytes) {
    const std::string path = dir.file("model");
    write_bytes(path, bytes);
    return GbdtRanker::load(path, test_schema()).status();
  };
  auto expect_corrupt = [&](const std::string& bytes, const std::string& part) {
    const Status s = load_bytes(bytes);
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << part << ": " << s.to_string();
    EXPECT_TRUE(contains(s.message(), dir.file("model"))) << s.message();
    EXPECT_TRUE(contains(s.message(), part)) << s.message();
  };
  expect_corrupt(good.substr(0, good.size() - 1), "truncated");
  expect_corrupt(good.substr(0, payload_begin + 10), "truncated");
  expect_corrupt(good.substr(0, header_end / 2), "truncated header");
  expect_corrupt(good.substr(0, 4), "not a feedscout ranker model");
  expect_corrupt("", "not a feedscout ranker model");
  expect_corrupt("id\ttitle\n1\thello\n", "not a feedscout ranker model");
  expect_corrupt(good + "x", "unexpected bytes");
  for (size_t at : {payload_begin, payload_begin + 57, good.size() - 1}) {
    std::string flipped = good;
    flipped[at] ^= 0x20;
    expect_corrupt(flipped, "payload checksum mismatch");
  }
  std::string header_flip = good;
  header_flip[header_end - 5] ^= 0x01;
  expect_corrupt(header_flip, "header checksum mismatch");
  // A model of another format version.
  std::string v2 = good;
  v2[6] = '2';
  expect_corrupt(v2, "unsupported");

  const Status missing = GbdtRanker::load(dir.file("absent"), test_schema()).status();
  EXPECT_EQ(missing.code(), Status::Code::kNotFound);
  EXPECT_TRUE(contains(missing.message(), dir.file("absent"))) << missing.message();
  EXPECT_EQ(GbdtRanker::load(dir.path().string(), test_schema()).status().code(),
            Status::Code::kIOError);
}

TEST_F(GbdtRankerTest, OtherSchemaRefused) {
  const Trained& t = trained();
  ASSERT_NE(t.ranker, nullptr);
  const std::string bytes = t.ranker->serialize();
  auto refused = [&](const FeatureSchema& engine, const std::vector<std::string>& parts) {
    const Status s = GbdtRanker::deserialize(bytes, engine).status();
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.to_string();
    for (const std::string& p : parts) EXPECT_TRUE(contains(s.message(), p)) << s.message();
  };
  FeatureSchema renamed = test_schema();
  renamed.features[3] = "f3_ctr";
  refused(renamed, {"trained on schema 'test-ranker' v1", test_schema().fingerprint(),
                    "#3: model 'f3', engine 'f3_ctr'"});
  FeatureSchema newer = test_schema();
  newer.version = 2;
  refused(newer, {"v1", "engine uses 'test-ranker' v2", "different name or version"});
  FeatureSchema longer = test_schema();
  longer.features.push_back("f5");
  refused(longer, {"engine has extra feature 'f5'"});
  EXPECT_TRUE(GbdtRanker::deserialize(bytes, test_schema()).is_ok());
}

TEST_F(GbdtRankerTest, ContributionsSumToPrediction) {
  const Trained& t = trained();
  ASSERT_NE(t.ranker, nullptr);
  const size_t n = 40, nf = 5;
  const std::span<const float> rows(t.validation.features.data(), n * nf);
  std::vector<float> scores, contrib;
  ASSERT_TRUE(t.ranker->predict(rows, n, &scores).is_ok());
  const Status s = t.ranker->contributions(rows, n, &contrib);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  ASSERT_EQ(contrib.size(), n * (nf + 1));
  double f2_to_f4 = 0, f0_f1 = 0;
  for (size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (size_t j = 0; j <= nf; ++j) sum += contrib[i * (nf + 1) + j];
    EXPECT_NEAR(sum, scores[i], 1e-4) << "row " << i;
    for (size_t j = 0; j < nf; ++j) (j < 2 ? f0_f1 : f2_to_f4) += std::abs(contrib[i * 6 + j]);
  }
  EXPECT_GT(f0_f1, 5 * f2_to_f4);  // the label depends on f0 and f1 only

  std::vector<float> untouched = {42};
  EXPECT_EQ(t.ranker->contributions(rows.first(9), 2, &untouched).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(untouched, std::vector<float>{42});
  ASSERT_TRUE(t.ranker->contributions({}, 0, &untouched).is_ok());
  EXPECT_TRUE(untouched.empty());
}

TEST_F(GbdtRankerTest, PredictRejectsWrongInput) {
  const Trained& t = trained();
  ASSERT_NE(t.ranker, nullptr);
  std::vector<float> scores = {42};
  std::vector<float> rows(10, 0.5f);
  Status s = t.ranker->predict(rows, 3, &scores);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(contains(s.message(), "10 feature values, expected n_rows * n_features = 3 * 5"))
      << s.message();
  EXPECT_EQ(t.ranker->predict(rows, 1, &scores).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(t.ranker->predict(rows, SIZE_MAX / 2, &scores).code(), Status::Code::kInvalidArgument);
  rows[6] = std::nanf("");
  s = t.ranker->predict(rows, 2, &scores);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(contains(s.message(), "row 1, feature 1 'f1'")) << s.message();
  EXPECT_EQ(scores, std::vector<float>{42});
  ASSERT_TRUE(t.ranker->predict({}, 0, &scores).is_ok());
  EXPECT_TRUE(scores.empty());
}

TEST_F(GbdtRankerTest, ConcurrentPredictMatchesSerial) {
  const Trained& t = trained();
  ASSERT_NE(t.ranker, nullptr);
  const RankingData& v = t.validation;
  const std::vector<float> serial = scores_of(*t.ranker, v);
  std::vector<float> serial_contrib;
  ASSERT_TRUE(t.ranker->contributions(v.features, v.n_rows(), &serial_contrib).is_ok());
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int it = 0; it < 30; ++it) {
        // Batches of different sizes, so that buffers are reused at other lengths.
        const size_t n = 1 + (k * 37 + it * 101) % v.n_rows();
        std::vector<float> s;
        if (!t.ranker->predict(std::span(v.features).first(n * 5), n, &s).is_ok() ||
            !std::equal(s.begin(), s.end(), serial.begin()) || s.size() != n) {
          ++mismatches[k];
        }
        if (it % 10 == 0) {
          std::vector<float> c;
          if (!t.ranker->contributions(v.features, v.n_rows(), &c).is_ok() || c != serial_contrib) {
            ++mismatches[k];
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST_F(GbdtRankerTest, MovedRankerKeepsWorking) {
  auto r = GbdtRanker::deserialize(trained().ranker->serialize(), test_schema());
  ASSERT_TRUE(r.is_ok());
  GbdtRanker a = std::move(r).value();
  GbdtRanker b = std::move(a);
  auto other = GbdtRanker::deserialize(trained().ranker->serialize(), test_schema());
  ASSERT_TRUE(other.is_ok());
  a = std::move(b);
  EXPECT_EQ(scores_of(a, trained().validation), scores_of(*trained().ranker, trained().validation));
}

TEST_F(GbdtRankerTest, FingerprintAndNdcgHelper) {
  const FeatureSchema s = test_schema();
  EXPECT_EQ(s.fingerprint().size(), 16u);
  EXPECT_EQ(s.fingerprint(), test_schema().fingerprint());
  FeatureSchema moved = s;
  moved.features = {"f0f1", "", "f2", "f3", "f4"};
  EXPECT_NE(moved.fingerprint(), s.fingerprint());
  FeatureSchema v2 = s;
  v2.version = 2;
  EXPECT_NE(v2.fingerprint(), s.fingerprint());

  const std::vector<float> labels = {0, 1, 0, 0, 0};
  const std::vector<uint32_t> groups = {3, 2};
  auto ndcg = ndcg_at_k_per_group(labels, std::vector<float>{3, 2, 1, 1, 0}, groups, 10);
  ASSERT_EQ(ndcg.size(), 2u);
  EXPECT_NEAR(ndcg[0], 1 / std::log2(3.0), 1e-9);  // the relevant row ranked second
  EXPECT_EQ(ndcg[1], 1.0);                         // no relevant row
  EXPECT_EQ(ndcg_at_k_per_group(labels, std::vector<float>{2, 3, 1, 1, 0}, groups, 10)[0], 1.0);
  EXPECT_TRUE(ndcg_at_k_per_group(labels, std::vector<float>{1}, groups, 10).empty());
}

}  // namespace
}  // namespace feedscout
