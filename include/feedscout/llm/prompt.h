// Prompts as files (data/prompts/*.txt) and the pieces that fill them (issue 4):
// classification (instruction, title, body truncated to a token budget), teacher labelling
// (detailed, with the taxonomy's label list) and a G-Eval-style judge (relevance and
// specificity scored 0–100 by form filling). Golden-file tests pin their rendered text.
//
// Template syntax: `{{name}}` (ASCII letters, digits, '_') is replaced by a value; nothing
// else is special. Every placeholder must get a value and every value must be used, so a
// renamed placeholder fails loudly instead of sending a half-filled prompt.
//
// Thread-safe (immutable after load).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout::llm {

class PromptTemplate {
 public:
  // NotFound naming the path; InvalidArgument naming "path:line" for an unclosed or
  // malformed placeholder.
  [[nodiscard]] static Result<PromptTemplate> load_file(const std::string& path);
  [[nodiscard]] static Result<PromptTemplate> parse(std::string_view text,
                                                    const std::string& source);

  // Distinct placeholder names, in order of first use.
  const std::vector<std::string>& variables() const { return variables_; }

  // InvalidArgument naming the placeholder that has no value, or the value no placeholder
  // uses.
  [[nodiscard]] Result<std::string> render(const std::map<std::string, std::string>& values) const;

 private:
  struct Piece {
    bool is_variable = false;
    std::string text;  // literal text, or the variable's name
  };
  std::string source_;
  std::vector<Piece> pieces_;
  std::vector<std::string> variables_;
};

// Text cut to a budget, with what was dropped made explicit.
struct Truncated {
  std::string text;        // at most `budget` code points, plus " …" when cut
  bool truncated = false;  // true when anything was dropped
  size_t kept = 0;         // code points kept
  size_t total = 0;        // code points in the input
};

// Cuts `text` (valid UTF-8 expected; invalid bytes count as one unit each and are kept or
// dropped whole) to at most `budget` Unicode code points — a conservative proxy for model
// tokens on Korean text, where BPE vocabularies give at most about one token per syllable.
// The cut is moved back to the last whitespace in the final fifth of the budget, so words
// are not split when possible; trailing whitespace is removed before " …".
Truncated truncate_to_budget(std::string_view text, size_t budget);

// The shipped prompts, filled. `body` is cut with truncate_to_budget(body, body_budget);
// *truncated (when not null) says whether it was. Placeholders: classify {{title}} {{body}};
// teacher_label also {{labels}} (every taxonomy path, one per line, in file order); judge also
// {{topic}} (a path). Errors: those of PromptTemplate::render.
[[nodiscard]] Result<std::string> classification_prompt(const PromptTemplate& t,
                                                        std::string_view title,
                                                        std::string_view body, size_t body_budget,
                                                        bool* truncated = nullptr);
[[nodiscard]] Result<std::string> teacher_prompt(const PromptTemplate& t, const Taxonomy& taxonomy,
                                                 std::string_view title, std::string_view body,
                                                 size_t body_budget, bool* truncated = nullptr);
[[nodiscard]] Result<std::string> judge_prompt(const PromptTemplate& t, std::string_view title,
                                               std::string_view body, std::string_view topic_path,
                                               size_t body_budget, bool* truncated = nullptr);

// The judge's score from its filled form: the first integer after the last "점수" in the
// response, which must be within 0..100. InvalidArgument otherwise (quoting the tail).
[[nodiscard]] Result<int> parse_judge_score(std::string_view response);

// The response-quality filter for generated text: ln(L) · L / C with L tokens and C distinct
// tokens (text::words). High when a text repeats itself; 0 for an empty text. The default
// threshold for dropping a generated text is 15.
inline constexpr double kDefaultRepetitionThreshold = 15.0;
double repetition_score(std::string_view text);
inline bool passes_repetition_filter(std::string_view text,
                                     double threshold = kDefaultRepetitionThreshold) {
  return repetition_score(text) <= threshold;
}

}  // namespace feedscout::llm
