#include "feedscout/text/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace feedscout::text {
namespace {

constexpr size_t npos = std::string_view::npos;

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_EQ(find_invalid_utf8(""), npos);
  EXPECT_EQ(find_invalid_utf8("hello, world"), npos);
  EXPECT_EQ(find_invalid_utf8("두바이 초콜릿"), npos);
  EXPECT_EQ(find_invalid_utf8("北京烤鸭 ひらがな"), npos);
  EXPECT_EQ(find_invalid_utf8("\xF0\x9F\x98\x80"), npos);           // U+1F600 😀
  EXPECT_EQ(find_invalid_utf8("\xC2\x80"), npos);                   // U+0080, smallest 2-byte
  EXPECT_EQ(find_invalid_utf8("\xE0\xA0\x80"), npos);               // U+0800, smallest 3-byte
  EXPECT_EQ(find_invalid_utf8("\xED\x9F\xBF"), npos);               // U+D7FF, just below surrogates
  EXPECT_EQ(find_invalid_utf8("\xEE\x80\x80"), npos);               // U+E000, just above surrogates
  EXPECT_EQ(find_invalid_utf8("\xF0\x90\x80\x80"), npos);           // U+10000, smallest 4-byte
  EXPECT_EQ(find_invalid_utf8("\xF4\x8F\xBF\xBF"), npos);           // U+10FFFF, the largest
  EXPECT_EQ(find_invalid_utf8(std::string_view("a\0b", 3)), npos);  // NUL is valid UTF-8
  EXPECT_TRUE(is_valid_utf8("스포츠>축구"));
}

TEST(Utf8Test, RejectsOverlongEncodings) {
  EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);          // '/' in 2 bytes
  EXPECT_EQ(find_invalid_utf8("\xC1\xBF"), 0u);          // U+007F in 2 bytes
  EXPECT_EQ(find_invalid_utf8("ab\xE0\x80\xAF"), 2u);    // '/' in 3 bytes
  EXPECT_EQ(find_invalid_utf8("\xE0\x9F\xBF"), 0u);      // U+07FF in 3 bytes
  EXPECT_EQ(find_invalid_utf8("\xF0\x80\x80\xAF"), 0u);  // '/' in 4 bytes
  EXPECT_EQ(find_invalid_utf8("\xF0\x8F\xBF\xBF"), 0u);  // U+FFFF in 4 bytes
}

TEST(Utf8Test, RejectsSurrogates) {
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u);   // U+D800
  EXPECT_EQ(find_invalid_utf8("x\xED\xBF\xBF"), 1u);  // U+DFFF
  // A CESU-8 style surrogate pair for U+1F600 is not UTF-8 either.
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\xBD\xED\xB8\x80"), 0u);
}

TEST(Utf8Test, RejectsCodePointsAboveMax) {
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // U+110000
  EXPECT_EQ(find_invalid_utf8("\xF5\x80\x80\x80"), 0u);  // lead byte F5
  EXPECT_EQ(find_invalid_utf8("\xF7\xBF\xBF\xBF"), 0u);
  EXPECT_EQ(find_invalid_utf8("\xF8\x88\x80\x80\x80"), 0u);  // old 5-byte form
  EXPECT_EQ(find_invalid_utf8("\xFF"), 0u);
  EXPECT_EQ(find_invalid_utf8("\xFE"), 0u);
}

TEST(Utf8Test, RejectsTruncatedAndStraySequences) {
  // "한" is ED 95 9C; cut after two bytes, at the end and in the middle of text.
  EXPECT_EQ(find_invalid_utf8("\xED\x95"), 0u);
  EXPECT_EQ(find_invalid_utf8("가\xED\x95"), 3u);
  EXPECT_EQ(find_invalid_utf8("\xED\x95"
                              "a"),
            0u);
  EXPECT_EQ(find_invalid_utf8("ab\xF0\x9F\x98"), 2u);  // 😀 without its last byte
  EXPECT_EQ(find_invalid_utf8("\xC3"), 0u);
  EXPECT_EQ(find_invalid_utf8("abc\x80"), 3u);  // lone continuation byte
  EXPECT_EQ(find_invalid_utf8("\xBF"), 0u);
  // The offset is that of the first bad sequence, after valid multi-byte text.
  EXPECT_EQ(find_invalid_utf8("축구\xFF야구"), 6u);
  EXPECT_FALSE(is_valid_utf8("ok\xC0"));
}

TEST(Utf8Test, DecodesAndAdvances) {
  const std::string s = "a한😀";
  size_t pos = 0;
  EXPECT_EQ(decode_utf8(s, pos), U'a');
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(decode_utf8(s, pos), U'\uD55C');
  EXPECT_EQ(pos, 4u);
  EXPECT_EQ(decode_utf8(s, pos), U'\U0001F600');
  EXPECT_EQ(pos, 8u);
}

TEST(Utf8Test, DecodeReplacesIllFormedBytesOneAtATime) {
  const std::string s =
      "\xED\x95"
      "a";  // truncated 한, then 'a'
  size_t pos = 0;
  EXPECT_EQ(decode_utf8(s, pos), U'\uFFFD');
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(decode_utf8(s, pos), U'\uFFFD');  // the stray continuation byte 95
  EXPECT_EQ(pos, 2u);
  EXPECT_EQ(decode_utf8(s, pos), U'a');
  EXPECT_EQ(pos, 3u);
  pos = 0;
  EXPECT_EQ(decode_utf8("\xED\xA0\x80", pos), U'\uFFFD');  // surrogate
  EXPECT_EQ(pos, 1u);
}

TEST(Utf8Test, AppendRoundTripsBoundaries) {
  const char32_t cps[] = {0x0,    0x41,   0x7F,   0x80,    0x7FF,   0x800,
                          0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
  const size_t lengths[] = {1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4};
  for (size_t i = 0; i < std::size(cps); ++i) {
    std::string out;
    append_utf8(out, cps[i]);
    EXPECT_EQ(out.size(), lengths[i]) << std::hex << static_cast<uint32_t>(cps[i]);
    EXPECT_TRUE(is_valid_utf8(out)) << std::hex << static_cast<uint32_t>(cps[i]);
    size_t pos = 0;
    EXPECT_EQ(decode_utf8(out, pos), cps[i]);
    EXPECT_EQ(pos, out.size());
  }
  std::string s;
  append_utf8(s, U'한');
  EXPECT_EQ(s, "한");
}

TEST(Utf8Test, TruncateKeepsWholeCodePoints) {
  EXPECT_EQ(truncate_utf8("한글", 6), "한글");
  EXPECT_EQ(truncate_utf8("한글", 100), "한글");
  EXPECT_EQ(truncate_utf8("한글", 5), "한");
  EXPECT_EQ(truncate_utf8("한글", 4), "한");
  EXPECT_EQ(truncate_utf8("한글", 3), "한");
  EXPECT_EQ(truncate_utf8("한글", 2), "");
  EXPECT_EQ(truncate_utf8("a한", 2), "a");
  EXPECT_EQ(truncate_utf8("a😀b", 4), "a");
  EXPECT_EQ(truncate_utf8("a😀b", 5), "a😀");
  EXPECT_EQ(truncate_utf8("abc", 0), "");
}

}  // namespace
}  // namespace feedscout::text
