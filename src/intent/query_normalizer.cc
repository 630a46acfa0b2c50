// Query normalisation (NFKC_Casefold through ICU) and tokenisation; see query_normalizer.h.
#include "feedscout/intent/query_normalizer.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include "feedscout/text/utf8.h"

namespace feedscout::intent {
namespace {

Status reject(std::string_view reason) {
  return Status::invalid_argument(std::string(reason));
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool is_ascii_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

bool is_ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Builds tokens code point by code point; see the rules in query_normalizer.h.
class Tokenizer {
 public:
  explicit Tokenizer(std::vector<std::string>& out) : out_(out) {}

  void separator() { flush(); }

  void mark(char32_t cp) {
    if (!cur_.empty()) text::append_utf8(cur_, cp);  // a mark with no base is dropped
  }

  void base(char32_t cp, UScriptCode script) {
    const bool unspaced =
        is_unspaced_script(cp) ||
        (cur_unspaced_ && (script == USCRIPT_COMMON || script == USCRIPT_INHERITED) &&
         (U_GET_GC_MASK(cp) & U_GC_LM_MASK) != 0);
    if (unspaced) {
      flush();
      text::append_utf8(cur_, cp);
      cur_unspaced_ = true;
      return;
    }
    const bool neutral = script == USCRIPT_COMMON || script == USCRIPT_INHERITED;
    if (cur_unspaced_ ||
        (!neutral && cur_script_ != USCRIPT_INVALID_CODE && script != cur_script_)) {
      flush();
    }
    if (!neutral && cur_script_ == USCRIPT_INVALID_CODE) cur_script_ = script;
    text::append_utf8(cur_, cp);
  }

  void flush() {
    if (!cur_.empty()) out_.push_back(std::move(cur_));
    cur_.clear();
    cur_script_ = USCRIPT_INVALID_CODE;
    cur_unspaced_ = false;
  }

 private:
  std::vector<std::string>& out_;
  std::string cur_;
  UScriptCode cur_script_ = USCRIPT_INVALID_CODE;  // of the current word's first letter
  bool cur_unspaced_ = false;
};

// ASCII is NFKC-stable and case-folds to lower case: no ICU round trip needed.
void normalize_ascii(std::string_view raw, NormalizedQuery& q) {
  std::string word;
  bool pending_space = false;
  for (char c : raw) {
    if (is_ascii_space(c)) {
      pending_space = !q.text.empty();
    } else {
      if (pending_space) q.text += ' ';
      pending_space = false;
      q.text += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (is_ascii_alnum(c)) {
      word += q.text.back();
    } else if (!word.empty()) {
      q.tokens.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) q.tokens.push_back(std::move(word));
}

Status normalize_unicode(std::string_view raw, NormalizedQuery& q) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(err);
  if (U_FAILURE(err)) return Status::internal(std::string("ICU: ") + u_errorName(err));
  const icu::UnicodeString src =
      icu::UnicodeString::fromUTF8(icu::StringPiece(raw.data(), static_cast<int32_t>(raw.size())));
  const icu::UnicodeString norm = nfkc_cf->normalize(src, err);
  if (U_FAILURE(err)) return Status::internal(std::string("ICU: ") + u_errorName(err));

  Tokenizer tokens(q.tokens);
  bool pending_space = false;
  for (int32_t i = 0; i < norm.length();) {
    const UChar32 cp = norm.char32At(i);
    i += U16_LENGTH(cp);
    if (u_isUWhiteSpace(cp)) {
      pending_space = !q.text.empty();
      tokens.separator();
      continue;
    }
    if (pending_space) q.text += ' ';
    pending_space = false;
    text::append_utf8(q.text, static_cast<char32_t>(cp));
    const uint32_t gc = U_GET_GC_MASK(cp);
    if ((gc & U_GC_M_MASK) != 0) {
      tokens.mark(static_cast<char32_t>(cp));
    } else if ((gc & (U_GC_L_MASK | U_GC_N_MASK)) != 0) {
      UErrorCode script_err = U_ZERO_ERROR;
      const UScriptCode script = uscript_getScript(cp, &script_err);
      tokens.base(static_cast<char32_t>(cp), U_FAILURE(script_err) ? USCRIPT_COMMON : script);
    } else {
      tokens.separator();  // punctuation, symbols (emoji), controls, format characters
    }
  }
  tokens.flush();
  return Status::ok();
}

}  // namespace

bool is_unspaced_script(char32_t cp) {
  UErrorCode err = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(static_cast<UChar32>(cp), &err);
  if (U_FAILURE(err)) return false;
  switch (script) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_KATAKANA_OR_HIRAGANA:
    case USCRIPT_BOPOMOFO:
    case USCRIPT_THAI:
    case USCRIPT_LAO:
    case USCRIPT_KHMER:
    case USCRIPT_MYANMAR:
    case USCRIPT_TIBETAN:
    case USCRIPT_YI:
      return true;
    default:
      return false;
  }
}

Result<NormalizedQuery> normalize_query(std::string_view raw,
                                        const QueryNormalizerOptions& options) {
  if (!text::is_valid_utf8(raw)) return reject(kReasonInvalidUtf8);
  if (raw.size() > options.max_query_bytes) return reject(kReasonQueryTooLong);
  NormalizedQuery q;
  if (is_ascii(raw)) {
    normalize_ascii(raw, q);
  } else {
    FEEDSCOUT_RETURN_IF_ERROR(normalize_unicode(raw, q));
  }
  if (q.text.empty()) return reject(kReasonEmptyQuery);
  if (q.tokens.empty()) return reject(kReasonNoTokens);
  if (q.tokens.size() > options.max_tokens) return reject(kReasonTooManyTokens);
  return q;
}

}  // namespace feedscout::intent
