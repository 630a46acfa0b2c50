// The search-log readers: both formats, good rows, and every kind of bad row counted with
// its reason and first file:line; feeding a reader into the miner.
#include "feedscout/intent/search_log_readers.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "feedscout/intent/mining_run.h"
#include "feedscout/intent/query_normalizer.h"

namespace feedscout::intent {
namespace {

SearchLogReader reader_of(const std::string& text, SearchLogFormat format) {
  return SearchLogReader(std::make_unique<std::istringstream>(text), "log.txt", format);
}

std::vector<SearchRow> read_all(SearchLogReader& reader) {
  std::vector<SearchRow> rows;
  SearchRow row;
  while (reader.next(row)) rows.push_back(row);
  return rows;
}

std::string first(const SkipTally& tally, std::string_view reason) {
  for (const SkipTally::Entry& e : tally.entries()) {
    if (e.reason == reason) return e.first;
  }
  return "<none>";
}

TEST(SearchLogReaders, FormatNames) {
  EXPECT_EQ(parse_search_log_format("events"), SearchLogFormat::kEvents);
  EXPECT_EQ(parse_search_log_format("sogouq"), SearchLogFormat::kSogouQ);
  EXPECT_FALSE(parse_search_log_format("csv").has_value());
  EXPECT_STREQ(search_log_format_name(SearchLogFormat::kSogouQ), "sogouq");
}

TEST(SearchLogReaders, SogouQRowsAndBadRowsByLine) {
  const std::string log =
      "00:00:01\t2982199073774412\t[360安全卫士]\t8 3\tdownload.it.com.cn/17938.html\n"  // 1
      "00:00:02\t0759\t[哄抢救灾物资]\t1 1\tnews.21cn.com/4777194_1.shtml\r\n"           // 2
      "00:00:03\t0759\t[missing url]\t1 1\n"                                             // 3
      "00:00:04\t0759\t[bad\xff utf8]\t1 1\twww.x.com/\n"                                // 4
      "00:00:05\t0759\tno brackets\t1 1\twww.x.com/\n"                                   // 5
      "25:00:00\t0759\t[late]\t1 1\twww.x.com/\n"                                        // 6
      "00:00:07\t0759\t[rank]\tfirst\twww.x.com/\n"                                      // 7
      "00:00:08\t0759\t[no url]\t1 1\t\n"                                                // 8
      "\n"                                                                               // 9
      "00:00:10\t\t[no user]\t1 1\twww.x.com/\n"                                         // 10
      "00:00:11\t0759\t[]\t2 1\twww.x.com/\n"                                            // 11
      "00:00:12\t0759\t[a\tb]\t2 1\twww.x.com/\n";                                       // 12
  SearchLogReader reader = reader_of(log, SearchLogFormat::kSogouQ);
  const std::vector<SearchRow> rows = read_all(reader);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].query, "360安全卫士");
  EXPECT_EQ(rows[0].docs, std::vector<std::string>{"download.it.com.cn/17938.html"});
  EXPECT_EQ(rows[0].user, "2982199073774412");
  EXPECT_EQ(rows[0].time_ms, 1000);
  EXPECT_EQ(rows[0].line, 1u);
  EXPECT_EQ(rows[1].docs, std::vector<std::string>{"news.21cn.com/4777194_1.shtml"});  // no \r
  EXPECT_EQ(rows[2].query, "");  // an empty query is the miner's to reject
  EXPECT_EQ(rows[2].line, 11u);

  const SkipTally& s = reader.skips();
  const std::string fields = "wrong field count (expected 5 tab-separated fields)";
  EXPECT_EQ(s.count(fields), 2u);
  EXPECT_EQ(first(s, fields), "log.txt:3");
  EXPECT_EQ(first(s, "invalid UTF-8"), "log.txt:4");
  EXPECT_EQ(first(s, "query not in [brackets]"), "log.txt:5");
  EXPECT_EQ(first(s, "bad time (expected HH:MM:SS)"), "log.txt:6");
  EXPECT_EQ(first(s, "bad 'rank clickorder' field"), "log.txt:7");
  EXPECT_EQ(first(s, "empty URL"), "log.txt:8");
  EXPECT_EQ(first(s, "empty user id"), "log.txt:10");
  EXPECT_EQ(s.total(), 8u);
  EXPECT_EQ(reader.ignored().count("blank line"), 1u);
  EXPECT_EQ(reader.lines(), 12u);
}

