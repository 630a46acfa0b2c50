#include "feedscout/ingest/parse.h"

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <string>

#include "support/test_support.h"

namespace feedscout {
namespace {

// 2026-11-20T12:00:00Z: 20777 days · 86400 s + 12 h = 1 795 176 000 s.
constexpr TimeMs kNow = 1795176000000;

using testing_support::click;
using testing_support::impression;
using testing_support::search;
using testing_support::taxonomy;
using testing_support::topic;

const std::string kClick =
    R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})";

// Parses one event line and returns its single error (failing the test when there is none).
ItemError one_error(const std::string& line, const ParseLimits& limits = {}) {
  auto b = parse_events(line, limits, kNow);
  EXPECT_TRUE(b.items.empty()) << "accepted: " << line;
  EXPECT_EQ(b.errors.size(), 1u) << line;
  return b.errors.empty() ? ItemError{} : b.errors[0];
}

void expect_field_error(const std::string& line, const std::string& field,
                        const std::string& msg_part, const ParseLimits& limits = {}) {
  ItemError e = one_error(line, limits);
  EXPECT_EQ(e.field, field) << line << " → " << e.message;
  EXPECT_NE(e.message.find(msg_part), std::string::npos)
      << "message '" << e.message << "' lacks '" << msg_part << "' for " << line;
  EXPECT_EQ(e.position, 1u);
}

// Lines that each fail with one error: the field it names and a part of its message.
struct FieldErrorCase {
  const char* line;
  const char* field;
  const char* message_part;
};

void expect_field_errors(std::initializer_list<FieldErrorCase> cases) {
  for (const auto& c : cases) expect_field_error(c.line, c.field, c.message_part);
}

ItemError one_doc_error(const std::string& line, const ParseLimits& limits = {}) {
  auto b = parse_documents(line, limits, taxonomy(), kNow);
  EXPECT_TRUE(b.items.empty()) << "accepted: " << line;
  EXPECT_EQ(b.errors.size(), 1u) << line;
  return b.errors.empty() ? ItemError{} : b.errors[0];
}

// ---- events: the good cases ----------------------------------------------------------

TEST(ParseEventsTest, Click) {
  auto b = parse_events(
      R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T18:00:00+09:00","surface":"feed","docs":["d1","d2"],"dwell_s":12.5})",
      {}, kNow);
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].field << ": " << b.errors[0].message;
  ASSERT_EQ(b.items.size(), 1u);
  EXPECT_FALSE(b.is_array);
  EXPECT_EQ(b.items[0].first, 1u);
  const Event& e = b.items[0].second;
  EXPECT_EQ(e.id, "e1");
  EXPECT_EQ(e.type, EventType::kClick);
  EXPECT_EQ(e.user, "u1");
  EXPECT_EQ(e.time_ms, kNow - 3 * kMsPerHour);  // 18:00+09:00 = 09:00Z
  EXPECT_EQ(e.surface, Surface::kFeed);
  EXPECT_EQ(e.doc_ids, (std::vector<std::string>{"d1", "d2"}));
  EXPECT_DOUBLE_EQ(e.dwell_s, 12.5);
}

TEST(ParseEventsTest, SearchWithAndWithoutClicks) {
  auto b = parse_events(
      R"({"id":"s1","type":"search","user":"u1","time":"2026-11-20T09:00:00Z","query":"두바이 초콜릿","clicked":["d3"],"surface":"feed"})"
      "\n"
      R"({"id":"s2","type":"search","user":"u1","time":"2026-11-20T09:01:00Z","query":"에스파"})",
      {}, kNow);
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].field << ": " << b.errors[0].message;
  ASSERT_EQ(b.items.size(), 2u);
  const Event& s1 = b.items[0].second;
  EXPECT_EQ(s1.type, EventType::kSearch);
  EXPECT_EQ(s1.surface, Surface::kSearch);  // a search is always on the search surface
  EXPECT_EQ(s1.query, "두바이 초콜릿");
  EXPECT_EQ(s1.doc_ids, std::vector<std::string>{"d3"});
  EXPECT_TRUE(b.items[1].second.doc_ids.empty());
  EXPECT_EQ(b.items[1].first, 2u);
}

