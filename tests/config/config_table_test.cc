// The configuration file's tables (include/feedscout/config/config_table.h): typed reads,
// errors that name the file and key, the first error winning, and unknown keys.
#include "feedscout/config/config_table.h"

#include <gtest/gtest.h>

#include <array>

namespace feedscout {
namespace {

TEST(ConfigTableTest, ReadsTypedValuesAndLeavesAbsentKeysAlone) {
  auto t = ConfigTable::parse(
      "[a]\nname = \"x\"\non = true\ncount = 7\nrate = 0.5\nwhole = 2\nw = [1, 2.5, 0]\n",
      "f.toml");
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  std::string name = "default";
  bool on = false;
  size_t count = 0;
  int absent = 42;
  double rate = 0, whole = 0;
  std::array<double, 3> w{};
  t->read("a", "name", name);
  t->read("a", "on", on);
  t->read("a", "count", count);
  t->read("a", "rate", rate);
  t->read("a", "whole", whole);  // an integer where a number is asked for
  t->read("a", "absent", absent);
  t->read_numbers("a", "w", w, "[x, y, z]");
  EXPECT_TRUE(t->finish().is_ok()) << t->finish().to_string();
  EXPECT_EQ(name, "x");
  EXPECT_TRUE(on);
  EXPECT_EQ(count, 7u);
  EXPECT_DOUBLE_EQ(rate, 0.5);
  EXPECT_DOUBLE_EQ(whole, 2.0);
  EXPECT_EQ(absent, 42);
  EXPECT_DOUBLE_EQ(w[1], 2.5);
}

TEST(ConfigTableTest, SyntaxErrorsNameTheFileAndLine) {
  auto t = ConfigTable::parse("[a]\nx = 1\ny = = 2\n", "bad.toml");
  ASSERT_FALSE(t.is_ok());
  EXPECT_NE(t.status().to_string().find("bad.toml:3"), std::string::npos) << t.status().to_string();
}

TEST(ConfigTableTest, TheFirstErrorWinsAndNamesTheKey) {
  auto t = ConfigTable::parse("[a]\nn = -1\ns = 3\n", "f.toml");
  ASSERT_TRUE(t.is_ok());
  int n = 0;
  std::string s;
  t->read("a", "n", n);  // negative counts are refused
  t->read("a", "s", s);  // a number where a string is asked for: not reported, n came first
  EXPECT_EQ(n, 0);
  const Status st = t->finish();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.to_string().find("f.toml: key 'a.n' has the wrong type"), std::string::npos)
      << st.to_string();
  t->fail(Status::invalid_argument("later"));
  EXPECT_EQ(t->finish().to_string(), st.to_string());
}

TEST(ConfigTableTest, FailRecordsAnErrorWithTheSource) {
  auto t = ConfigTable::parse("", "f.toml");
  ASSERT_TRUE(t.is_ok());
  t->fail(Status::invalid_argument("bad dialect").with_context("intent.llm_dialect"));
  EXPECT_NE(t->finish().to_string().find("f.toml: intent.llm_dialect: bad dialect"),
            std::string::npos)
      << t->finish().to_string();
}

TEST(ConfigTableTest, KeysNobodyReadAreErrors) {
  auto t = ConfigTable::parse("[a]\nknown = 1\ntypo = 2\n", "f.toml");
  ASSERT_TRUE(t.is_ok());
  int known = 0;
  t->read("a", "known", known);
  const Status st = t->finish();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.to_string().find("unknown key 'a.typo'"), std::string::npos) << st.to_string();

  auto top = ConfigTable::parse("loose = 1\n", "f.toml");
  ASSERT_TRUE(top.is_ok());
  EXPECT_NE(top->finish().to_string().find("unknown top-level key 'loose'"), std::string::npos);
}

TEST(ConfigTableTest, NumberArraysMustHaveTheShape) {
  auto t = ConfigTable::parse("[a]\nw = [1, 2]\nv = [1, -2, 3]\n", "f.toml");
  ASSERT_TRUE(t.is_ok());
  std::array<double, 3> w{}, v{};
  t->read_numbers("a", "w", w, "[search, feed, main]");
  EXPECT_NE(t->finish().to_string().find("must be an array of 3 numbers [search, feed, main]"),
            std::string::npos)
      << t->finish().to_string();
  auto u = ConfigTable::parse("[a]\nv = [1, -2, 3]\n", "f.toml");
  ASSERT_TRUE(u.is_ok());
  u->read_numbers("a", "v", v, "[x, y, z]");
  EXPECT_NE(u->finish().to_string().find("has a bad element"), std::string::npos);
}

}  // namespace
}  // namespace feedscout
