// List-wise ranking judgements from a large language model, distilled into the learned ranker
// (the RRA recipe): for a sampled user, the current ranking's first and last candidates
// (judge_positions) are numbered 1..n in a prompt (data/prompts/judge_ranking.txt) and the
// teacher answers {"order": [...]} with the numbers from best to worst fit, leaving out
// candidates that do not fit at all. Listed candidates get graded
// labels by place; the left-out ones are hard negatives (label 0). The groups train the same
// GbdtRanker as click feedback, mixed in at a group weight.
//
// Judged groups are stored as JSON Lines (judged_to_jsonl / read_judged_jsonl), written by
// `feedscout distill judge-ranking` and read by `feedscout train-ranker --judgements FILE`.
//
// Pure functions; thread-safe. No exception leaves this module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/llm/prompt.h"
#include "feedscout/models/gbdt_ranker.h"

namespace feedscout::llm {

// One candidate shown to the teacher: its ranker feature row (as served) and what the prompt
// shows of it.
struct JudgeCandidate {
  std::string doc_id;
  std::string title;
  std::string topic_path;  // "" = none shown
  std::vector<float> features;
};

// One ranking question: a user and the candidates picked by judge_positions, in the order of
// the current ranking (its top, then its bottom); the prompt numbers them 1..n in this order.
struct JudgeRequest {
  std::string user;
  std::string profile;  // the user summary text (interests, recent searches, clicked titles)
  std::vector<JudgeCandidate> candidates;
};

// Positions (0-based, ascending) of the candidates to judge in a ranked list of `list_size`:
// the first `top` and the last `bottom`. When they would overlap (top + bottom >= list_size)
// every position is returned, once.
std::vector<size_t> judge_positions(size_t list_size, size_t top = 10, size_t bottom = 10);

// The candidates as the prompt lists them, one per line: "[i] title — topic_path" (i from 1;
// " — topic_path" left out when the path is empty). Line breaks and other control characters
// inside a title or path become spaces, so each candidate stays on one line.
std::string judge_candidate_list(const std::vector<JudgeCandidate>& candidates);

// The prompt for `r`: `tmpl` with {{profile}} = r.profile and {{candidates}} =
// judge_candidate_list(r.candidates). InvalidArgument when r has no candidates, or (from
// PromptTemplate::render) when the template's placeholders are not exactly those two.
[[nodiscard]] Result<std::string> render_judge_prompt(const PromptTemplate& tmpl,
                                                      const JudgeRequest& r);

// The teacher's answer for `n_candidates` candidates numbered 1..n.
struct JudgeAnswer {
  std::vector<size_t> order;  // candidate indexes (0-based), best first, distinct, < n
  size_t unknown = 0;         // numbers outside 1..n in the answer (skipped)
  size_t duplicates = 0;      // numbers listed again after their first place (skipped)
};

// Parses the teacher's answer. Finding the object is lenient: text around it and ```json
// fences are ignored; the first balanced {...} that parses as a JSON object holding "order"
// is used (at most 64 '{' are tried as starts). Its content is strict:
//  - "order" must be an array, and each entry a JSON integer. A non-integer entry (a string
//    such as "3", a fraction, null) is an InvalidArgument naming its position: skipping it
//    would silently turn a candidate the teacher did rank into a hard negative, so the whole
//    answer is refused instead.
//  - integers outside 1..n are skipped and counted in `unknown`, repeats in `duplicates`.
// An empty order is valid (every candidate is a hard negative). InvalidArgument otherwise,
// naming the problem: no JSON object in the text, no object with "order", "order" not an
// array, a non-integer entry.
[[nodiscard]] Result<JudgeAnswer> parse_judge_answer(std::string_view text, size_t n_candidates);

// Graded labels for the n candidates of one judged group: with L distinct valid entries in
// answer.order, the candidate at place p (0-based) gets L - p (the first gets L, the last
// listed 1); candidates left out get 0. Entries >= n or repeated are ignored.
std::vector<float> judged_labels(const JudgeAnswer& answer, size_t n_candidates);

// The RRA pair construction, as training data: one group per request (requests[g] with
// answers[g]), rows = the candidates' features in request order, labels = judged_labels,
// group weight = `weight` (to mix with click groups of weight 1). Features are copied as
// given; clean_ranking_data drops rows with non-finite values and groups with nothing to
// order (e.g. an empty order), as it does for click data.
// InvalidArgument naming the request (index and user) and, where it applies, the candidate:
// requests.size() != answers.size(), n_features 0, weight not finite > 0, a request without
// candidates, a feature row whose size is not n_features, an order entry out of range or
// repeated.
[[nodiscard]] Result<RankingData> judgement_rows(const std::vector<JudgeRequest>& requests,
                                                 const std::vector<JudgeAnswer>& answers,
                                                 size_t n_features, float weight);

// The training pairs one judged group implies, for reports and tests: (preferred, other)
// candidate indexes for every pair whose labels differ — what rank:pairwise learns from.
// Order: by the preferred one's place in answer.order; for each, the candidates listed after
// it (in order), then the left-out ones (ascending). L listed of n give L(L-1)/2 + L(n-L)
// pairs. Entries >= n or repeated are ignored.
std::vector<std::pair<size_t, size_t>> judged_pairs(const JudgeAnswer& answer, size_t n_candidates);

// One judged group as a JSON Lines record (with the trailing '\n'):
//   {"user":"u1","profile":"...","doc_ids":["d1",...],"titles":[...],"topic_paths":[...],
//    "features":[[0.5,1],...],"order":[2,0],"unknown":1,"duplicates":0}
// "order" holds 0-based candidate indexes (not the prompt's 1-based numbers). Floats are
// written in their shortest round-trip form; a non-finite feature is written as null, which
// read_judged_jsonl rejects. Invalid UTF-8 in strings is replaced by U+FFFD.
std::string judged_to_jsonl(const JudgeRequest& r, const JudgeAnswer& a);

struct JudgedFile {
  std::vector<JudgeRequest> requests;
  std::vector<JudgeAnswer> answers;  // parallel to requests
  std::vector<std::string> errors;   // "line N: ..." (N from 1), one per skipped line
};

// Reads judged_to_jsonl records. Blank lines are ignored; a bad line is skipped and reported
// ("line N: <problem>"), never fatal: not a JSON object; "user" not a string; "doc_ids" not a
// non-empty array of strings; "features" not one array of n_features finite (as float)
// numbers per doc id; "profile" (optional) not a string; "titles" / "topic_paths" (optional)
// not arrays of strings, one per doc id; "order" not an array of distinct integers
// 0..n-1; "unknown" / "duplicates" (optional) not non-negative integers.
JudgedFile read_judged_jsonl(std::string_view text, size_t n_features);

}  // namespace feedscout::llm