TEST(ParseEventsTest, ImpressionAndUnixSeconds) {
  auto b = parse_events(
      R"({"id":"i1","type":"impression","user":"u1","time":1795165200.25,"surface":"main","docs":["d1","d2","d3"]})",
      {}, kNow);
  ASSERT_EQ(b.items.size(), 1u);
  const Event& e = b.items[0].second;
  EXPECT_EQ(e.type, EventType::kImpression);
  EXPECT_EQ(e.surface, Surface::kMain);
  EXPECT_EQ(e.time_ms, 1795165200250);  // 09:00:00.250Z
  EXPECT_EQ(e.doc_ids.size(), 3u);
  EXPECT_LT(e.dwell_s, 0);  // not reported
}

// Repeated ids stay as listed, so that error fields (docs[i]) name the caller's positions;
// UserContext::apply counts a repeated document once (tested in user_context_test.cc).
TEST(ParseEventsTest, DuplicateDocIdsAreKeptAsListed) {
  auto b = parse_events(
      R"({"id":"i1","type":"impression","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1","d2","d1","d3","d2"]})",
      {}, kNow);
  ASSERT_EQ(b.items.size(), 1u);
  EXPECT_EQ(b.items[0].second.doc_ids, (std::vector<std::string>{"d1", "d2", "d1", "d3", "d2"}));
  // A bad id after a repeat is named by its position in the caller's array.
  expect_field_error(
      R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1","d1",7]})",
      "docs[2]", "got number");
}

// ---- events: every validation rule ---------------------------------------------------

TEST(ParseEventsTest, BrokenJson) {
  ItemError e = one_error(R"({"id":"e1","type":)");
  EXPECT_EQ(e.field, "");
  EXPECT_NE(e.message.find("not valid JSON"), std::string::npos) << e.message;
  EXPECT_EQ(one_error("not json at all").field, "");
  EXPECT_NE(one_error(R"({"id":"e1"} trailing)").message.find("not valid JSON"), std::string::npos);
}

TEST(ParseEventsTest, NonObjectItems) {
  EXPECT_NE(one_error("42").message.find("expected a JSON object, got number"), std::string::npos);
  EXPECT_NE(one_error(R"("click")").message.find("got string"), std::string::npos);
  EXPECT_NE(one_error("null").message.find("got null"), std::string::npos);
}

TEST(ParseEventsTest, MissingFields) {
  const struct {
    const char* line;
    const char* field;
  } cases[] = {
      {R"({"type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
       "id"},
      {R"({"id":"e1","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
       "type"},
      {R"({"id":"e1","type":"click","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
       "user"},
      {R"({"id":"e1","type":"click","user":"u1","surface":"feed","docs":["d1"]})", "time"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","docs":["d1"]})",
       "surface"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed"})",
       "docs"},
      {R"({"id":"e1","type":"impression","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed"})",
       "docs"},
      {R"({"id":"s1","type":"search","user":"u1","time":"2026-11-20T09:00:00Z"})", "query"},
      // null counts as missing
      {R"({"id":null,"type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
       "id"},
  };
  for (const auto& c : cases) expect_field_error(c.line, c.field, "missing required field");
}

TEST(ParseEventsTest, EmptyValues) {
  expect_field_errors({
      {R"({"id":"","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
       "id", "must not be empty"},
      {R"({"id":"e1","type":"click","user":"  ","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
       "user", "must not be empty"},
      {R"({"id":"s1","type":"search","user":"u1","time":"2026-11-20T09:00:00Z","query":" \t "})",
       "query", "must not be empty"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":[]})",
       "docs", "at least one"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1",""]})",
       "docs[1]", "document id must be"},
  });
}

TEST(ParseEventsTest, WrongTypes) {
  expect_field_errors({
      {R"({"id":7,"type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
       "id", "expected a string, got number"},
      {R"({"id":"e1","type":"like","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
       "type", "unknown event type 'like'"},
      {R"({"id":"e1","type":"click","user":["u1"],"time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
       "user", "got array"},
      {R"({"id":"e1","type":"click","user":"u1","time":true,"surface":"feed","docs":["d1"]})",
       "time", "got boolean"},
      {R"({"id":"e1","type":"click","user":"u1","time":"yesterday","surface":"feed","docs":["d1"]})",
       "time", "RFC 3339"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"home","docs":["d1"]})",
       "surface", "unknown surface 'home'"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":"d1"})",
       "docs", "got string"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1",2]})",
       "docs[1]", "got number"},
      {R"({"id":"s1","type":"search","user":"u1","time":"2026-11-20T09:00:00Z","query":"q","clicked":{"d":1}})",
       "clicked", "got object"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"],"dwell_s":"12"})",
       "dwell_s", "expected a number"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"],"dwell_s":-1})",
       "dwell_s", "between 0 and 86400"},
      {R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"],"dwell_s":86401})",
       "dwell_s", "between 0 and 86400"},
  });
}

