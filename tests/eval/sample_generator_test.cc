#include "feedscout/eval/sample_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>

#include "feedscout/ingest/parse.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

const std::string kRoot = FEEDSCOUT_SOURCE_DIR;
const std::string kVocab = kRoot + "/data/sample/topic_vocab.json";

using testing_support::taxonomy;
using testing_support::TempDir;

std::string generate(const SampleOptions& options) {
  std::ostringstream out;
  Status s = generate_sample_documents(kVocab, taxonomy(), options, out);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out.str();
}

// Writes `text` to a fresh file in this process's temporary directory and returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  static const TempDir dir("feedscout_sample");
  const std::string path = dir.file(name);
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

// A vocabulary file's text: the two topics as a JSON array.
std::string vocab_json(const std::string& first, const std::string& second) {
  return "[" + first + "," + second + "]";
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

  // Generates from the vocabulary at `path`: refused as invalid, naming each of `parts`.
  auto expect_invalid = [&](const std::string& path, std::initializer_list<std::string> parts) {
    const Status s = generate_sample_documents(path, taxonomy(), options, out);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << path << ": " << s.message();
    for (const auto& part : parts) {
      EXPECT_NE(s.message().find(part), std::string::npos) << s.message();
    }
  };

  const std::string bad_json = write_temp("bad.json", "[{\"topic_id\": ");
  expect_invalid(bad_json, {bad_json, "JSON"});

  // Topic 1 lacks "queries".
  std::string second = topic_json("484");
  const std::string queries = R"("queries":["손흥민 골"],)";
  second.replace(second.find(queries), queries.size(), "");
  expect_invalid(write_temp("nokey.json", vocab_json(topic_json("483"), second)),
                 {"topic 1", "'queries'"});

  expect_invalid(
      write_temp("slot.json",
                 vocab_json(topic_json("483"),
                            topic_json("484", R"(["ok.", "ok too.", "{person} 등장."])"))),
      {"topic 1", "sentences[2]", "{person}"});
  expect_invalid(
      write_temp("unclosed.json", vocab_json(topic_json("483", R"(["a.", "b.", "{entity 등장."])"),
                                             topic_json("484"))),
      {"topic 0", "unclosed"});
  expect_invalid(write_temp("unknown.json", vocab_json(topic_json("483"), topic_json("NOPE-999"))),
                 {"NOPE-999", "topic 1"});
  expect_invalid(write_temp("dup.json", vocab_json(topic_json("483"), topic_json("483"))),
                 {"twice"});
  expect_invalid(write_temp("obj.json", topic_json("483")), {});  // not an array
  EXPECT_TRUE(out.str().empty());
}

TEST(SampleGeneratorTest, SmallVocabularyFillsSlots) {
  const std::string path =
      write_temp("small.json", vocab_json(topic_json("483"), topic_json("484")));
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
