#include "feedscout/eval/sample_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "feedscout/ingest/parse.h"

namespace feedscout {
namespace {

const std::string kRoot = FEEDSCOUT_SOURCE_DIR;
const std::string kVocab = kRoot + "/data/sample/topic_vocab.json";
const std::string kTaxonomy = kRoot + "/data/taxonomy/iab-content-3.1-ko.tsv";

const Taxonomy& taxonomy() {
  static const Taxonomy* t = [] {
    auto loaded = Taxonomy::load_file(kTaxonomy);
    EXPECT_TRUE(loaded.is_ok()) << loaded.status().to_string();
    return new Taxonomy(std::move(loaded).value());
  }();
  return *t;
}

std::string generate(const SampleOptions& options) {
  std::ostringstream out;
  Status s = generate_sample_documents(kVocab, taxonomy(), options, out);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out.str();
}

// Writes `text` to a fresh file under the test temp dir and returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "feedscout_sample_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// A minimal valid vocabulary topic as JSON text, with one field replaceable.
std::string topic_json(
    const std::string& id,
    const std::string& sentences = R"(["{entity} 소식.", "{keyword} 정리.", "끝."])") {
  return R"({"topic_id":")" + id +
         R"(","topic_en":"x","entities":["손흥민"],"keywords":["골"],"queries":["손흥민 골"],)"
         R"("title_templates":["{entity}의 {keyword}"],"sentences":)" +
         sentences + "}";
}

TEST(SampleGeneratorTest, GeneratesParseableDocumentsOverAllTopics) {
  const std::string text = generate(SampleOptions{});
  auto parsed = parse_documents(text, ParseLimits{}, taxonomy(), kSampleNewestMs);
  ASSERT_TRUE(parsed.errors.empty())
      << parsed.errors.front().position << " " << parsed.errors.front().field << ": "
      << parsed.errors.front().message;
  ASSERT_GE(parsed.items.size(), 2000u);

  auto vocab = load_topic_vocab(kVocab, taxonomy());
  ASSERT_TRUE(vocab.is_ok()) << vocab.status().to_string();
  std::set<TopicId> vocab_topics;
  for (const TopicVocab& v : *vocab) vocab_topics.insert(v.topic);
  EXPECT_EQ(parsed.items.size(), vocab->size() * 60);

  std::set<TopicId> seen_topics;
  std::set<std::string> sources;
  const SampleOptions defaults;
  for (size_t i = 0; i < parsed.items.size(); ++i) {
    const Document& d = parsed.items[i].second;
    char id[32];
    std::snprintf(id, sizeof(id), "doc-%05zu", i + 1);
    EXPECT_EQ(d.id, id);
    EXPECT_EQ(d.url, "https://sample.feedscout.invalid/" + d.id);
    ASSERT_EQ(d.topics.size(), 1u) << d.id;
    EXPECT_TRUE(vocab_topics.count(d.topics[0].topic)) << d.id;
    EXPECT_FLOAT_EQ(d.topics[0].score, 1.0f);
    seen_topics.insert(d.topics[0].topic);
    sources.insert(d.source);
    EXPECT_LE(d.created_ms, defaults.newest_ms);
    EXPECT_GE(d.created_ms, defaults.newest_ms - defaults.span_days * kMsPerDay);
    EXPECT_EQ(d.title.find('{'), std::string::npos) << d.title;
    EXPECT_EQ(d.body.find('{'), std::string::npos) << d.body;
    EXPECT_FALSE(d.title.empty());
    EXPECT_FALSE(d.body.empty());
  }
  EXPECT_GE(seen_topics.size(), 30u);
  EXPECT_EQ(sources, (std::set<std::string>{"blog", "cafe", "news"}));
}

TEST(SampleGeneratorTest, SameSeedGivesIdenticalBytesOtherSeedDiffers) {
  SampleOptions options;
  const std::string a = generate(options);
  const std::string b = generate(options);
  EXPECT_EQ(a, b);
  options.seed = 8;
  const std::string c = generate(options);
  EXPECT_NE(a, c);
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), std::count(c.begin(), c.end(), '\n'));
}

