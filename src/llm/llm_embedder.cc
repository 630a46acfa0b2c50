#include "feedscout/llm/llm_embedder.h"

#include <cmath>

#include "feedscout/text/tokenize.h"
#include "feedscout/text/utf8.h"

namespace feedscout::llm {

Result<std::unique_ptr<LlmEmbedder>> LlmEmbedder::create(std::shared_ptr<LlmClient> client,
                                                         LlmEmbedderOptions options) {
  if (!client) return Status::invalid_argument("llm embedder: no client");
  if (options.dimension == 0)
    return Status::invalid_argument("llm embedder: dimension must be set (>= 1)");
  if (options.max_batch == 0)
    return Status::invalid_argument("llm embedder: max_batch must be >= 1");
  return std::unique_ptr<LlmEmbedder>(new LlmEmbedder(std::move(client), std::move(options)));
}

std::string LlmEmbedder::describe() const {
  return "llm-embed:" + client_->config().model + "@" + client_->config().base_url;
}

std::string LlmEmbedder::request_text(const EmbedInput& in) const {
  if (text::words(in.title).empty() && text::words(in.body).empty()) return "";
  std::string s = options_.document_prefix;
  s.append(in.title);
  if (!in.title.empty() && !in.body.empty()) s += '\n';
  s.append(in.body);
  return std::string(text::truncate_utf8(s, options_.max_text_bytes));
}

Result<std::vector<float>> LlmEmbedder::finish(std::vector<float> v) const {
  if (v.size() != options_.dimension) {
    return Status::corruption("llm embedder: the server returned " + std::to_string(v.size()) +
                              " values, expected dimension " + std::to_string(options_.dimension) +
                              " (" + describe() + ")");
  }
  double sq = 0;
  for (float x : v) {
    if (!std::isfinite(x)) return Status::corruption("llm embedder: non-finite value");
    sq += static_cast<double>(x) * x;
  }
  if (!(sq > 0)) return Status::corruption("llm embedder: the server returned a zero vector");
  const double inv = 1.0 / std::sqrt(sq);
  for (float& x : v) x = static_cast<float>(x * inv);
  return v;
}

Result<std::vector<float>> LlmEmbedder::embed(std::string_view title, std::string_view body) const {
  auto out = embed_batch({EmbedInput{title, body}});
  return std::move(out[0]);
}

std::vector<Result<std::vector<float>>> LlmEmbedder::embed_batch(
    const std::vector<EmbedInput>& inputs) const {
  std::vector<Result<std::vector<float>>> out(
      inputs.size(), Result<std::vector<float>>(Status::invalid_argument("no words to embed")));
  std::vector<size_t> pending;  // indexes of inputs with words
  std::vector<std::string> texts;
  auto flush = [&] {
    if (texts.empty()) return;
    auto answer = client_->embed(texts);
    for (size_t j = 0; j < pending.size(); ++j) {
      if (!answer.is_ok()) {
        out[pending[j]] = answer.status().with_context("llm embedder");
      } else if (answer->size() != texts.size()) {
        out[pending[j]] =
            Status::corruption("llm embedder: " + std::to_string(answer->size()) + " vectors for " +
                               std::to_string(texts.size()) + " inputs");
      } else {
        out[pending[j]] = finish(std::move((*answer)[j]));
      }
    }
    pending.clear();
    texts.clear();
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string t = request_text(inputs[i]);
    if (t.empty()) continue;
    pending.push_back(i);
    texts.push_back(std::move(t));
    if (texts.size() >= options_.max_batch) flush();
  }
  flush();
  return out;
}

}  // namespace feedscout::llm
