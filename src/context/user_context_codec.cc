// Binary encoding of UserContext (little-endian, versioned). Topic ids are the dense ids
// of the loaded taxonomy; the engine stores a taxonomy fingerprint beside the contexts
// and refuses a data directory built with another taxonomy.
#include <cmath>
#include <cstring>

#include "feedscout/context/user_context.h"

namespace feedscout {
namespace {

// Version 2 added recent clicks, version 3 refined queries (Q*) of recent searches, version 4
// interest keywords (after the seen set), version 5 embedding interest profiles and pending
// impressions (after the keywords); older records still decode.
constexpr uint8_t kVersion = 5;

class Writer {
 public:
  template <typename T>
  void pod(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_.append(buf, sizeof(T));
  }
  void str(const std::string& s) {
    pod<uint32_t>(static_cast<uint32_t>(s.size()));
    out_ += s;
  }
  void bytes(const void* data, size_t n) { out_.append(static_cast<const char*>(data), n); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  bool pod(T& v) {
    if (in_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool str(std::string& s) {
    uint32_t n;
    if (!pod(n) || in_.size() - pos_ < n) return false;
    s.assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  // A count that cannot exceed the bytes left (each element needs at least min_bytes).
  bool count(uint32_t& n, size_t min_bytes) {
    return pod(n) && static_cast<size_t>(n) * min_bytes <= in_.size() - pos_;
  }
  bool bytes(void* data, size_t n) {
    if (in_.size() - pos_ < n) return false;
    std::memcpy(data, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

std::string UserContext::encode() const {
  Writer w;
  w.pod<uint8_t>(kVersion);
  w.pod<int64_t>(last_event_ms_);
  for (const auto& s : surfaces_) {
    w.pod<int64_t>(s.ref_ms);
    w.pod<double>(s.clicks);
    w.pod<double>(s.impressions);
    w.pod<uint32_t>(static_cast<uint32_t>(s.topics.size()));
    for (const auto& [topic, ev] : s.topics) {
      w.pod<uint32_t>(topic);
      w.pod<double>(ev.clicks);
      w.pod<double>(ev.impressions);
    }
  }
  w.pod<uint32_t>(static_cast<uint32_t>(recent_searches_.size()));
  for (const auto& r : recent_searches_) {
    w.str(r.query);
    w.pod<int64_t>(r.time_ms);
    w.pod<uint32_t>(static_cast<uint32_t>(r.clicked.size()));
    for (const auto& d : r.clicked) w.str(d);
    w.str(r.refined);
    w.pod<uint8_t>(static_cast<uint8_t>(r.refined_by));
  }
  w.pod<uint32_t>(static_cast<uint32_t>(recent_clicks_.size()));
  for (const auto& c : recent_clicks_) {
    w.pod<uint64_t>(c.key);
    w.pod<int64_t>(c.time_ms);
  }
  w.pod<uint32_t>(static_cast<uint32_t>(seen_.size()));
  for (uint64_t k : seen_.keys()) w.pod<uint64_t>(k);
  w.pod<uint32_t>(static_cast<uint32_t>(keywords_.entries().size()));
  for (const InterestKeyword& k : keywords_.entries()) {
    w.str(k.text);
    w.pod<uint8_t>(static_cast<uint8_t>(k.kind));
    w.pod<uint8_t>(k.surfaces);
    w.pod<uint16_t>(k.older_days);
    w.pod<uint64_t>(k.day_mask);
    w.pod<int64_t>(k.first_ms);
    w.pod<int64_t>(k.last_ms);
    w.pod<double>(k.lasting_sum);
    w.pod<double>(k.errand_sum);
  }
  const auto& profiles = profiles_.profiles();
  w.pod<uint32_t>(static_cast<uint32_t>(profiles_.dimension()));
  w.pod<uint32_t>(static_cast<uint32_t>(profiles.size()));
  for (const InterestProfile& p : profiles) {
    w.bytes(p.q.data(), p.q.size());
    w.pod<double>(p.weight);
    w.pod<int64_t>(p.ref_ms);
    w.pod<uint64_t>(p.anchor_key);
    w.pod<uint32_t>(p.clicks);
    w.pod<uint32_t>(p.skips);
  }
  w.pod<uint32_t>(static_cast<uint32_t>(profiles_.pending().size()));
  for (const PendingImpression& p : profiles_.pending()) {
    w.pod<uint64_t>(p.key);
    w.pod<int64_t>(p.time_ms);
  }
  return w.take();
}

Result<UserContext> UserContext::decode(std::string_view bytes) {
  auto bad = [](const char* what) {
    return Status::corruption(std::string("user context record is malformed: ") + what);
  };
  Reader r(bytes);
  UserContext c;
  uint8_t version;
  if (!r.pod(version)) return bad("empty");
  if (version < 1 || version > kVersion) return bad("unknown version");
  if (!r.pod(c.last_event_ms_)) return bad("truncated header");
  for (auto& s : c.surfaces_) {
    uint32_t n;
    if (!r.pod(s.ref_ms) || !r.pod(s.clicks) || !r.pod(s.impressions) || !r.count(n, 20)) {
      return bad("truncated surface");
    }
    s.topics.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t topic;
      TopicEvidence ev;
      if (!r.pod(topic) || !r.pod(ev.clicks) || !r.pod(ev.impressions)) return bad("topic");
      s.topics[topic] = ev;
    }
  }
  uint32_t searches;
  if (!r.count(searches, 16)) return bad("searches");
  for (uint32_t i = 0; i < searches; ++i) {
    RecentSearch rs;
    uint32_t n;
    if (!r.str(rs.query) || !r.pod(rs.time_ms) || !r.count(n, 4)) return bad("search");
    rs.clicked.resize(n);
    for (auto& d : rs.clicked) {
      if (!r.str(d)) return bad("search click");
    }
    if (version >= 3) {
      uint8_t by;
      if (!r.str(rs.refined) || !r.pod(by)) return bad("refined search");
      if (by > static_cast<uint8_t>(intent::RefinementSource::kLanguageModel)) {
        return bad("refinement source");
      }
      rs.refined_by = static_cast<intent::RefinementSource>(by);
    }
    c.recent_searches_.push_back(std::move(rs));
  }
  if (version >= 2) {
    uint32_t clicks;
    if (!r.count(clicks, 16)) return bad("recent clicks");
    for (uint32_t i = 0; i < clicks; ++i) {
      RecentClick rc;
      if (!r.pod(rc.key) || !r.pod(rc.time_ms)) return bad("recent click");
      c.recent_clicks_.push_back(rc);
    }
  }
  uint32_t seen;
  if (!r.count(seen, 8)) return bad("seen");
  c.seen_.set_capacity(seen);  // the next apply() sets the configured bound
  for (uint32_t i = 0; i < seen; ++i) {
    uint64_t k;
    if (!r.pod(k)) return bad("seen key");
    c.seen_.insert(k);
  }
  if (version >= 4) {
    uint32_t n;
    if (!r.count(n, 48)) return bad("keywords");
    std::vector<InterestKeyword> keywords(n);
    for (InterestKeyword& k : keywords) {
      uint8_t kind;
      if (!r.str(k.text) || !r.pod(kind) || !r.pod(k.surfaces) || !r.pod(k.older_days) ||
          !r.pod(k.day_mask) || !r.pod(k.first_ms) || !r.pod(k.last_ms) || !r.pod(k.lasting_sum) ||
          !r.pod(k.errand_sum)) {
        return bad("keyword");
      }
      if (k.text.empty() || kind > static_cast<uint8_t>(intent::KeywordKind::kEntity) ||
          k.surfaces >= (1u << kNumSurfaces) || k.first_ms > k.last_ms) {
        return bad("keyword fields");
      }
      k.kind = static_cast<intent::KeywordKind>(kind);
    }
    if (!c.keywords_.assign(std::move(keywords))) return bad("keyword order");
  }
  if (version >= 5) {
    uint32_t dim, n;
    if (!r.pod(dim) || dim > (1u << 16) || !r.count(n, dim + 32)) return bad("profiles");
    if (n > 0 && dim == 0) return bad("profile dimension");
    std::vector<InterestProfile> profiles(n);
    for (InterestProfile& p : profiles) {
      p.q.resize(dim);
      if (!r.bytes(p.q.data(), dim) || !r.pod(p.weight) || !r.pod(p.ref_ms) ||
          !r.pod(p.anchor_key) || !r.pod(p.clicks) || !r.pod(p.skips)) {
        return bad("profile");
      }
      if (!std::isfinite(p.weight) || p.weight < 0) return bad("profile weight");
    }
    uint32_t pending_n;
    if (!r.count(pending_n, 16)) return bad("pending impressions");
    std::vector<PendingImpression> pending(pending_n);
    for (PendingImpression& p : pending) {
      if (!r.pod(p.key) || !r.pod(p.time_ms)) return bad("pending impression");
    }
    if (!c.profiles_.assign(std::move(profiles), std::move(pending))) return bad("profile order");
  }
  if (!r.done()) return bad("trailing bytes");
  return c;
}

}  // namespace feedscout