TEST(ParseEventsTest, IdsRejectControlCharactersAndLength) {
  expect_field_error(
      R"({"id":"e\u0001","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
      "id", "control characters");
  expect_field_error(
      R"({"id":"e1","type":"click","user":"u\n1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
      "user", "control characters");
  ParseLimits l;
  l.max_id_bytes = 4;
  expect_field_error(
      R"({"id":"e1234","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})",
      "id", "too long: 5 bytes, limit 4", l);
  expect_field_error(
      R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d12345"]})",
      "docs[0]", "1..4 bytes", l);
  l = ParseLimits{};
  l.max_query_bytes = 6;  // "두바이" is 9 bytes
  expect_field_error(
      R"({"id":"s1","type":"search","user":"u1","time":"2026-11-20T09:00:00Z","query":"두바이"})",
      "query", "too long: 9 bytes", l);
}

TEST(ParseEventsTest, InvalidUtf8) {
  ItemError e = one_error(std::string(R"({"id":"e1","type":"click","user":"u)") + "\xC0\xAF" +
                          R"(","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"]})");
  EXPECT_EQ(e.field, "");
  // `{"id":"e1","type":"click","user":"u` is 35 bytes, so the bad byte is at offset 35.
  EXPECT_EQ(e.message, "invalid UTF-8 at byte 35");
}

TEST(ParseEventsTest, OversizedItem) {
  ParseLimits l;
  l.max_item_bytes = kClick.size();
  EXPECT_EQ(parse_events(kClick, l, kNow).items.size(), 1u);  // exactly at the limit
  l.max_item_bytes = kClick.size() - 1;
  ItemError e = one_error(kClick, l);
  EXPECT_EQ(e.field, "");
  EXPECT_NE(e.message.find("item too large: " + std::to_string(kClick.size()) + " bytes"),
            std::string::npos)
      << e.message;
}

std::string click_at(const std::string& time) {
  return R"({"id":"e1","type":"click","user":"u1","time":")" + time +
         R"(","surface":"feed","docs":["d1"]})";
}

TEST(ParseEventsTest, TimeWindow) {
  // max_future_ms = 1 day: 2026-11-21T12:00:00Z is exactly at the limit, one second later is not.
  EXPECT_EQ(parse_events(click_at("2026-11-21T12:00:00Z"), {}, kNow).items.size(), 1u);
  expect_field_error(click_at("2026-11-21T12:00:01Z"), "time", "too far in the future");
  // max_past_ms = 20·365 days = 7300 days before 2026-11-20T12:00Z is 2006-11-25T12:00Z
  // (20 years contain 5 leap days: 2008, 2012, 2016, 2020, 2024).
  EXPECT_EQ(parse_events(click_at("2006-11-25T12:00:00Z"), {}, kNow).items.size(), 1u);
  expect_field_error(click_at("2006-11-25T11:59:59Z"), "time", "too far in the past");
  // Unix seconds out of range.
  expect_field_error(
      R"({"id":"e1","type":"click","user":"u1","time":1e300,"surface":"feed","docs":["d1"]})",
      "time", "out of range");
  // A tighter window from the limits.
  ParseLimits l;
  l.max_future_ms = 0;
  l.max_past_ms = kMsPerHour;
  EXPECT_EQ(parse_events(click_at("2026-11-20T12:00:00Z"), l, kNow).items.size(), 1u);
  expect_field_error(click_at("2026-11-20T12:00:00.001Z"), "time", "future", l);
  expect_field_error(click_at("2026-11-20T10:59:59Z"), "time", "past", l);
}

