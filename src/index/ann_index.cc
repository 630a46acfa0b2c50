#include "feedscout/index/ann_index.h"

#include <hnswlib/hnswlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "feedscout/common/hash.h"

namespace feedscout {
namespace {

constexpr char kMagic[8] = {'F', 'S', 'A', 'N', 'N', 'I', 'X', '1'};
constexpr uint32_t kVersion = 1;

// The fixed file header; written and read field by field (native little-endian).
struct FileHeader {
  uint32_t version = kVersion;
  uint32_t dimension = 0;
  uint64_t m = 0, ef_construction = 0, ef_search = 0, seed = 0;
  uint64_t live = 0;      // live keys
  uint64_t slots = 0;     // slots in use by hnswlib (live + free)
  uint64_t capacity = 0;  // allocated slots
  uint64_t payload_bytes = 0;
  uint64_t checksum = 0;  // FNV-1a 64 over the key table, the live flags and the payload
};
constexpr size_t kHeaderBytes = sizeof(kMagic) + 2 * sizeof(uint32_t) + 10 * sizeof(uint64_t);

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <typename T>
T read_pod(std::string_view in, size_t& pos) {
  T v;
  std::memcpy(&v, in.data() + pos, sizeof(T));
  pos += sizeof(T);
  return v;
}

Status validate_config(const AnnIndexConfig& c) {
  if (c.dimension == 0 || c.dimension > (1u << 20))
    return Status::invalid_argument("ann index: dimension must be 1..1048576");
  if (c.m < 2 || c.m > 10000) return Status::invalid_argument("ann index: m must be 2..10000");
  if (c.ef_construction == 0 || c.ef_search == 0)
    return Status::invalid_argument("ann index: ef_construction and ef_search must be >= 1");
  return Status::ok();
}

// A unique temporary file name under the system temp directory.
std::string temp_name(std::string_view what) {
  static std::atomic<uint64_t> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("feedscout-ann-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "." +
           std::string(what)))
      .string();
}

Result<std::string> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error("cannot read '" + path + "'");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::io_error("cannot read '" + path + "'");
  return s;
}

}  // namespace

bool l2_normalize(std::vector<float>& v) {
  double sum = 0;
  for (float x : v) {
    if (!std::isfinite(x)) return false;
    sum += static_cast<double>(x) * x;
  }
  if (!(sum > 0) || !std::isfinite(sum)) return false;
  const double inv = 1.0 / std::sqrt(sum);
  for (float& x : v) x = static_cast<float>(x * inv);
  return true;
}

struct AnnIndex::Impl {
  std::unique_ptr<hnswlib::InnerProductSpace> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
  std::unordered_map<uint64_t, uint32_t> slot_of;  // live key -> slot (hnswlib label)
  std::vector<uint64_t> key_of_slot;               // slot -> key (meaningless when free)
  std::vector<uint8_t> live;                       // slot -> 1 live, 0 free
  std::vector<uint32_t> free_slots;                // removed slots, reused first
  mutable std::shared_mutex mu;
};

AnnIndex::AnnIndex(const AnnIndexConfig& config, std::unique_ptr<Impl> impl)
    : config_(config), impl_(std::move(impl)) {}
AnnIndex::~AnnIndex() = default;

Result<std::unique_ptr<AnnIndex>> AnnIndex::create(const AnnIndexConfig& config) {
  FEEDSCOUT_RETURN_IF_ERROR(validate_config(config));
  auto impl = std::make_unique<Impl>();
  try {
    impl->space = std::make_unique<hnswlib::InnerProductSpace>(config.dimension);
    impl->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        impl->space.get(), std::max<size_t>(1, config.initial_capacity), config.m,
        config.ef_construction, config.seed);
    impl->hnsw->setEf(config.ef_search);
  } catch (const std::exception& e) {
    return Status::internal(std::string("ann index: cannot allocate: ") + e.what());
  }
  return std::unique_ptr<AnnIndex>(new AnnIndex(config, std::move(impl)));
}

Result<std::unique_ptr<AnnIndex>> AnnIndex::rebuild(
    const AnnIndexConfig& config,
    const std::vector<std::pair<uint64_t, std::vector<float>>>& items) {
  AnnIndexConfig sized = config;
  sized.initial_capacity = std::max(config.initial_capacity, items.size());
  auto created = create(sized);
  if (!created.is_ok()) return created.status();
  std::unique_ptr<AnnIndex> index = std::move(created).value();
  index->config_.initial_capacity = config.initial_capacity;
  for (const auto& [key, vec] : items) {
    FEEDSCOUT_RETURN_IF_ERROR(index->add(key, vec));
  }
  return index;
}