TEST(SampleGeneratorTest, RespectsDocsPerTopicAndSpan) {
  SampleOptions options;
  options.docs_per_topic = 3;
  options.span_days = 1;
  options.newest_ms = kSampleNewestMs - 5 * kMsPerDay;
  auto parsed = parse_documents(generate(options), ParseLimits{}, taxonomy(), kSampleNewestMs);
  ASSERT_TRUE(parsed.errors.empty());
  auto vocab = load_topic_vocab(kVocab, taxonomy());
  ASSERT_TRUE(vocab.is_ok());
  EXPECT_EQ(parsed.items.size(), vocab->size() * 3);
  for (const auto& [pos, d] : parsed.items) {
    EXPECT_LE(d.created_ms, options.newest_ms);
    EXPECT_GE(d.created_ms, options.newest_ms - kMsPerDay);
  }
}

TEST(SampleGeneratorTest, RejectsBadOptions) {
  std::ostringstream out;
  SampleOptions options;
  options.docs_per_topic = 0;
  EXPECT_EQ(generate_sample_documents(kVocab, taxonomy(), options, out).code(),
            Status::Code::kInvalidArgument);
  options = SampleOptions{};
  options.span_days = 0;
  EXPECT_EQ(generate_sample_documents(kVocab, taxonomy(), options, out).code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(out.str().empty());
}

TEST(SampleGeneratorTest, ValidatesTheVocabularyFile) {
  std::ostringstream out;
  const SampleOptions options;

  Status missing = generate_sample_documents("/nonexistent/vocab.json", taxonomy(), options, out);
  EXPECT_EQ(missing.code(), Status::Code::kIOError);
  EXPECT_NE(missing.message().find("/nonexistent/vocab.json"), std::string::npos);

  const std::string bad_json = write_temp("bad.json", "[{\"topic_id\": ");
  Status s = generate_sample_documents(bad_json, taxonomy(), options, out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find(bad_json), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("JSON"), std::string::npos) << s.message();

  // Topic 1 lacks "queries".
  std::string second = topic_json("484");
  const std::string queries = R"("queries":["손흥민 골"],)";
  second.replace(second.find(queries), queries.size(), "");
  const std::string no_key = write_temp("nokey.json", "[" + topic_json("483") + "," + second + "]");
  s = generate_sample_documents(no_key, taxonomy(), options, out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("topic 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'queries'"), std::string::npos) << s.message();

  const std::string bad_slot = write_temp(
      "slot.json", "[" + topic_json("483") + "," +
                       topic_json("484", R"(["ok.", "ok too.", "{person} 등장."])") + "]");
  s = generate_sample_documents(bad_slot, taxonomy(), options, out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("topic 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("sentences[2]"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("{person}"), std::string::npos) << s.message();

  const std::string unclosed =
      write_temp("unclosed.json", "[" + topic_json("483", R"(["a.", "b.", "{entity 등장."])") +
                                      "," + topic_json("484") + "]");
  s = generate_sample_documents(unclosed, taxonomy(), options, out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("topic 0"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("unclosed"), std::string::npos) << s.message();

  const std::string unknown_topic =
      write_temp("unknown.json", "[" + topic_json("483") + "," + topic_json("NOPE-999") + "]");
  s = generate_sample_documents(unknown_topic, taxonomy(), options, out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("NOPE-999"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("topic 1"), std::string::npos) << s.message();

  const std::string duplicate =
      write_temp("dup.json", "[" + topic_json("483") + "," + topic_json("483") + "]");
  s = generate_sample_documents(duplicate, taxonomy(), options, out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("twice"), std::string::npos) << s.message();

  const std::string not_array = write_temp("obj.json", topic_json("483"));
  EXPECT_EQ(generate_sample_documents(not_array, taxonomy(), options, out).code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(out.str().empty());
}

TEST(SampleGeneratorTest, SmallVocabularyFillsSlots) {
  const std::string path =
      write_temp("small.json", "[" + topic_json("483") + "," + topic_json("484") + "]");
  SampleOptions options;
  options.docs_per_topic = 5;
  std::ostringstream out;
  ASSERT_TRUE(generate_sample_documents(path, taxonomy(), options, out).is_ok());
  auto parsed = parse_documents(out.str(), ParseLimits{}, taxonomy(), kSampleNewestMs);
  ASSERT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.items.size(), 10u);
  for (const auto& [pos, d] : parsed.items) EXPECT_EQ(d.title, "손흥민의 골");
}

}  // namespace
}  // namespace feedscout
