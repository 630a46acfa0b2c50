#include "feedscout/eval/sample_generator.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "feedscout/ingest/parse.h"
#include "feedscout/ingest/records.h"

namespace feedscout {
namespace {

using nlohmann::json;

constexpr double kNoiseSentenceShare = 0.15;
constexpr int kMinBodySentences = 3;
constexpr int kMaxBodySentences = 6;
constexpr const char* kSources[] = {"blog", "news", "cafe"};

// Returns "" when every {slot} of `s` is {entity} or {keyword}, else what is wrong.
std::string check_slots(std::string_view s) {
  size_t pos = 0;
  for (;;) {
    const size_t open = s.find('{', pos);
    if (open == std::string_view::npos) return "";
    const size_t close = s.find('}', open + 1);
    if (close == std::string_view::npos) {
      return "unclosed '{' at byte " + std::to_string(open);
    }
    const std::string_view name = s.substr(open + 1, close - open - 1);
    if (name != "entity" && name != "keyword") {
      return "unknown slot '{" + std::string(name) + "}' (allowed: {entity}, {keyword})";
    }
    pos = close + 1;
  }
}

Status field_error(const std::string& path, size_t index, const std::string& field,
                   const std::string& message) {
  return Status::invalid_argument(path + ": topic " + std::to_string(index) + ": field '" + field +
                                  "': " + message);
}

Status read_string(const json& topic, const char* key, const std::string& path, size_t index,
                   std::string* out) {
  auto it = topic.find(key);
  if (it == topic.end()) return field_error(path, index, key, "missing");
  if (!it->is_string()) return field_error(path, index, key, "expected a string");
  *out = it->get<std::string>();
  if (out->empty()) return field_error(path, index, key, "must not be empty");
  return Status::ok();
}

Status read_list(const json& topic, const char* key, size_t min_count, bool has_slots,
                 const std::string& path, size_t index, std::vector<std::string>* out) {
  auto it = topic.find(key);
  if (it == topic.end()) return field_error(path, index, key, "missing");
  if (!it->is_array()) return field_error(path, index, key, "expected an array of strings");
  if (it->size() < min_count) {
    return field_error(path, index, key,
                       "needs at least " + std::to_string(min_count) + " entries, has " +
                           std::to_string(it->size()));
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const json& e = (*it)[i];
    const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
    if (!e.is_string() || e.get_ref<const std::string&>().empty()) {
      return field_error(path, index, field, "expected a non-empty string");
    }
    const std::string& s = e.get_ref<const std::string&>();
    if (has_slots) {
      if (std::string why = check_slots(s); !why.empty()) {
        return field_error(path, index, field, why);
      }
    }
    out->push_back(s);
  }
  return Status::ok();
}

// Picks indices of 0..n-1 without repeating until all have been used (then starts over).
class DistinctPicker {
 public:
  explicit DistinctPicker(size_t n) : perm_(n) {
    for (size_t i = 0; i < n; ++i) perm_[i] = i;
  }
  size_t pick(SampleRng& rng) {
    if (used_ == perm_.size()) used_ = 0;
    const size_t j = used_ + rng.below(perm_.size() - used_);
    std::swap(perm_[used_], perm_[j]);
    return perm_[used_++];
  }

 private:
  std::vector<size_t> perm_;
  size_t used_ = 0;
};

// Fills the {entity}/{keyword} slots of a validated template with distinct picks.
std::string fill_slots(std::string_view s, const TopicVocab& v, SampleRng& rng) {
  DistinctPicker entities(v.entities.size());
  DistinctPicker keywords(v.keywords.size());
  std::string out;
  size_t pos = 0;
  for (;;) {
    const size_t open = s.find('{', pos);
    if (open == std::string_view::npos) break;
    const size_t close = s.find('}', open + 1);  // present: validated on load
    out.append(s.substr(pos, open - pos));
    if (s.substr(open + 1, close - open - 1) == "entity") {
      out += v.entities[entities.pick(rng)];
    } else {
      out += v.keywords[keywords.pick(rng)];
    }
    pos = close + 1;
  }
  out.append(s.substr(pos));
  return out;
}

Document make_document(size_t number, size_t t, const std::vector<TopicVocab>& vocab,
                       const SampleOptions& options, SampleRng& rng) {
  const TopicVocab& v = vocab[t];
  Document d;
  char id[32];
  std::snprintf(id, sizeof(id), "doc-%05zu", number);
  d.id = id;
  d.title = fill_slots(v.title_templates[rng.below(v.title_templates.size())], v, rng);

  const int max_sentences = std::min<int>(kMaxBodySentences, static_cast<int>(v.sentences.size()));
  const int count = static_cast<int>(rng.range(kMinBodySentences, max_sentences));
  DistinctPicker sentence_picker(v.sentences.size());
  std::vector<std::string> sentences;
  for (int i = 0; i < count; ++i) {
    sentences.push_back(fill_slots(v.sentences[sentence_picker.pick(rng)], v, rng));
  }
  if (rng.chance(kNoiseSentenceShare)) {
    const size_t other = (t + 1 + rng.below(vocab.size() - 1)) % vocab.size();
    const TopicVocab& o = vocab[other];
    std::string noise = fill_slots(o.sentences[rng.below(o.sentences.size())], o, rng);
    const size_t at = rng.below(sentences.size() + 1);
    sentences.insert(sentences.begin() + static_cast<std::ptrdiff_t>(at), std::move(noise));
  }
  for (size_t i = 0; i < sentences.size(); ++i) {
    if (i > 0) d.body += ' ';
    d.body += sentences[i];
  }

  d.source = kSources[rng.below(3)];
  d.url = "https://sample.feedscout.invalid/" + d.id;
  const uint64_t span_s = static_cast<uint64_t>(options.span_days) * (kMsPerDay / kMsPerSecond);
  d.created_ms = options.newest_ms - static_cast<TimeMs>(rng.below(span_s + 1)) * kMsPerSecond;
  d.topics.push_back(DocTopic{v.topic, 1.0f, TopicSource::kProvided});
  return d;
}

}  // namespace

Result<std::vector<TopicVocab>> load_topic_vocab(const std::string& path,
                                                 const Taxonomy& taxonomy) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error(path + ": cannot open the topic vocabulary file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::io_error(path + ": read error");

  json root = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    std::string why = "not valid JSON";
    try {
      json again = json::parse(text.str());
      (void)again;
    } catch (const json::parse_error& e) {
      why = "not valid JSON: syntax error at byte " + std::to_string(e.byte);
    }
    return Status::invalid_argument(path + ": " + why);
  }
  if (!root.is_array()) return Status::invalid_argument(path + ": expected a JSON array of topics");
  if (root.size() < 2) {
    return Status::invalid_argument(path + ": needs at least 2 topics, has " +
                                    std::to_string(root.size()));
  }

