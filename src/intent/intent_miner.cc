// IntentMiner: collecting clicks into interned tables, and reading the results out. The Q*
// computation itself is in refine_pairs.cc.
#include "feedscout/intent/intent_miner.h"

#include <algorithm>

#include "feedscout/text/utf8.h"
#include "miner_state.h"

namespace feedscout::intent {
namespace {

constexpr std::string_view kQueryReasons[] = {kReasonInvalidUtf8, kReasonEmptyQuery,
                                              kReasonQueryTooLong, kReasonTooManyTokens,
                                              kReasonNoTokens};

int query_reason_index(std::string_view message) {
  for (size_t i = 0; i < std::size(kQueryReasons); ++i) {
    if (kQueryReasons[i] == message) return static_cast<int>(i);
  }
  return -1;
}

Status reject(std::string_view reason) {
  return Status::invalid_argument(std::string(reason));
}

uint64_t token_bit(uint32_t token) {
  return uint64_t{1} << ((static_cast<uint64_t>(token) * 0x9E3779B97F4A7C15ULL) >> 58);
}

}  // namespace

IntentMiner::IntentMiner(MinerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}

IntentMiner::~IntentMiner() = default;

Status IntentMiner::add_click(std::string_view raw_query, std::string_view doc) {
  Impl& m = *impl_;
  if (doc.empty()) return reject(kReasonEmptyDoc);
  if (doc.size() > m.options.max_doc_id_bytes) return reject(kReasonDocTooLong);
  // Over-long strings are rejected before the lookup so that they are never stored.
  if (raw_query.size() > m.options.normalizer.max_query_bytes) return reject(kReasonQueryTooLong);

  const uint32_t raw_hash = detail::hash32(raw_query);
  detail::StringInterner::Entry raw = m.raw.find(raw_query, raw_hash);
  if (raw.id == Impl::kNone) {
    Impl::RawQuery info;
    auto normalized = normalize_query(raw_query, m.options.normalizer);
    if (!normalized.is_ok()) {
      const int reason = query_reason_index(normalized.status().message());
      if (reason < 0) return normalized.status();  // not a property of the string
      info.aux = static_cast<uint32_t>(reason);
    } else {
      std::vector<uint32_t>& ids = m.scratch_ids;
      ids.clear();
      for (const std::string& t : normalized->tokens) {
        bool added = false;
        ids.push_back(m.tokens.intern(t, &added));
        if (added) {
          size_t pos = 0;
          m.token_unspaced.push_back(is_unspaced_script(text::decode_utf8(t, pos)) ? 1 : 0);
        }
      }
      const uint32_t h = detail::hash32(std::string_view(reinterpret_cast<const char*>(ids.data()),
                                                         ids.size() * sizeof(uint32_t)));
      info.query = m.query_ids.find(h, [&m, &ids](uint32_t q) {
        return m.ntok(q) == ids.size() && std::equal(ids.begin(), ids.end(), m.ordered_begin(q));
      });
      if (info.query == Impl::kNone) {
        info.query = static_cast<uint32_t>(m.queries.size());
        Impl::Query q;
        q.begin = static_cast<uint32_t>(m.ordered_tokens.size());
        q.count = static_cast<uint32_t>(ids.size());
        q.first_raw = static_cast<uint32_t>(m.raw.size());  // the id raw.add() gives below
        for (uint32_t id : ids) q.signature |= token_bit(id);
        m.ordered_tokens.insert(m.ordered_tokens.end(), ids.begin(), ids.end());
        std::sort(ids.begin(), ids.end());
        m.sorted_tokens.insert(m.sorted_tokens.end(), ids.begin(), ids.end());
        m.queries.push_back(q);
        m.display.push_back(m.display_text.store(normalized->text));
        m.query_ids.insert(h, info.query);
      }
      ++m.valid_raw;
    }
    raw = m.raw.add(raw_query, raw_hash, info.pack());
  }
  const Impl::RawQuery info = Impl::RawQuery::unpack(*raw.payload);
  if (info.query == Impl::kNone) return reject(kQueryReasons[info.aux]);
  if (info.aux != UINT32_MAX) *raw.payload += uint64_t{1} << 32;  // clicks, saturated
  const uint64_t did = m.docs.intern(doc);
  m.pair_clicks.add(did << 32 | info.query);
  ++m.clicks;
  m.finished = false;
  return Status::ok();
}

void IntentMiner::for_each_pair(const std::function<void(const MinedPair&)>& fn) const {
  const Impl& m = *impl_;
  MinedPair out;
  std::vector<uint32_t> remaining;  // Q's tokens not yet matched, sorted
  for (const Impl::Pair& p : m.pairs) {
    out.query = m.display[p.query];
    out.doc = m.docs.str(p.doc());
    out.refined = m.display[p.refined];
    out.query_tokens = p.tokens;
    out.refined_tokens = m.ntok(p.refined);
    out.query_clicks = p.clicks;
    out.refined_clicks = p.refined_clicks;
    out.candidates = p.candidates;
    out.added.clear();
    out.added_text.clear();
    if (p.refined != p.query) {
      m.added_phrases(p.refined, p.query, out.added_text);
      remaining.assign(m.sorted_begin(p.query), m.sorted_end(p.query));
      const uint32_t* ordered = m.ordered_begin(p.refined);
      for (uint32_t i = 0; i < out.refined_tokens; ++i) {
        auto it = std::lower_bound(remaining.begin(), remaining.end(), ordered[i]);
        if (it != remaining.end() && *it == ordered[i]) {
          remaining.erase(it);
        } else {
          out.added.push_back(m.tokens.str(ordered[i]));
        }
      }
    }
    fn(out);
  }
}

namespace {

std::vector<AddedToken> top_added(const detail::StringInterner& names,
                                  const std::vector<IntentMiner::Impl::TokenCounts>& counts,
                                  size_t n) {
  std::vector<AddedToken> all;
  for (size_t t = 0; t < counts.size(); ++t) {
    const IntentMiner::Impl::TokenCounts& c = counts[t];
    if (c.pairs == 0 && c.relations == 0) continue;
    all.push_back(
        {std::string(names.str(static_cast<uint32_t>(t))), c.pairs, c.base_queries, c.relations});
  }
  auto better = [](const AddedToken& a, const AddedToken& b) {
    if (a.pairs != b.pairs) return a.pairs > b.pairs;
    if (a.relations != b.relations) return a.relations > b.relations;
    return a.token < b.token;
  };
  const size_t k = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(), better);
  all.resize(k);
  return all;
}

}  // namespace

