#include "feedscout/taxonomy/taxonomy.h"

#include <gtest/gtest.h>

#include <string>

#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::taxonomy;
using testing_support::topic;

TEST(TaxonomyShippedTest, LoadsWithExpectedCounts) {
  const Taxonomy& t = taxonomy();
  EXPECT_EQ(t.size(), 635u);
  // data/taxonomy/README.md counts tiers from the IAB tier columns: 37/323/275. Levels here
  // come from parent links, and two rows have a parent one tier above their IAB tier path:
  // 376 (Public Radio, tier 3 under Talk Radio) has parent SPSHQ5 (Genres, a tier-1 row)
  // and 497 (Horse Racing, tier 3 under Equine Sports) has parent 483 (Sports). Both are
  // level 2 by parent links, so level_counts() is 37 / 323+2 / 275-2.
  EXPECT_EQ(t.level_counts(), (std::vector<size_t>{37, 325, 273}));
  EXPECT_EQ(t.node(topic(t, "376")).level, 2);
  EXPECT_EQ(t.node(topic(t, "376")).path, "장르>공영 라디오");
  EXPECT_EQ(t.node(topic(t, "497")).level, 2);
  EXPECT_EQ(t.node(topic(t, "497")).path, "스포츠>경마");
}

TEST(TaxonomyShippedTest, PathsAndNames) {
  const Taxonomy& t = taxonomy();
  const TopicNode& soccer = t.node(topic(t, "533"));
  EXPECT_EQ(soccer.external_id, "533");
  EXPECT_EQ(soccer.name, "축구");
  EXPECT_EQ(soccer.name_en, "Soccer");
  EXPECT_EQ(soccer.path, "스포츠>축구");
  EXPECT_EQ(soccer.level, 2);
  const TopicNode& sports = t.node(topic(t, "483"));
  EXPECT_EQ(sports.path, "스포츠");
  EXPECT_EQ(sports.level, 1);
  EXPECT_EQ(sports.parent, kNoTopic);
  EXPECT_EQ(soccer.parent, topic(t, "483"));
  // A third-level node.
  const TopicNode& coupe = t.node(topic(t, "9"));
  EXPECT_EQ(coupe.path, "자동차>차체 유형>쿠페");
  EXPECT_EQ(coupe.level, 3);
  // Every node's path is found again by path, and ids are dense.
  for (TopicId i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t.find_by_path(t.node(i).path), i) << t.node(i).path;
    EXPECT_EQ(t.find_by_external_id(t.node(i).external_id), i);
  }
}

TEST(TaxonomyShippedTest, ResolveByIdOrPath) {
  const Taxonomy& t = taxonomy();
  EXPECT_EQ(t.resolve("533"), t.find_by_path("스포츠>축구"));
  EXPECT_EQ(t.resolve("스포츠>축구"), t.find_by_external_id("533"));
  EXPECT_EQ(t.resolve("SPSHQ5"), t.find_by_path("장르"));  // non-numeric id
  EXPECT_FALSE(t.resolve("축구").has_value());             // a name alone is not a path
  EXPECT_FALSE(t.resolve("스포츠>").has_value());
  EXPECT_FALSE(t.resolve("스포츠>야구>축구").has_value());
  EXPECT_FALSE(t.resolve("").has_value());
  EXPECT_FALSE(t.resolve("99999").has_value());
  EXPECT_FALSE(t.find_by_external_id("스포츠>축구").has_value());
  EXPECT_FALSE(t.find_by_path("533").has_value());
}

TEST(TaxonomyShippedTest, LineageAndAncestry) {
  const Taxonomy& t = taxonomy();
  const TopicId sports = topic(t, "483"), soccer = topic(t, "533"), baseball = topic(t, "545");
  const TopicId autos = topic(t, "1"), body = topic(t, "2"), coupe = topic(t, "9");
  EXPECT_EQ(t.lineage(coupe), (std::vector<TopicId>{autos, body, coupe}));
  EXPECT_EQ(t.lineage(soccer), (std::vector<TopicId>{sports, soccer}));
  EXPECT_EQ(t.lineage(sports), (std::vector<TopicId>{sports}));
  EXPECT_TRUE(t.is_ancestor_or_self(sports, soccer));
  EXPECT_TRUE(t.is_ancestor_or_self(soccer, soccer));
  EXPECT_TRUE(t.is_ancestor_or_self(autos, coupe));
  EXPECT_FALSE(t.is_ancestor_or_self(soccer, sports));
  EXPECT_FALSE(t.is_ancestor_or_self(soccer, baseball));
  EXPECT_FALSE(t.is_ancestor_or_self(sports, coupe));
}