TEST(ParseEventsTest, TooManyDocIds) {
  ParseLimits l;
  l.max_doc_ids = 3;
  const std::string three =
      R"({"id":"e1","type":"impression","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["a","b","c"]})";
  EXPECT_EQ(parse_events(three, l, kNow).items.size(), 1u);
  expect_field_error(
      R"({"id":"e1","type":"impression","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["a","b","c","d"]})",
      "docs", "too many ids: 4, limit 3", l);
  // The limit counts listed ids, before duplicates collapse.
  expect_field_error(
      R"({"id":"e1","type":"impression","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["a","a","a","a"]})",
      "docs", "too many ids", l);
}

// ---- batches ---------------------------------------------------------------------------

TEST(ParseBatchTest, LineNumbersWithOffsetAndBlankLines) {
  const std::string body = kClick + "\n" +  // line 10
                           "\n" +           // 11 (blank)
                           "{broken\n" +    // 12
                           "   \t \n" +     // 13 (whitespace only)
                           kClick + "\n";   // 14
  auto b = parse_events(body, {}, kNow, 10);
  EXPECT_FALSE(b.is_array);
  ASSERT_EQ(b.items.size(), 2u);
  EXPECT_EQ(b.items[0].first, 10u);
  EXPECT_EQ(b.items[1].first, 14u);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].position, 12u);
}

TEST(ParseBatchTest, CrlfAndNoFinalNewline) {
  const std::string body = kClick + "\r\n{}\r\n\r\n" + kClick;
  auto b = parse_events(body, {}, kNow);
  ASSERT_EQ(b.items.size(), 2u);
  EXPECT_EQ(b.items[0].first, 1u);
  EXPECT_EQ(b.items[1].first, 4u);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].position, 2u);
  EXPECT_EQ(b.errors[0].field, "id");  // "{}" is missing its first field
}

TEST(ParseBatchTest, EmptyBody) {
  auto b = parse_events("", {}, kNow);
  EXPECT_TRUE(b.items.empty());
  EXPECT_TRUE(b.errors.empty());
  b = parse_events("\n\n  \r\n", {}, kNow);
  EXPECT_TRUE(b.items.empty());
  EXPECT_TRUE(b.errors.empty());
}

TEST(ParseBatchTest, JsonArrayPositionsAreIndexes) {
  const std::string body = "  \n[" + kClick + ", {\"id\":\"e2\"}, 5, " + kClick + "]";
  auto b = parse_events(body, {}, kNow, 100);
  EXPECT_TRUE(b.is_array);
  ASSERT_EQ(b.items.size(), 2u);
  EXPECT_EQ(b.items[0].first, 0u);
  EXPECT_EQ(b.items[1].first, 3u);
  ASSERT_EQ(b.errors.size(), 2u);
  EXPECT_EQ(b.errors[0].position, 1u);
  EXPECT_EQ(b.errors[0].field, "type");
  EXPECT_EQ(b.errors[1].position, 2u);
  EXPECT_NE(b.errors[1].message.find("expected a JSON object"), std::string::npos);
}

// A number nlohmann cannot represent throws inside its parser even without exceptions
// enabled; it must come back as that item's error, and the rest of the batch still parse.
TEST(ParseBatchTest, NumberOutOfRangeIsAnItemError) {
  const std::string body =
      R"({"id":"n","type":"click","user":"u","time":1e400,"surface":"feed","docs":["d"]})"
      "\n" +
      kClick;
  auto b = parse_events(body, {}, kNow);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].position, 1u);
  EXPECT_NE(b.errors[0].message.find("number out of range"), std::string::npos)
      << b.errors[0].message;
  ASSERT_EQ(b.items.size(), 1u);
  EXPECT_EQ(b.items[0].first, 2u);
  auto a = parse_events("[" + kClick + ", {\"time\": -1e999}]", {}, kNow);
  ASSERT_EQ(a.errors.size(), 1u);
  EXPECT_EQ(a.errors[0].position, 1u);
  EXPECT_EQ(a.items.size(), 1u);
}

TEST(ParseBatchTest, BrokenArrayIsOneError) {
  auto b = parse_events("[" + kClick + ",", {}, kNow);
  EXPECT_TRUE(b.is_array);
  EXPECT_TRUE(b.items.empty());
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].position, 0u);
  EXPECT_NE(b.errors[0].message.find("not a valid JSON array"), std::string::npos);
  b = parse_events("[" + kClick + "]\xFF", {}, kNow);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_NE(b.errors[0].message.find("invalid UTF-8"), std::string::npos);
}