Status AnnIndex::add(uint64_t key, std::span<const float> vector) {
  if (vector.size() != config_.dimension) {
    return Status::invalid_argument("ann index: key " + std::to_string(key) + ": vector has " +
                                    std::to_string(vector.size()) + " values, the index " +
                                    std::to_string(config_.dimension));
  }
  std::vector<float> v(vector.begin(), vector.end());
  if (!l2_normalize(v)) {
    return Status::invalid_argument("ann index: key " + std::to_string(key) +
                                    ": vector is zero or not finite");
  }
  Impl& s = *impl_;
  std::unique_lock lock(s.mu);
  try {
    uint32_t slot;
    bool fresh = false;
    if (auto it = s.slot_of.find(key); it != s.slot_of.end()) {
      slot = it->second;  // replace in place
    } else if (!s.free_slots.empty()) {
      slot = s.free_slots.back();  // overwrite a removed slot (hnswlib unmarks it)
    } else {
      slot = static_cast<uint32_t>(s.key_of_slot.size());
      fresh = true;
      if (s.key_of_slot.size() >= UINT32_MAX - 1)
        return Status::invalid_argument("ann index: too many slots");
      if (s.hnsw->cur_element_count >= s.hnsw->max_elements_) {
        s.hnsw->resizeIndex(std::max<size_t>(1024, 2 * s.hnsw->max_elements_));
      }
    }
    s.hnsw->addPoint(v.data(), static_cast<hnswlib::labeltype>(slot));
    if (fresh) {
      s.key_of_slot.push_back(key);
      s.live.push_back(1);
    } else if (!s.live[slot]) {
      s.free_slots.pop_back();
      s.key_of_slot[slot] = key;
      s.live[slot] = 1;
    }
    s.slot_of[key] = slot;
  } catch (const std::exception& e) {
    return Status::internal("ann index: add of key " + std::to_string(key) +
                            " failed: " + e.what());
  }
  return Status::ok();
}

Status AnnIndex::remove(uint64_t key) {
  Impl& s = *impl_;
  std::unique_lock lock(s.mu);
  auto it = s.slot_of.find(key);
  if (it == s.slot_of.end()) {
    return Status::not_found("ann index: key " + std::to_string(key) + " is not indexed");
  }
  const uint32_t slot = it->second;
  try {
    s.hnsw->markDelete(slot);
  } catch (const std::exception& e) {
    return Status::internal("ann index: remove of key " + std::to_string(key) +
                            " failed: " + e.what());
  }
  s.slot_of.erase(it);
  s.live[slot] = 0;
  s.free_slots.push_back(slot);
  return Status::ok();
}

Result<std::vector<float>> AnnIndex::get(uint64_t key) const {
  const Impl& s = *impl_;
  std::shared_lock lock(s.mu);
  auto it = s.slot_of.find(key);
  if (it == s.slot_of.end()) {
    return Status::not_found("ann index: key " + std::to_string(key) + " is not indexed");
  }
  try {
    std::vector<float> v(config_.dimension);
    const hnswlib::tableint internal = s.hnsw->label_lookup_.at(it->second);
    std::memcpy(v.data(), s.hnsw->getDataByInternalId(internal), v.size() * sizeof(float));
    return v;
  } catch (const std::exception& e) {
    return Status::internal("ann index: get of key " + std::to_string(key) +
                            " failed: " + e.what());
  }
}

bool AnnIndex::contains(uint64_t key) const {
  std::shared_lock lock(impl_->mu);
  return impl_->slot_of.count(key) > 0;
}

size_t AnnIndex::size() const {
  std::shared_lock lock(impl_->mu);
  return impl_->slot_of.size();
}

size_t AnnIndex::capacity() const {
  std::shared_lock lock(impl_->mu);
  return impl_->hnsw->max_elements_;
}

