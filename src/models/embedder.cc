#include "feedscout/models/embedder.h"

namespace feedscout {

std::vector<Result<std::vector<float>>> Embedder::embed_batch(
    const std::vector<EmbedInput>& inputs) const {
  std::vector<Result<std::vector<float>>> out;
  out.reserve(inputs.size());
  for (const auto& in : inputs) out.push_back(embed(in.title, in.body));
  return out;
}

}  // namespace feedscout