TEST(TaxonomyParseTest, SmallFileWithCommentsCrlfAndExtraColumns) {
  const std::string text =
      "# a comment\r\n"
      "id\tparent\tname\tname_en\r\n"
      "\r\n"
      "s\t\t스포츠\tSports\textra\r\n"
      "f\ts\t축구\r\n"
      "k\tf\tK리그\tK League\r\n";
  auto r = Taxonomy::parse(text, "mem");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const Taxonomy& t = *r;
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.level_counts(), (std::vector<size_t>{1, 1, 1}));
  EXPECT_EQ(t.node(topic(t, "k")).path, "스포츠>축구>K리그");
  EXPECT_EQ(t.node(topic(t, "k")).name_en, "K League");  // \r trimmed
  EXPECT_EQ(t.node(topic(t, "f")).name_en, "");
}

TEST(TaxonomyParseTest, ChildBeforeParentIsAccepted) {
  // The format requires only that every parent is defined somewhere in the file.
  auto r = Taxonomy::parse("id\tparent\tname\nf\ts\t축구\ns\t\t스포츠\n", "mem");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->node(topic(*r, "f")).path, "스포츠>축구");
}

void expect_error(const std::string& text, const std::string& want_line,
                  const std::string& want_text) {
  auto r = Taxonomy::parse(text, "t.tsv");
  ASSERT_FALSE(r.is_ok()) << "accepted:\n" << text;
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("t.tsv:" + want_line + ":"), std::string::npos)
      << "message does not name line " << want_line << ": " << msg;
  EXPECT_NE(msg.find(want_text), std::string::npos)
      << "message lacks '" << want_text << "': " << msg;
}

const std::string kHeader = "id\tparent\tname\n";

TEST(TaxonomyParseTest, DuplicateId) {
  expect_error(kHeader + "a\t\t가\nb\t\t나\na\t\t다\n", "4", "duplicate id 'a'");
}

TEST(TaxonomyParseTest, UnknownParent) {
  expect_error(kHeader + "a\t\t가\nb\tzz\t나\n", "3", "parent 'zz'");
}

TEST(TaxonomyParseTest, OwnParent) {
  expect_error(kHeader + "a\t\t가\nb\tb\t나\n", "3", "own parent");
}

TEST(TaxonomyParseTest, DepthFour) {
  expect_error(kHeader + "a\t\t1\nb\ta\t2\nc\tb\t3\nd\tc\t4\n", "5", "deeper than 3");
}

TEST(TaxonomyParseTest, Cycle) {
  // a → b → a: neither reaches a root. The first row of the cycle is reported.
  expect_error(kHeader + "r\t\t뿌리\na\tb\t가\nb\ta\t나\n", "3", "cycle");
}

TEST(TaxonomyParseTest, GreaterThanInName) {
  expect_error(kHeader + "a\t\t가\nb\ta\t나>다\n", "3", "'>'");
}

TEST(TaxonomyParseTest, DuplicateSiblingNames) {
  expect_error(kHeader + "a\t\t스포츠\nb\ta\t축구\nc\ta\t축구\n", "4", "sibling names");
  // The same name under different parents is fine.
  auto ok = Taxonomy::parse(kHeader + "a\t\t스포츠\nb\ta\t기타\nc\t\t음악\nd\tc\t기타\n", "t.tsv");
  EXPECT_TRUE(ok.is_ok()) << ok.status().to_string();
  // Duplicate top-level names too.
  expect_error(kHeader + "a\t\t스포츠\nb\t\t스포츠\n", "3", "sibling names");
}

TEST(TaxonomyParseTest, MissingHeader) {
  expect_error("a\t\t스포츠\nb\ta\t축구\n", "1", "expected header");
  expect_error("# only a comment\nname\tparent\tid\n", "2", "expected header");
}

TEST(TaxonomyParseTest, InvalidUtf8) {
  expect_error(kHeader + "a\t\t가\nb\ta\t\xED\xA0\x80\n", "3", "invalid UTF-8");
}

TEST(TaxonomyParseTest, EmptyFileAndNoRows) {
  EXPECT_FALSE(Taxonomy::parse("", "t.tsv").is_ok());
  EXPECT_FALSE(Taxonomy::parse("# nothing\n\n", "t.tsv").is_ok());
  expect_error(kHeader, "1", "no nodes");
}

TEST(TaxonomyParseTest, ShortRowsAndEmptyFields) {
  expect_error(kHeader + "a\t\t가\nb\ta\n", "3", "at least 3");
  expect_error(kHeader + "a\t\t가\n\ta\t나\n", "3", "empty id");
  expect_error(kHeader + "a\t\t가\nb\ta\t  \n", "3", "empty name");
}

TEST(TaxonomyLoadTest, MissingFileIsNotFound) {
  auto r = Taxonomy::load_file("/nonexistent/taxonomy.tsv");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/taxonomy.tsv"), std::string::npos);
}

}  // namespace
}  // namespace feedscout