Result<std::vector<AnnHit>> AnnIndex::search(std::span<const float> query, size_t k,
                                             const AnnFilter& filter, size_t max_candidates) const {
  if (query.size() != config_.dimension) {
    return Status::invalid_argument("ann index: query has " + std::to_string(query.size()) +
                                    " values, the index " + std::to_string(config_.dimension));
  }
  std::vector<float> q(query.begin(), query.end());
  if (!l2_normalize(q)) return Status::invalid_argument("ann index: query is zero or not finite");
  std::vector<AnnHit> out;
  const Impl& s = *impl_;
  std::shared_lock lock(s.mu);
  const size_t live = s.slot_of.size();
  if (k == 0 || live == 0) return out;
  // The most candidates one search may examine.
  const size_t most = max_candidates > 0 ? std::min(live, std::max(k, max_candidates)) : live;
  size_t ask = filter ? std::min(most, 4 * k + 16) : std::min(live, k);
  try {
    while (true) {
      auto heap = s.hnsw->searchKnn(q.data(), ask);  // farthest on top
      out.clear();
      out.reserve(heap.size());
      while (!heap.empty()) {
        const auto [dist, slot] = heap.top();
        heap.pop();
        const uint64_t key = s.key_of_slot[static_cast<size_t>(slot)];
        if (filter && !filter(key)) continue;
        out.push_back({key, 1.0f - dist});  // inner-product distance is 1 - dot
      }
      if (!filter || out.size() >= k || ask >= most) break;
      ask = std::min(most, 2 * ask);
    }
  } catch (const std::exception& e) {
    return Status::internal(std::string("ann index: search failed: ") + e.what());
  }
  std::sort(out.begin(), out.end(), [](const AnnHit& a, const AnnHit& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.key < b.key;
  });
  if (out.size() > k) out.resize(k);
  return out;
}

Status AnnIndex::save(const std::string& path) const {
  const Impl& s = *impl_;
  std::shared_lock lock(s.mu);
  const std::string hnsw_tmp = temp_name("hnsw");
  std::string payload;
  try {
    s.hnsw->saveIndex(hnsw_tmp);
  } catch (const std::exception& e) {
    std::filesystem::remove(hnsw_tmp);
    return Status::io_error("ann index: cannot write '" + path + "': " + e.what());
  }
  {
    auto read = read_all(hnsw_tmp);
    std::error_code ec;
    std::filesystem::remove(hnsw_tmp, ec);
    if (!read.is_ok()) return read.status().with_context("ann index: saving '" + path + "'");
    payload = std::move(read).value();
  }
  std::string table;
  table.reserve(s.key_of_slot.size() * 9);
  for (uint64_t key : s.key_of_slot) put(table, key);
  table.append(reinterpret_cast<const char*>(s.live.data()), s.live.size());

  FileHeader h;
  h.dimension = static_cast<uint32_t>(config_.dimension);
  h.m = config_.m;
  h.ef_construction = config_.ef_construction;
  h.ef_search = config_.ef_search;
  h.seed = config_.seed;
  h.live = s.slot_of.size();
  h.slots = s.key_of_slot.size();
  h.capacity = s.hnsw->max_elements_;
  h.payload_bytes = payload.size();
  h.checksum = fnv1a64(payload, fnv1a64(table));

  std::string head(kMagic, sizeof(kMagic));
  put(head, h.version);
  put(head, h.dimension);
  for (uint64_t v : {h.m, h.ef_construction, h.ef_search, h.seed, h.live, h.slots, h.capacity,
                     h.payload_bytes, h.checksum}) {
    put(head, v);
  }
  put(head, uint64_t{0});  // reserved
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    out.write(table.data(), static_cast<std::streamsize>(table.size()));
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return Status::io_error("ann index: cannot write '" + path + "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Status::io_error("ann index: cannot write '" + path + "': " + ec.message());
  }
  return Status::ok();
}