TEST(ParseBatchTest, OversizedArrayElement) {
  ParseLimits l;
  l.max_item_bytes = 50;
  auto b = parse_events("[" + kClick + "]", l, kNow);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].position, 0u);
  EXPECT_NE(b.errors[0].message.find("item too large"), std::string::npos);
}

// ---- documents -----------------------------------------------------------------------

TEST(ParseDocumentsTest, TopicsByIdPathAndObject) {
  auto b = parse_documents(
      R"({"id":"d1","title":"손흥민 결승골","body":"본문","url":"https://x.kr/1","source":"news","created_at":"2026-11-19T10:00:00Z","topics":["533",{"topic":"스포츠>야구","score":0.25,"source":"classifier"},{"topic":"1"}]})",
      {}, taxonomy(), kNow);
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].field << ": " << b.errors[0].message;
  ASSERT_EQ(b.items.size(), 1u);
  const Document& d = b.items[0].second;
  EXPECT_EQ(d.id, "d1");
  EXPECT_EQ(d.title, "손흥민 결승골");
  EXPECT_EQ(d.body, "본문");
  EXPECT_EQ(d.url, "https://x.kr/1");
  EXPECT_EQ(d.source, "news");
  EXPECT_EQ(d.created_ms, kNow - 26 * kMsPerHour);
  ASSERT_EQ(d.topics.size(), 3u);
  EXPECT_EQ(d.topics[0].topic, topic("533"));
  EXPECT_FLOAT_EQ(d.topics[0].score, 1.0f);
  EXPECT_EQ(d.topics[0].source, TopicSource::kProvided);
  EXPECT_EQ(d.topics[1].topic, topic("545"));
  EXPECT_FLOAT_EQ(d.topics[1].score, 0.25f);
  EXPECT_EQ(d.topics[1].source, TopicSource::kClassifier);
  EXPECT_EQ(d.topics[2].topic, topic("자동차"));
}

TEST(ParseDocumentsTest, LanguageModelTopicSourceRoundTrips) {
  auto b = parse_documents(
      R"({"id":"d1","title":"t","created_at":"2026-11-19T10:00:00Z","topics":[{"topic":"533","score":0.8,"source":"language_model"}]})",
      {}, taxonomy(), kNow);
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].message;
  ASSERT_EQ(b.items[0].second.topics.size(), 1u);
  EXPECT_EQ(b.items[0].second.topics[0].source, TopicSource::kLanguageModel);
  const std::string json = document_to_json(b.items[0].second, taxonomy());
  EXPECT_NE(json.find("\"language_model\""), std::string::npos) << json;
  auto again = parse_documents(json, {}, taxonomy(), kNow);
  ASSERT_EQ(again.items.size(), 1u);
  EXPECT_EQ(again.items[0].second.topics[0].source, TopicSource::kLanguageModel);
  auto bad = parse_documents(
      R"({"id":"d2","title":"t","created_at":"2026-11-19T10:00:00Z","topics":[{"topic":"533","source":"oracle"}]})",
      {}, taxonomy(), kNow);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].field, "topics[0].source");
}

TEST(ParseDocumentsTest, MinimalDocument) {
  auto b = parse_documents(R"({"id":"d1","title":"제목","created_at":"2026-11-19T10:00:00Z"})", {},
                           taxonomy(), kNow);
  ASSERT_EQ(b.items.size(), 1u);
  EXPECT_TRUE(b.items[0].second.topics.empty());
  EXPECT_EQ(b.items[0].second.body, "");
}

TEST(ParseDocumentsTest, UnknownTopicNamesItsIndex) {
  ItemError e = one_doc_error(
      R"({"id":"d1","title":"t","created_at":"2026-11-19T10:00:00Z","topics":["533","축구"]})");
  EXPECT_EQ(e.field, "topics[1]");
  EXPECT_NE(e.message.find("'축구' is not a topic id or path"), std::string::npos) << e.message;
  e = one_doc_error(
      R"({"id":"d1","title":"t","created_at":"2026-11-19T10:00:00Z","topics":[{"topic":"없는>주제"}]})");
  EXPECT_EQ(e.field, "topics[0]");
}