std::vector<AddedToken> IntentMiner::top_added_tokens(size_t n) const {
  return top_added(impl_->tokens, impl_->token_counts, n);
}

std::vector<AddedToken> IntentMiner::top_added_phrases(size_t n) const {
  return top_added(impl_->phrases, impl_->phrase_counts, n);
}

MiningSummary IntentMiner::summary() const {
  const Impl& m = *impl_;
  MiningSummary s;
  s.clicks = m.clicks;
  s.raw_queries = m.valid_raw;
  s.queries = m.queries.size();
  s.tokens = m.tokens.size();
  s.documents = m.docs.size();
  s.pairs = m.pair_clicks.size();
  s.refined_pairs = m.finished ? m.refined_pairs : 0;
  s.relations = m.finished ? m.relations : 0;
  s.memory_bytes =
      m.raw.memory_bytes() + m.query_ids.memory_bytes() + m.display_text.memory_bytes() +
      m.display.capacity() * sizeof(std::string_view) + m.tokens.memory_bytes() +
      m.docs.memory_bytes() + m.pair_clicks.memory_bytes() +
      m.queries.capacity() * sizeof(Impl::Query) +
      (m.ordered_tokens.capacity() + m.sorted_tokens.capacity()) * sizeof(uint32_t) +
      m.token_unspaced.capacity() + m.pairs.capacity() * sizeof(Impl::Pair) +
      (m.token_counts.capacity() + m.phrase_counts.capacity()) * sizeof(Impl::TokenCounts) +
      m.phrases.memory_bytes();
  return s;
}

}  // namespace feedscout::intent