Result<std::unique_ptr<AnnIndex>> AnnIndex::load(const std::string& path,
                                                 size_t expected_dimension) {
  if (!std::filesystem::exists(path))
    return Status::not_found("ann index '" + path + "' does not exist");
  auto read = read_all(path);
  if (!read.is_ok()) return read.status();
  const std::string& bytes = read.value();
  auto corrupt = [&](const std::string& why) {
    return Status::corruption("ann index '" + path + "' is unreadable: " + why);
  };
  if (bytes.size() < kHeaderBytes) return corrupt("truncated header");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return corrupt("not a feedscout ANN index");
  size_t pos = sizeof(kMagic);
  FileHeader h;
  h.version = read_pod<uint32_t>(bytes, pos);
  h.dimension = read_pod<uint32_t>(bytes, pos);
  for (uint64_t* v : {&h.m, &h.ef_construction, &h.ef_search, &h.seed, &h.live, &h.slots,
                      &h.capacity, &h.payload_bytes, &h.checksum}) {
    *v = read_pod<uint64_t>(bytes, pos);
  }
  pos += sizeof(uint64_t);  // reserved
  if (h.version != kVersion) return corrupt("unsupported version " + std::to_string(h.version));
  if (expected_dimension != 0 && h.dimension != expected_dimension) {
    return Status::invalid_argument("ann index '" + path + "' has dimension " +
                                    std::to_string(h.dimension) + ", expected " +
                                    std::to_string(expected_dimension));
  }
  if (h.slots > UINT32_MAX || h.live > h.slots || h.capacity < h.slots ||
      h.payload_bytes > bytes.size())
    return corrupt("inconsistent counts");
  const size_t table_bytes = static_cast<size_t>(h.slots) * 9;
  if (bytes.size() != kHeaderBytes + table_bytes + h.payload_bytes)
    return corrupt("size " + std::to_string(bytes.size()) +
                   " does not match its header (truncated?)");
  const std::string_view table(bytes.data() + kHeaderBytes, table_bytes);
  const std::string_view payload(bytes.data() + kHeaderBytes + table_bytes, h.payload_bytes);
  if (fnv1a64(payload, fnv1a64(table)) != h.checksum) return corrupt("checksum mismatch");

  AnnIndexConfig config;
  config.dimension = h.dimension;
  config.m = h.m;
  config.ef_construction = h.ef_construction;
  config.ef_search = h.ef_search;
  config.seed = h.seed;
  config.initial_capacity = h.capacity;
  if (auto st = validate_config(config); !st.is_ok()) return corrupt(st.message());

  auto impl = std::make_unique<Impl>();
  size_t tpos = 0;
  impl->key_of_slot.resize(h.slots);
  for (auto& key : impl->key_of_slot) key = read_pod<uint64_t>(table, tpos);
  impl->live.assign(table.begin() + static_cast<std::ptrdiff_t>(tpos), table.end());

  // hnswlib 0.6.2 loads only from a path: hand it the payload through a temporary file.
  const std::string hnsw_tmp = temp_name("hnsw");
  {
    std::ofstream out(hnsw_tmp, std::ios::binary | std::ios::trunc);
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(hnsw_tmp, ec);
      return Status::io_error("ann index '" + path + "': cannot write a temporary file");
    }
  }
  try {
    impl->space = std::make_unique<hnswlib::InnerProductSpace>(config.dimension);
    impl->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        impl->space.get(), hnsw_tmp, false, static_cast<size_t>(h.capacity));
  } catch (const std::exception& e) {
    std::error_code ec;
    std::filesystem::remove(hnsw_tmp, ec);
    return corrupt(std::string("hnswlib: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::remove(hnsw_tmp, ec);
  auto& g = *impl->hnsw;
  if (g.cur_element_count != h.slots || g.data_size_ != config.dimension * sizeof(float) ||
      g.label_offset_ + sizeof(hnswlib::labeltype) != g.size_data_per_element_) {
    return corrupt("hnswlib data does not match the header");
  }
  for (uint32_t slot = 0; slot < h.slots; ++slot) {
    if (g.label_lookup_.count(slot) == 0)
      return corrupt("slot " + std::to_string(slot) + " missing");
    const bool deleted = g.isMarkedDeleted(g.label_lookup_.at(slot));
    if (impl->live[slot]) {
      if (deleted) return corrupt("live slot " + std::to_string(slot) + " is deleted");
      if (!impl->slot_of.emplace(impl->key_of_slot[slot], slot).second)
        return corrupt("key " + std::to_string(impl->key_of_slot[slot]) + " repeated");
    } else {
      if (!deleted) return corrupt("free slot " + std::to_string(slot) + " is not deleted");
      impl->free_slots.push_back(slot);
    }
  }
  if (impl->slot_of.size() != h.live) return corrupt("live count does not match");
  g.setEf(config.ef_search);
  return std::unique_ptr<AnnIndex>(new AnnIndex(config, std::move(impl)));
}

}  // namespace feedscout