TEST(ParseDocumentsTest, TopicValidation) {
  const std::string head =
      R"({"id":"d1","title":"t","created_at":"2026-11-19T10:00:00Z","topics":)";
  EXPECT_EQ(one_doc_error(head + R"("533"})").field, "topics");                  // not an array
  EXPECT_EQ(one_doc_error(head + R"(["533","545","1","2"]})").field, "topics");  // > 3
  ItemError e = one_doc_error(head + R"(["533","스포츠>축구"]})");
  EXPECT_EQ(e.field, "topics[1]");
  EXPECT_NE(e.message.find("listed twice"), std::string::npos);
  EXPECT_EQ(one_doc_error(head + R"([{"score":0.5}]})").field, "topics[0].topic");
  EXPECT_EQ(one_doc_error(head + R"([{"topic":533}]})").field, "topics[0].topic");
  EXPECT_EQ(one_doc_error(head + R"([{"topic":"533","score":1.5}]})").field, "topics[0].score");
  EXPECT_EQ(one_doc_error(head + R"([{"topic":"533","score":-0.1}]})").field, "topics[0].score");
  EXPECT_EQ(one_doc_error(head + R"([{"topic":"533","score":"high"}]})").field, "topics[0].score");
  EXPECT_EQ(one_doc_error(head + R"([{"topic":"533","source":"human"}]})").field,
            "topics[0].source");
  EXPECT_EQ(one_doc_error(head + R"([{"topic":"533","source":1}]})").field, "topics[0].source");
  EXPECT_EQ(one_doc_error(head + R"([533]})").field, "topics[0]");
}

TEST(ParseDocumentsTest, RequiredFieldsAndLimits) {
  EXPECT_EQ(one_doc_error(R"({"title":"t","created_at":"2026-11-19T10:00:00Z"})").field, "id");
  EXPECT_EQ(one_doc_error(R"({"id":"d1","created_at":"2026-11-19T10:00:00Z"})").field, "title");
  EXPECT_EQ(one_doc_error(R"({"id":"d1","title":" ","created_at":"2026-11-19T10:00:00Z"})").field,
            "title");
  EXPECT_EQ(one_doc_error(R"({"id":"d1","title":"t"})").field, "created_at");
  EXPECT_EQ(one_doc_error(R"({"id":"d1","title":"t","created_at":"2026-11-22T10:00:00Z"})").field,
            "created_at");  // more than a day ahead of kNow
  EXPECT_EQ(one_doc_error(R"({"id":"d1","title":"t","body":5,"created_at":"2026-11-19T10:00:00Z"})")
                .field,
            "body");
  ParseLimits l;
  l.max_title_bytes = 3;
  EXPECT_EQ(
      one_doc_error(R"({"id":"d1","title":"제목","created_at":"2026-11-19T10:00:00Z"})", l).field,
      "title");
  l = ParseLimits{};
  l.max_body_bytes = 2;
  EXPECT_EQ(one_doc_error(
                R"({"id":"d1","title":"t","body":"abc","created_at":"2026-11-19T10:00:00Z"})", l)
                .field,
            "body");
  l = ParseLimits{};
  l.max_url_bytes = 2;
  EXPECT_EQ(
      one_doc_error(R"({"id":"d1","title":"t","url":"abc","created_at":"2026-11-19T10:00:00Z"})", l)
          .field,
      "url");
}

// ---- canonical JSON round trips --------------------------------------------------------

void expect_same_event(const Event& a, const Event& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.time_ms, b.time_ms);
  EXPECT_EQ(a.surface, b.surface);
  EXPECT_EQ(a.query, b.query);
  EXPECT_EQ(a.doc_ids, b.doc_ids);
  EXPECT_DOUBLE_EQ(a.dwell_s, b.dwell_s);
}

TEST(CanonicalJsonTest, EventsRoundTrip) {
  std::vector<Event> events;
  Event clicked = click(Surface::kMain, kNow - 1234567, {"d1", "d/2"}, 2.75);  // ms survive
  clicked.id = "e1";
  clicked.user = "사용자\"1\"";
  events.push_back(clicked);
  Event no_dwell = clicked;
  no_dwell.id = "e2";
  no_dwell.dwell_s = -1;
  events.push_back(no_dwell);
  Event shown = impression(Surface::kFeed, kNow, {"a", "b", "c"});
  shown.id = "e3";
  events.push_back(shown);
  Event searched = search(kNow - kMsPerDay, "두바이 초콜릿 🍫 \\ \"", {"d9"});
  searched.id = "e4";
  events.push_back(searched);
  Event search_no_click = searched;
  search_no_click.id = "e5";
  search_no_click.doc_ids.clear();
  events.push_back(search_no_click);

  for (const Event& e : events) {
    const std::string json = event_to_json(e);
    EXPECT_EQ(json.find('\n'), std::string::npos);
    auto b = parse_events(json, {}, kNow);
    ASSERT_EQ(b.items.size(), 1u) << json << " → " << (b.errors.empty() ? "" : b.errors[0].message);
    expect_same_event(b.items[0].second, e);
    EXPECT_EQ(event_to_json(b.items[0].second), json);  // canonical form is a fixed point
  }
}

