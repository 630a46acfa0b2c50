#include "feedscout/index/coclick_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace feedscout {

CoClickIndex::Entry& CoClickIndex::entry(DocIndex doc) {
  if (doc >= lists_.size()) lists_.resize(static_cast<size_t>(doc) + 1);
  return lists_[doc];
}

void CoClickIndex::add_click(DocIndex doc) {
  entry(doc).clicks += 1;
}

void CoClickIndex::bump(DocIndex from, DocIndex to) {
  auto& list = entry(from).list;
  for (auto& n : list) {
    if (n.doc == to) {
      n.weight += 1;
      return;
    }
  }
  if (list.size() < std::max<size_t>(1, config_.max_neighbours)) {
    list.push_back({to, 1});
    return;
  }
  // Space-Saving: replace the lightest (lowest doc index on ties, for determinism).
  auto lightest = std::min_element(list.begin(), list.end(), [](const auto& x, const auto& y) {
    return x.weight != y.weight ? x.weight < y.weight : x.doc < y.doc;
  });
  lightest->doc = to;
  lightest->weight += 1;
}

void CoClickIndex::add_pair(DocIndex a, DocIndex b) {
  if (a == b) return;
  bump(a, b);
  bump(b, a);
}

double CoClickIndex::clicks(DocIndex doc) const {
  return doc < lists_.size() ? lists_[doc].clicks : 0.0;
}

const std::vector<CoClickNeighbour>& CoClickIndex::neighbours(DocIndex doc) const {
  static const std::vector<CoClickNeighbour> kEmpty;
  return doc < lists_.size() ? lists_[doc].list : kEmpty;
}

double CoClickIndex::similarity(DocIndex a, DocIndex b) const {
  for (const auto& n : neighbours(a)) {
    if (n.doc != b) continue;
    const double denom = std::sqrt(std::max(1.0, clicks(a)) * std::max(1.0, clicks(b)));
    return std::min(1.0, static_cast<double>(n.weight) / denom);
  }
  return 0.0;
}

std::string CoClickIndex::encode(DocIndex doc,
                                 const std::function<uint64_t(DocIndex)>& key_of) const {
  std::string out;
  auto put = [&out](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  const float c = static_cast<float>(clicks(doc));
  put(&c, sizeof c);
  for (const auto& n : neighbours(doc)) {
    const uint64_t key = key_of(n.doc);
    put(&key, sizeof key);
    put(&n.weight, sizeof n.weight);
  }
  return out;
}

Status CoClickIndex::decode(DocIndex doc, std::string_view bytes,
                            const std::function<std::optional<DocIndex>(uint64_t)>& index_of) {
  constexpr size_t kItem = sizeof(uint64_t) + sizeof(float);
  if (bytes.size() < sizeof(float) || (bytes.size() - sizeof(float)) % kItem != 0) {
    return Status::corruption("co-click record has " + std::to_string(bytes.size()) + " bytes");
  }
  Entry& e = entry(doc);
  std::memcpy(&e.clicks, bytes.data(), sizeof(float));
  e.list.clear();
  for (size_t pos = sizeof(float); pos < bytes.size(); pos += kItem) {
    uint64_t key;
    float weight;
    std::memcpy(&key, bytes.data() + pos, sizeof key);
    std::memcpy(&weight, bytes.data() + pos + sizeof key, sizeof weight);
    if (!std::isfinite(weight) || weight < 0) return Status::corruption("co-click weight");
    if (auto other = index_of(key); other && *other != doc) e.list.push_back({*other, weight});
  }
  return Status::ok();
}

}  // namespace feedscout