  std::vector<TopicVocab> vocab;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < root.size(); ++i) {
    const json& t = root[i];
    if (!t.is_object()) {
      return Status::invalid_argument(path + ": topic " + std::to_string(i) +
                                      ": expected a JSON object");
    }
    TopicVocab v;
    FEEDSCOUT_RETURN_IF_ERROR(read_string(t, "topic_id", path, i, &v.topic_id));
    auto id = taxonomy.find_by_external_id(v.topic_id);
    if (!id) {
      return field_error(path, i, "topic_id", "'" + v.topic_id + "' is not an id of the taxonomy");
    }
    if (!seen.insert(v.topic_id).second) {
      return field_error(path, i, "topic_id", "'" + v.topic_id + "' is listed twice");
    }
    v.topic = *id;
    FEEDSCOUT_RETURN_IF_ERROR(read_string(t, "topic_en", path, i, &v.topic_en));
    FEEDSCOUT_RETURN_IF_ERROR(read_list(t, "entities", 1, false, path, i, &v.entities));
    FEEDSCOUT_RETURN_IF_ERROR(read_list(t, "keywords", 1, false, path, i, &v.keywords));
    FEEDSCOUT_RETURN_IF_ERROR(read_list(t, "queries", 1, false, path, i, &v.queries));
    FEEDSCOUT_RETURN_IF_ERROR(
        read_list(t, "title_templates", 1, true, path, i, &v.title_templates));
    FEEDSCOUT_RETURN_IF_ERROR(read_list(t, "sentences", static_cast<size_t>(kMinBodySentences),
                                        true, path, i, &v.sentences));
    vocab.push_back(std::move(v));
  }
  return vocab;
}

Status generate_sample_documents(const std::string& vocab_path, const Taxonomy& taxonomy,
                                 const SampleOptions& options, std::ostream& out) {
  if (options.docs_per_topic < 1 || options.docs_per_topic > 100000) {
    return Status::invalid_argument("docs_per_topic must be 1..100000, got " +
                                    std::to_string(options.docs_per_topic));
  }
  if (options.span_days < 1 || options.span_days > 3650) {
    return Status::invalid_argument("span_days must be 1..3650, got " +
                                    std::to_string(options.span_days));
  }
  auto vocab = load_topic_vocab(vocab_path, taxonomy);
  if (!vocab.is_ok()) return vocab.status();

  SampleRng rng(options.seed);
  // Which topic each document id gets: every topic docs_per_topic times, shuffled
  // (Fisher–Yates) so that ids do not reveal topics.
  std::vector<size_t> topic_of;
  topic_of.reserve(vocab->size() * static_cast<size_t>(options.docs_per_topic));
  for (size_t t = 0; t < vocab->size(); ++t) {
    topic_of.insert(topic_of.end(), static_cast<size_t>(options.docs_per_topic), t);
  }
  for (size_t i = topic_of.size(); i > 1; --i) {
    std::swap(topic_of[i - 1], topic_of[rng.below(i)]);
  }
  for (size_t k = 0; k < topic_of.size(); ++k) {
    const Document d = make_document(k + 1, topic_of[k], *vocab, options, rng);
    out << document_to_json(d, taxonomy) << '\n';
    if (!out) return Status::io_error("writing the sample documents failed at " + d.id);
  }
  out.flush();
  if (!out) return Status::io_error("flushing the sample documents failed");
  return Status::ok();
}

}  // namespace feedscout
