// Query normalisation: NFKC_Casefold, whitespace words, character tokens for unspaced
// scripts, script-change splits, and the reasons unusable queries are rejected with.
#include "feedscout/intent/query_normalizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace feedscout::intent {
namespace {

using Tokens = std::vector<std::string>;

NormalizedQuery norm(std::string_view raw) {
  auto r = normalize_query(raw);
  EXPECT_TRUE(r.is_ok()) << raw << ": " << r.status().to_string();
  return r.is_ok() ? *r : NormalizedQuery{};
}

std::string reason(std::string_view raw, const QueryNormalizerOptions& options = {}) {
  auto r = normalize_query(raw, options);
  EXPECT_FALSE(r.is_ok()) << raw;
  if (r.is_ok()) return "";
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  return r.status().message();
}

TEST(QueryNormalizer, FullWidthBecomesAsciiAndIdeographicSpaceASpace) {
  const NormalizedQuery q = norm("ＩＵ　ＬＩＬＡＣ　２０２１");
  EXPECT_EQ(q.text, "iu lilac 2021");
  EXPECT_EQ(q.tokens, (Tokens{"iu", "lilac", "2021"}));
}

TEST(QueryNormalizer, CaseFoldingCoversNonAsciiScripts) {
  EXPECT_EQ(norm("Straße").tokens, Tokens{"strasse"});
  EXPECT_EQ(norm("ΑΘΗΝΑ Σοφία ΟΔΟΣ").tokens, (Tokens{"αθηνα", "σοφία", "οδοσ"}));  // ς → σ
  EXPECT_EQ(norm("ÉCOLE École").tokens, (Tokens{"école", "école"}));
  EXPECT_EQ(norm("МОСКВА").tokens, Tokens{"москва"});
}

TEST(QueryNormalizer, AsciiPathMatchesTheUnicodePath) {
  // The same words with one non-ASCII character forcing the ICU path.
  const NormalizedQuery ascii = norm("  Hot   MESS!  Aespa ");
  EXPECT_EQ(ascii.text, "hot mess! aespa");
  EXPECT_EQ(ascii.tokens, (Tokens{"hot", "mess", "aespa"}));
  const NormalizedQuery unicode = norm("  Hot   MESS！ Aespa ");  // full-width '!'
  EXPECT_EQ(unicode.text, ascii.text);
  EXPECT_EQ(unicode.tokens, ascii.tokens);
}

TEST(QueryNormalizer, HanAndKanaGiveOneTokenPerCharacter) {
  EXPECT_EQ(norm("北京大学").tokens, (Tokens{"北", "京", "大", "学"}));
  EXPECT_EQ(norm("ワンピース 映画").tokens, (Tokens{"ワ", "ン", "ピ", "ー", "ス", "映", "画"}));
  EXPECT_EQ(norm("ひらがな").tokens, (Tokens{"ひ", "ら", "が", "な"}));
  // Half-width katakana is composed by NFKC first: ﾋﾟ → ピ.
  EXPECT_EQ(norm("ﾜﾝﾋﾟｰｽ").tokens, norm("ワンピース").tokens);
}

TEST(QueryNormalizer, ThaiMarksStayWithTheirCharacter) {
  // ส ว+ั ส ด+ี
  EXPECT_EQ(norm("สวัสดี").tokens, (Tokens{"ส", "วั", "ส", "ดี"}));
}

TEST(QueryNormalizer, HangulIsSplitBySpacesOnly) {
  const NormalizedQuery q = norm("에스파 일본 앨범");
  EXPECT_EQ(q.text, "에스파 일본 앨범");
  EXPECT_EQ(q.tokens, (Tokens{"에스파", "일본", "앨범"}));
  EXPECT_EQ(norm("두바이초콜릿").tokens, Tokens{"두바이초콜릿"});
}

TEST(QueryNormalizer, MixedScriptsSplitWhereTheScriptChanges) {
  const NormalizedQuery q = norm("아이유IU 콘서트");
  EXPECT_EQ(q.text, "아이유iu 콘서트");
  EXPECT_EQ(q.tokens, (Tokens{"아이유", "iu", "콘서트"}));
  EXPECT_EQ(norm("아이유 IU 콘서트").tokens, q.tokens);
  // Digits join the word they touch; Han characters stay single.
  EXPECT_EQ(norm("2024年 iPhone15 5월").tokens, (Tokens{"2024", "年", "iphone15", "5월"}));
  EXPECT_EQ(norm("360安全卫士").tokens, (Tokens{"360", "安", "全", "卫", "士"}));
}

TEST(QueryNormalizer, PunctuationSymbolsAndEmojiSeparate) {
  EXPECT_EQ(norm("아이유💜콘서트").tokens, (Tokens{"아이유", "콘서트"}));
  EXPECT_EQ(norm("沈国放+间谍").tokens, (Tokens{"沈", "国", "放", "间", "谍"}));
  EXPECT_EQ(norm("«c'est»").tokens, (Tokens{"c", "est"}));
}

TEST(QueryNormalizer, NormalisationIsIdempotent) {
  for (const char* raw : {"ＩＵ　Straße", "아이유IU 콘서트", "ﾜﾝﾋﾟｰｽ", "สวัสดี 北京"}) {
    const NormalizedQuery once = norm(raw);
    const NormalizedQuery twice = norm(once.text);
    EXPECT_EQ(twice.text, once.text) << raw;
    EXPECT_EQ(twice.tokens, once.tokens) << raw;
  }
}

TEST(QueryNormalizer, UnusableQueriesAreRejectedWithAReason) {
  EXPECT_EQ(reason(""), kReasonEmptyQuery);
  EXPECT_EQ(reason(" \t\u3000 "), kReasonEmptyQuery);
  EXPECT_EQ(reason("\u200B"), kReasonEmptyQuery);  // zero-width space: default-ignorable
  EXPECT_EQ(reason("?!…"), kReasonNoTokens);
  EXPECT_EQ(reason("😀🎉"), kReasonNoTokens);
  EXPECT_EQ(reason("👨‍👩‍👧 ❤️"),
            kReasonNoTokens);  // ZWJ sequence, variation selector
  EXPECT_EQ(reason("\xff\xfe"), kReasonInvalidUtf8);
  EXPECT_EQ(reason(std::string(1025, 'a')), kReasonQueryTooLong);
  QueryNormalizerOptions few;
  few.max_tokens = 3;
  EXPECT_EQ(reason("a b c d", few), kReasonTooManyTokens);
  EXPECT_TRUE(normalize_query("a b c", few).is_ok());
}

TEST(QueryNormalizer, UnspacedScripts) {
  EXPECT_TRUE(is_unspaced_script(U'北'));
  EXPECT_TRUE(is_unspaced_script(U'ア'));
  EXPECT_TRUE(is_unspaced_script(U'ก'));
  EXPECT_FALSE(is_unspaced_script(U'한'));
  EXPECT_FALSE(is_unspaced_script(U'a'));
  EXPECT_FALSE(is_unspaced_script(U'7'));
}

}  // namespace
}  // namespace feedscout::intent