TEST(SearchLogReaders, EngineEventsAndBadRowsByLine) {
  const std::string log =
      R"({"id":"e1","type":"search","user":"u1","time":"2026-11-23T10:00:00Z","query":"두바이 초콜릿","clicked":["d7","d9","d7"]})"
      "\n"  // 1
      R"({"id":"e2","type":"search","user":"u1","time":"2026-11-23T10:01:00Z","query":"에스파"})"
      "\n"  // 2: no clicks
      R"({"id":"e3","type":"impression","user":"u1","time":"2026-11-23T10:02:00Z","surface":"feed","docs":["d1"]})"
      "\n"                                       // 3
      "{\"id\": \"e4\", \"type\": \"search\"\n"  // 4: broken JSON
      R"({"id":"e5","type":"search","user":"u2","time":"2026-11-23T10:03:00Z","query":"   ","clicked":["d1"]})"
      "\n"  // 5
      R"({"id":"e6","type":"search","user":"u2","time":"2026-11-23T10:04:00Z","query":")" +
      std::string(2000, 'x') + R"(","clicked":["d1"]})" +
      "\n"  // 6
      R"({"id":"e7","type":"search","user":"u2","time":"2026-11-23T10:05:00Z","query":"bad )"
      "\xff"
      R"(","clicked":["d1"]})"
      "\n"  // 7
      R"({"id":"e8","type":"search","user":"u2","time":"not a time","query":"q","clicked":["d1"]})"
      "\n"  // 8
      R"({"id":"e9","type":"search","user":"u3","time":1795000000,"query":"😀","clicked":["d2"]})"
      "\n"         // 9: read; the miner rejects the query
      "[1, 2]\n";  // 10
  SearchLogReader reader = reader_of(log, SearchLogFormat::kEvents);
  const std::vector<SearchRow> rows = read_all(reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].query, "두바이 초콜릿");
  EXPECT_EQ(rows[0].docs, (std::vector<std::string>{"d7", "d9"}));
  EXPECT_EQ(rows[0].user, "u1");
  EXPECT_EQ(rows[0].line, 1u);
  EXPECT_EQ(rows[1].line, 9u);

  EXPECT_EQ(first(reader.ignored(), "search without clicks"), "log.txt:2");
  EXPECT_EQ(first(reader.ignored(), "not a search event"), "log.txt:3");
  const SkipTally& s = reader.skips();
  EXPECT_EQ(first(s, "broken JSON"), "log.txt:4");
  EXPECT_EQ(first(s, kReasonEmptyQuery), "log.txt:5");
  EXPECT_EQ(first(s, kReasonQueryTooLong), "log.txt:6");
  EXPECT_EQ(first(s, "invalid UTF-8"), "log.txt:7");
  bool time_reason = false;
  for (const SkipTally::Entry& e : s.entries()) {
    if (e.reason.rfind("field 'time': ", 0) == 0) {
      time_reason = true;
      EXPECT_EQ(e.first, "log.txt:8");
    }
  }
  EXPECT_TRUE(time_reason);
  EXPECT_EQ(first(s, "not a JSON object"), "log.txt:10");
  EXPECT_EQ(s.total(), 6u);
}

TEST(SearchLogReaders, MissingFileIsNotFound) {
  auto r = SearchLogReader::open("/nonexistent/search.log", SearchLogFormat::kSogouQ);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/search.log"), std::string::npos);
}

TEST(SearchLogReaders, FeedingTheMinerCountsUnusableQueriesByLine) {
  const std::string log =
      "00:00:01\tu1\t[에스파]\t1 1\td1\n"
      "00:00:02\tu1\t[?!]\t1 1\td1\n"  // 2
      "00:00:03\tu2\t[에스파 일본 앨범]\t1 1\td1\n"
      "00:00:04\tu2\t[😀🎉]\t1 1\td1\n"   // 4
      "00:00:05\tu3\t[   ]\t1 1\td1\n"  // 5
      "00:00:06\tu3\t[에스파]\t2 1\td1\n";
  SearchLogReader reader = reader_of(log, SearchLogFormat::kSogouQ);
  IntentMiner miner;
  auto counts = feed_search_log(reader, miner);
  ASSERT_TRUE(counts.is_ok());
  EXPECT_EQ(counts->lines, 6u);
  EXPECT_EQ(counts->rows, 6u);
  EXPECT_EQ(counts->clicks, 3u);
  EXPECT_EQ(counts->rejected.count(kReasonNoTokens), 2u);
  EXPECT_EQ(first(counts->rejected, kReasonNoTokens), "log.txt:2");
  EXPECT_EQ(first(counts->rejected, kReasonEmptyQuery), "log.txt:5");
  miner.finish();
  std::vector<std::string> lines;
  miner.for_each_pair([&lines](const MinedPair& p) { lines.push_back(mined_pair_json(p)); });
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            R"({"query":"에스파","doc":"d1","refined":"에스파 일본 앨범","query_clicks":2,)"
            R"("refined_clicks":1,"query_tokens":1,"refined_tokens":3,"candidates":1,)"
            R"("added":["일본","앨범"],"added_text":["일본 앨범"]})");
}

}  // namespace
}  // namespace feedscout::intent
