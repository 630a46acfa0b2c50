#include "feedscout/text/tokenize.h"

#include "feedscout/common/hash.h"
#include "feedscout/text/utf8.h"

namespace feedscout::text {
namespace {

bool is_hangul_or_cjk(char32_t cp) {
  return (cp >= 0xAC00 && cp <= 0xD7A3) ||  // Hangul syllables
         (cp >= 0x1100 && cp <= 0x11FF) ||  // Hangul jamo
         (cp >= 0x3130 && cp <= 0x318F) ||  // compatibility jamo
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK unified ideographs
         (cp >= 0x3400 && cp <= 0x4DBF) ||  // extension A
         (cp >= 0x3040 && cp <= 0x30FF);    // kana
}

bool is_word_char(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  }
  if (is_hangul_or_cjk(cp)) return true;
  // Latin-1 letters, Latin extended, Greek, Cyrillic: letters for our purposes.
  if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) || (cp >= 0x370 && cp <= 0x4FF)) {
    return true;
  }
  return false;
}

char32_t fold(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xFF21 && cp <= 0xFF3A) return cp - 0xFF21 + 'a';  // fullwidth A-Z
  if (cp >= 0xFF41 && cp <= 0xFF5A) return cp - 0xFF41 + 'a';  // fullwidth a-z
  if (cp >= 0xFF10 && cp <= 0xFF19) return cp - 0xFF10 + '0';  // fullwidth digits
  return cp;
}

uint64_t fnv1a(const std::string& s) {
  return fnv1a64(s);
}

// Calls fn(code_points_of_word) for each normalised word.
template <typename Fn>
void for_each_word(std::string_view s, Fn&& fn) {
  std::u32string word;
  size_t pos = 0;
  while (pos < s.size()) {
    const char32_t cp = fold(decode_utf8(s, pos));
    if (is_word_char(cp)) {
      word.push_back(cp);
    } else if (!word.empty()) {
      fn(word);
      word.clear();
    }
  }
  if (!word.empty()) fn(word);
}

std::string to_utf8(const std::u32string& w, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) append_utf8(out, w[i]);
  return out;
}

}  // namespace

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  for_each_word(s, [&](const std::u32string& w) { out.push_back(to_utf8(w, 0, w.size())); });
  return out;
}

std::vector<TermId> retrieval_terms(std::string_view s) {
  std::vector<TermId> out;
  for_each_word(s, [&](const std::u32string& w) {
    size_t i = 0;
    while (i < w.size()) {
      const bool cjk = is_hangul_or_cjk(w[i]);
      size_t j = i;
      while (j < w.size() && is_hangul_or_cjk(w[j]) == cjk) ++j;
      if (cjk) {
        if (j - i == 1) {
          out.push_back(fnv1a(to_utf8(w, i, j)));
        } else {
          for (size_t k = i; k + 1 < j; ++k) out.push_back(fnv1a(to_utf8(w, k, k + 2)));
        }
      } else {
        out.push_back(fnv1a(to_utf8(w, i, j)));
      }
      i = j;
    }
  });
  return out;
}

std::string classifier_text(std::string_view title, std::string_view body, size_t max_bytes) {
  std::string out;
  auto add = [&](std::string_view part) {
    for_each_word(part, [&](const std::u32string& w) {
      if (out.size() >= max_bytes) return;
      if (!out.empty()) out.push_back(' ');
      out += to_utf8(w, 0, w.size());
    });
  };
  add(title);
  add(body);
  return std::string(truncate_utf8(out, max_bytes));
}

}  // namespace feedscout::text