TEST(CanonicalJsonTest, DocumentsRoundTrip) {
  Document d;
  d.id = "d1";
  d.title = "두바이초콜릿 만들기 \"후기\"";
  d.body = "줄1\n줄2\t탭";
  d.url = "https://blog.example/1";
  d.source = "blog";
  d.created_ms = kNow - 5 * kMsPerDay + 250;
  d.topics = {{topic("533"), 1.0f, TopicSource::kProvided},
              {topic("217"), 0.8f, TopicSource::kClassifier},
              {topic("9"), 0.15f, TopicSource::kClassifier}};
  Document bare;
  bare.id = "d2";
  bare.title = "t";
  bare.created_ms = kNow;

  for (const Document& doc : {d, bare}) {
    const std::string json = document_to_json(doc, taxonomy());
    auto b = parse_documents(json, {}, taxonomy(), kNow);
    ASSERT_EQ(b.items.size(), 1u) << json << " → " << (b.errors.empty() ? "" : b.errors[0].message);
    const Document& back = b.items[0].second;
    EXPECT_EQ(back.id, doc.id);
    EXPECT_EQ(back.title, doc.title);
    EXPECT_EQ(back.body, doc.body);
    EXPECT_EQ(back.url, doc.url);
    EXPECT_EQ(back.source, doc.source);
    EXPECT_EQ(back.created_ms, doc.created_ms);
    ASSERT_EQ(back.topics.size(), doc.topics.size());
    for (size_t i = 0; i < doc.topics.size(); ++i) {
      EXPECT_EQ(back.topics[i].topic, doc.topics[i].topic);
      EXPECT_FLOAT_EQ(back.topics[i].score, doc.topics[i].score);
      EXPECT_EQ(back.topics[i].source, doc.topics[i].source);
    }
    EXPECT_EQ(document_to_json(back, taxonomy()), json);
  }
}

TEST(CanonicalJsonTest, DocumentJsonNamesTopicByIdAndPath) {
  Document d;
  d.id = "d1";
  d.title = "t";
  d.created_ms = 0;
  d.topics = {{topic("533"), 1.0f, TopicSource::kProvided}};
  const std::string json = document_to_json(d, taxonomy());
  EXPECT_NE(json.find(R"("topic":"533")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("path":"스포츠>축구")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("created_at":"1970-01-01T00:00:00Z")"), std::string::npos) << json;
}

TEST(ReadDocumentsFileTest, ReadsOldDocumentsAndNamesTheBadLine) {
  testing_support::TempDir dir("feedscout_read_docs");
  const std::string good = dir.file("good.jsonl");
  std::ofstream(good)
      << R"({"id":"d1","title":"t","created_at":"1996-03-29T00:00:00Z","topics":["533"]})"
      << "\n\n"
      << R"({"id":"d2","title":"u","created_at":"2026-11-01T00:00:00Z"})"
      << "\n";
  auto docs = read_documents_file(good, taxonomy());
  ASSERT_TRUE(docs.is_ok()) << docs.status().to_string();
  ASSERT_EQ(docs->size(), 2u);  // any time is accepted: offline data
  EXPECT_EQ((*docs)[0].id, "d1");

  const std::string bad = dir.file("bad.jsonl");
  std::ofstream(bad) << R"({"id":"d1","title":"t","created_at":"2026-11-01T00:00:00Z"})"
                     << "\n"
                     << R"({"id":"d2","title":7,"created_at":"2026-11-01T00:00:00Z"})"
                     << "\n";
  auto r = read_documents_file(bad, taxonomy());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(bad + ": line 2: field 'title'"), std::string::npos)
      << r.status().message();

  auto missing = read_documents_file(dir.file("none.jsonl"), taxonomy());
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace feedscout
