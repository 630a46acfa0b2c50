// The stored event record (include/feedscout/ingest/event_record.h): every event round-trips
// exactly, and damaged bytes give Corruption, never a crash or a huge allocation.
#include "feedscout/ingest/event_record.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feedscout/ingest/parse.h"

namespace feedscout {
namespace {

std::vector<Event> samples() {
  Event search;
  search.id = "s-1";
  search.type = EventType::kSearch;
  search.user = "사용자-1";
  search.time_ms = 1795176000123;
  search.surface = Surface::kSearch;
  search.query = "두바이 초콜릿 \"가게\"";
  search.doc_ids = {"d1", "d2"};
  Event impression;
  impression.id = std::string(300, 'i');  // a length needing a two-byte varint
  impression.type = EventType::kImpression;
  impression.user = "u";
  impression.time_ms = 0;
  impression.surface = Surface::kFeed;
  for (int i = 0; i < 200; ++i) impression.doc_ids.push_back("doc-" + std::to_string(i));
  Event click;
  click.id = "c";
  click.type = EventType::kClick;
  click.user = "u2";
  click.time_ms = -5;
  click.surface = Surface::kMain;
  click.doc_ids = {"d1"};
  click.dwell_s = 42.5;
  return {search, impression, click};
}

void expect_equal(const Event& a, const Event& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.time_ms, b.time_ms);
  EXPECT_EQ(a.surface, b.surface);
  EXPECT_EQ(a.query, b.query);
  EXPECT_EQ(a.doc_ids, b.doc_ids);
  EXPECT_EQ(a.dwell_s, b.dwell_s);
}

TEST(EventRecordTest, EveryEventRoundTripsAndIsSmallerThanItsJson) {
  for (const Event& e : samples()) {
    const std::string bytes = encode_event_record(e);
    ASSERT_TRUE(is_event_record(bytes));
    auto back = decode_event_record(bytes);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    expect_equal(*back, e);
    EXPECT_EQ(event_to_json(*back), event_to_json(e));
    EXPECT_LT(bytes.size(), event_to_json(e).size()) << e.id;
  }
}

TEST(EventRecordTest, JsonIsNotARecord) {
  EXPECT_FALSE(is_event_record(event_to_json(samples()[0])));
  EXPECT_FALSE(is_event_record(""));
  EXPECT_FALSE(decode_event_record("{\"id\":\"x\"}").is_ok());
}

TEST(EventRecordTest, EveryTruncationAndTrailingByteIsCorruption) {
  for (const Event& e : samples()) {
    const std::string bytes = encode_event_record(e);
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto r = decode_event_record(std::string_view(bytes).substr(0, n));
      ASSERT_FALSE(r.is_ok()) << e.id.substr(0, 8) << " cut at " << n;
      EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
    }
    auto trailing = decode_event_record(bytes + "x");
    ASSERT_FALSE(trailing.is_ok());
    EXPECT_NE(trailing.status().message().find("trailing"), std::string::npos);
  }
}

TEST(EventRecordTest, BadTypeSurfaceAndCountsAreCorruption) {
  std::string bytes = encode_event_record(samples()[2]);
  std::string bad_type = bytes;
  bad_type[1] = 9;
  EXPECT_NE(decode_event_record(bad_type).status().message().find("type"), std::string::npos);
  std::string bad_surface = bytes;
  bad_surface[2] = 3;
  EXPECT_NE(decode_event_record(bad_surface).status().message().find("surface"), std::string::npos);
  // A document count of 2^63 with nothing after it: refused before any allocation.
  Event none = samples()[2];
  none.doc_ids.clear();
  std::string huge = encode_event_record(none);
  huge.pop_back();  // the count 0
  huge += std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9);
  EXPECT_NE(decode_event_record(huge).status().message().find("count"), std::string::npos);
}

}  // namespace
}  // namespace feedscout
