// The text index against a peer (issue 14): feedscout's DocumentIndex and Xapian (1.4,
// libxapian-dev) on the same corpus, the same retrieval terms and the same queries, in one
// run, single-threaded: documents indexed per second, BM25 top-k queries per second, and how
// far the two top-k lists agree.
//
//   feedscout_text_index_bench [--docs D] [--queries Q] [--topics T] [--k K] [--rounds R]
//                              [--seed S] [--backends glass,inmemory] [--tmp DIR]
//
// Corpus: D documents (default 200,000) over T topics (default 60) from bench/synthetic_corpus.h
// (the other benchmarks' corpus). Queries: Q (default 2,000), half synthetic_corpus.h's
// topic_query of a random topic (topic name and a keyword, or two keywords), half 2–3
// consecutive words of a random document's title.
//
// Both indexes get the documents oldest first, so DocIndex i is Xapian docid i + 1 and the
// tie rules agree: DocumentIndex breaks equal scores newer (later added) first, Xapian is
// told set_docid_order(DESCENDING).
//
// Terms: text::retrieval_terms (Hangul/CJK bigrams, lower-cased Latin words) of the title
// with wdf 2 per occurrence and of the body with wdf 1, as DocumentIndex::add counts them;
// Xapian gets each 64-bit TermId as 11 base-64 digits, so its document length (sum of wdf) is
// DocumentIndex's. Xapian stores nothing else; DocumentIndex::add also keeps the record
// (id, title, source, topics), per-topic lists, word frequencies and refinement words, which
// its docs/s pays for. Indexing time includes tokenising for both and, for Xapian, building
// each Xapian::Document and the final commit (glass: an on-disk database in a scratch
// directory under --tmp, Xapian's default flush threshold; inmemory: DB_BACKEND_INMEMORY).
// Glass is searched through a read-only Xapian::Database opened after the commit.
//
// Queries, per engine: one untimed warm-up pass over every query, then R timed passes
// (default 3); the median pass is reported as queries/s. Each query: DocumentIndex::search(q,
// K, no exclusion) against, in Xapian, Enquire::get_mset(0, K) over
//   or        OP_OR of the query's distinct terms, Xapian::BM25Weight(k1 1.2, k2 0, k3 0,
//             b 0.75, min_normlen 0) — the plain peer;
//   rules     the same weight, with DocumentIndex's matching rules rebuilt in the query: terms
//             in more than max_term_doc_share (25%) of documents dropped, and a match must
//             hold min_query_coverage (60%) of the usable terms (terms absent from the index
//             count as usable, as in DocumentIndex) — OP_FILTER of the OR by an OR of ANDs of
//             every such subset, which adds no weight;
//   fs-bm25   rules, weighted by FeedscoutBm25 below: DocumentIndex's formula exactly.
// BM25Weight's idf is log((N - df + 0.5) / (df + 0.5)) (an argument x below 2 becomes
// x/2 + 1) where DocumentIndex uses log(1 + (N - df + 0.5) / (df + 0.5)); its tf part lacks
// the constant (k1 + 1), which changes no order.
//
// Overlap per query: |A ∩ B| / max(|A|, |B|) of the document sets (1 when both are empty),
// over the top K and over the top 10; with K matches on both sides that is |A ∩ B| / K.
// Prints figures and feedscout/Xapian ratios; asserts nothing about timings.
#include <xapian.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "bench_util.h"
#include "feedscout/eval/sample_generator.h"
#include "feedscout/index/document_index.h"
#include "feedscout/taxonomy/taxonomy.h"
#include "feedscout/text/tokenize.h"
#include "feedscout/text/utf8.h"
#include "synthetic_corpus.h"

namespace fb = feedscout::bench;
namespace text = feedscout::text;
using feedscout::DocIndex;
using feedscout::Document;
using feedscout::SampleRng;
using feedscout::TimeMs;

namespace {

// The benchmark corpus (bench/synthetic_corpus.h) as documents, oldest first (the order both
// indexes get them in).
struct Corpus {
  fb::Corpus source;
  std::vector<Document> docs;
};

// Exits when the taxonomy cannot give n_topics topics or the sizes are out of range.
Corpus make_bench_corpus(const feedscout::Taxonomy& taxonomy, uint64_t seed, size_t n_docs,
                         size_t n_topics, TimeMs now_ms) {
  fb::CorpusOptions options;
  options.seed = seed;
  options.docs = n_docs;
  options.topics = n_topics;
  options.now_ms = now_ms;
  auto made = fb::make_corpus(taxonomy, options);
  if (!made.is_ok()) {
    std::cerr << "error: " << made.status().to_string() << "\n";
    std::exit(2);
  }
  Corpus c{std::move(made).value(), {}};
  for (uint32_t i : c.source.by_time) c.docs.push_back(fb::to_document(c.source, i));
  return c;
}

// `n` queries: even ones as synthetic.cc's topic_query of a random topic, odd ones 2–3
// consecutive words of a random document's title.
std::vector<std::string> make_queries(const Corpus& c, size_t n, uint64_t seed) {
  SampleRng rng(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    if (i % 2 == 0) {
      out.push_back(fb::topic_query(c.source, rng.below(c.source.topics.size()), rng));
      continue;
    }
    const std::vector<std::string> words = text::words(c.docs[rng.below(c.docs.size())].title);
    const size_t len = std::min<size_t>(words.size(), 2 + rng.below(2));
    const size_t start = rng.below(words.size() - len + 1);
    std::string q;
    for (size_t w = start; w < start + len; ++w) q += (q.empty() ? "" : " ") + words[w];
    out.push_back(std::move(q));
  }
  return out;
}

// ---- Xapian ----

// A retrieval term as a Xapian term: its 64-bit id in 11 base-64 digits (short enough for
// std::string's in-place buffer, so naming a term allocates nothing).
std::string term_name(text::TermId id) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s(11, 'A');
  for (int i = 10; i >= 0; --i, id >>= 6) s[static_cast<size_t>(i)] = kDigits[id & 63];
  return s;
}

// The query's distinct terms, in TermId order (DocumentIndex's order).
std::vector<std::string> query_terms(std::string_view query) {
  std::vector<text::TermId> ids = text::retrieval_terms(query);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (text::TermId id : ids) out.push_back(term_name(id));
  return out;
}

// DocumentIndex's BM25 as a Xapian weighting scheme: idf log(1 + (N - df + 0.5) / (df +
// 0.5)), tf part tf (k1 + 1) / (tf + k1 (1 - b + b len / avg)), k1 = 1.2, b = 0.75. The
// bound is the contribution at the term's largest wdf and the shortest document.
class FeedscoutBm25 : public Xapian::Weight {
 public:
  FeedscoutBm25() {
    need_stat(COLLECTION_SIZE);
    need_stat(TERMFREQ);
    need_stat(AVERAGE_LENGTH);
    need_stat(WDF);
    need_stat(DOC_LENGTH);
    need_stat(DOC_LENGTH_MIN);
    need_stat(WDF_MAX);
  }
  std::string name() const override { return "feedscout::Bm25"; }
  // Xapian takes ownership of the copy.
  Xapian::Weight* clone() const override { return std::make_unique<FeedscoutBm25>().release(); }
  void init(double factor) override {
    const double n = static_cast<double>(get_collection_size());
    const double df = static_cast<double>(get_termfreq());
    idf_ = df > 0 ? std::log(1.0 + (n - df + 0.5) / (df + 0.5)) * factor : 0;
    avg_len_ = get_average_length() > 0 ? static_cast<double>(get_average_length()) : 1;
    max_part_ =
        part(get_wdf_upper_bound(), std::max<Xapian::termcount>(1, get_doclength_lower_bound()));
  }
  double get_sumpart(Xapian::termcount wdf, Xapian::termcount len,
                     Xapian::termcount /*uniqterms*/) const override {
    return part(wdf, len);
  }
  double get_maxpart() const override { return max_part_; }
  double get_sumextra(Xapian::termcount, Xapian::termcount) const override { return 0; }
  double get_maxextra() const override { return 0; }

 private:
  double part(Xapian::termcount wdf, Xapian::termcount len) const {
    constexpr double k1 = 1.2, b = 0.75;
    const double tf = wdf;
    return idf_ * tf * (k1 + 1) / (tf + k1 * (1 - b + b * static_cast<double>(len) / avg_len_));
  }
  double idf_ = 0, avg_len_ = 1, max_part_ = 0;
};

enum class XapianQuery { kOr, kRules };

// The Xapian query for `query`: the OR of its distinct terms, or (kRules) DocumentIndex's
// matching rules over them (file comment). An empty Query matches nothing.
Xapian::Query xapian_query(const Xapian::Database& db, std::string_view query, XapianQuery kind,
                           const feedscout::IndexConfig& config) {
  const std::vector<std::string> terms = query_terms(query);
  if (kind == XapianQuery::kOr)
    return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
  const double n = static_cast<double>(db.get_doccount());
  size_t usable = 0;
  std::vector<std::string> kept;
  for (const std::string& t : terms) {
    const double df = static_cast<double>(db.get_termfreq(t));
    if (df > config.max_term_doc_share * n && n > 20) continue;
    ++usable;
    if (df > 0) kept.push_back(t);
  }
  const size_t need = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(config.min_query_coverage * static_cast<double>(usable))));
  if (kept.size() < need) return Xapian::Query();
  Xapian::Query ranked(Xapian::Query::OP_OR, kept.begin(), kept.end());
  if (need == 1) return ranked;
  if (need == kept.size()) return Xapian::Query(Xapian::Query::OP_AND, kept.begin(), kept.end());
  // Every `need`-subset of kept, as an AND; their OR is the gate.
  std::vector<Xapian::Query> subsets;
  std::vector<bool> pick(kept.size(), false);
  std::fill(pick.begin(), pick.begin() + static_cast<std::ptrdiff_t>(need), true);
  do {
    std::vector<std::string> subset;
    for (size_t i = 0; i < kept.size(); ++i) {
      if (pick[i]) subset.push_back(kept[i]);
    }
    subsets.emplace_back(Xapian::Query::OP_AND, subset.begin(), subset.end());
  } while (std::prev_permutation(pick.begin(), pick.end()));
  return Xapian::Query(Xapian::Query::OP_FILTER, ranked,
                       Xapian::Query(Xapian::Query::OP_OR, subsets.begin(), subsets.end()));
}

// ---- Measurement ----

using ResultList = std::vector<DocIndex>;  // best first

struct QueryRun {
  double qps = 0;                   // median timed pass
  std::vector<ResultList> results;  // per query, from the warm-up pass
  double mean_results = 0;
};

// One warm-up pass (results kept) and `rounds` timed passes of run_one over every query.
template <typename RunOne>
QueryRun run_queries(const std::vector<std::string>& queries, size_t rounds, RunOne run_one) {
  QueryRun out;
  out.results.reserve(queries.size());
  size_t total = 0;
  for (const std::string& q : queries) {
    out.results.push_back(run_one(q));
    total += out.results.back().size();
  }
  out.mean_results = static_cast<double>(total) / static_cast<double>(queries.size());
  std::vector<double> qps;
  size_t sink = 0;
  for (size_t r = 0; r < rounds; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const std::string& q : queries) sink += run_one(q).size();
    qps.push_back(static_cast<double>(queries.size()) / fb::seconds_since(t0));
  }
  std::sort(qps.begin(), qps.end());
  out.qps = qps[qps.size() / 2];
  if (sink != total * rounds) std::cerr << "warning: result counts changed between passes\n";
  return out;
}

// Mean over queries of |A ∩ B| / max(|A|, |B|) over the first `depth` of each list (1 when
// both are empty).
double mean_overlap(const std::vector<ResultList>& a, const std::vector<ResultList>& b,
                    size_t depth) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t na = std::min(depth, a[i].size()), nb = std::min(depth, b[i].size());
    if (na == 0 && nb == 0) {
      sum += 1;
      continue;
    }
    const std::unordered_set<DocIndex> in_a(a[i].begin(), a[i].begin() + na);
    size_t common = 0;
    for (size_t j = 0; j < nb; ++j) common += in_a.count(b[i][j]);
    sum += static_cast<double>(common) / static_cast<double>(std::max(na, nb));
  }
  return sum / static_cast<double>(a.size());
}

// Indexes every document into a fresh Xapian database of `backend` ("glass": under
// `scratch`; "inmemory"), commit included; returns docs/s and the database to search.
std::pair<double, Xapian::Database> index_xapian(const Corpus& c, const std::string& backend,
                                                 const std::string& scratch) {
  const std::string path = backend == "glass" ? scratch + "/glass" : std::string();
  const int flags = Xapian::DB_CREATE_OR_OVERWRITE |
                    (backend == "glass" ? Xapian::DB_BACKEND_GLASS : Xapian::DB_BACKEND_INMEMORY);
  const auto t0 = std::chrono::steady_clock::now();
  Xapian::WritableDatabase db(path, flags);
  for (const Document& d : c.docs) {
    Xapian::Document xd;
    for (text::TermId t : text::retrieval_terms(d.title)) xd.add_term(term_name(t), 2);
    for (text::TermId t : text::retrieval_terms(d.body)) xd.add_term(term_name(t), 1);
    db.add_document(xd);
  }
  db.commit();
  const double docs_s = static_cast<double>(c.docs.size()) / fb::seconds_since(t0);
  if (backend == "glass") {
    db.close();
    return {docs_s, Xapian::Database(path)};
  }
  return {docs_s, db};
}

struct Variant {
  const char* name;
  XapianQuery query;
  bool feedscout_weight;
};
constexpr std::array<Variant, 3> kVariants = {{{"or", XapianQuery::kOr, false},
                                               {"rules", XapianQuery::kRules, false},
                                               {"fs-bm25", XapianQuery::kRules, true}}};

}  // namespace

int main(int argc, char** argv) {
  fb::Flags flags(
      argc, argv,
      "usage: feedscout_text_index_bench [--docs D] [--queries Q] [--topics T] [--k K]\n"
      "         [--rounds R] [--seed S] [--backends glass,inmemory] [--tmp DIR]");
  flags.check({"docs", "queries", "topics", "k", "rounds", "seed", "backends", "tmp"});
  const size_t n_docs = flags.get_size("docs", 200000);
  const size_t n_queries = std::max<size_t>(1, flags.get_size("queries", 2000));
  const size_t n_topics = flags.get_size("topics", 60);
  const size_t k = std::max<size_t>(1, flags.get_size("k", 200));
  const size_t rounds = std::max<size_t>(1, flags.get_size("rounds", 3));
  const uint64_t seed = flags.get_size("seed", 42);
  const std::string backends_flag = flags.get_string("backends", "glass,inmemory");
  std::vector<std::string> backends;
  for (size_t pos = 0; pos <= backends_flag.size();) {
    const size_t comma = std::min(backends_flag.find(',', pos), backends_flag.size());
    const std::string b = backends_flag.substr(pos, comma - pos);
    if (b != "glass" && b != "inmemory") {
      std::cerr << "error: --backends takes glass and/or inmemory\n";
      return 2;
    }
    backends.push_back(b);
    pos = comma + 1;
  }
  fb::ScratchDir scratch(flags.get_string("tmp", "/tmp"), "feedscout-xapian");

  auto taxonomy = feedscout::Taxonomy::load_file(std::string(FEEDSCOUT_SOURCE_DIR) +
                                                 "/data/taxonomy/iab-content-3.1-ko.tsv");
  if (!taxonomy.is_ok()) {
    std::cerr << "error: " << taxonomy.status().to_string() << "\n";
    return 1;
  }
  const Corpus corpus =
      make_bench_corpus(*taxonomy, seed, n_docs, n_topics, feedscout::kSampleNewestMs);
  const std::vector<std::string> queries = make_queries(corpus, n_queries, seed + 1);
  size_t query_terms_total = 0;
  for (const std::string& q : queries) query_terms_total += query_terms(q).size();
  const feedscout::IndexConfig config;
  std::printf(
      "corpus: %zu documents over %zu topics (seed %llu), %zu queries (%.2f distinct terms "
      "each on average), top %zu, %zu timed passes (median reported)\n",
      corpus.docs.size(), corpus.source.topics.size(), static_cast<unsigned long long>(seed),
      queries.size(), static_cast<double>(query_terms_total) / queries.size(), k, rounds);
  std::printf("xapian %s; both single-threaded; load average at start: %s\n\n",
              Xapian::version_string(), fb::load_average().c_str());

  // feedscout.
  feedscout::DocumentIndex index(*taxonomy, config);
  auto t0 = std::chrono::steady_clock::now();
  for (const Document& d : corpus.docs) (void)index.add(d);
  const double fs_docs_s = static_cast<double>(corpus.docs.size()) / fb::seconds_since(t0);
  const QueryRun fs = run_queries(queries, rounds, [&](const std::string& q) {
    ResultList out;
    for (const auto& m : index.search(q, k, nullptr)) out.push_back(m.doc);
    return out;
  });
  std::printf("%-34s %12s %12s %10s %10s %10s\n", "engine", "docs/s", "queries/s", "results",
              "overlap@K", "overlap@10");
  std::printf("%-34s %12.0f %12.0f %10.1f %10s %10s\n", "feedscout DocumentIndex", fs_docs_s,
              fs.qps, fs.mean_results, "-", "-");

  struct Row {
    std::string name;
    double docs_s, qps, overlap_k, overlap_10;
  };
  std::vector<Row> rows;
  for (const std::string& backend : backends) {
    auto [docs_s, db] = index_xapian(corpus, backend, scratch.path());
    for (const Variant& v : kVariants) {
      Xapian::Enquire enquire(db);
      if (v.feedscout_weight) {
        enquire.set_weighting_scheme(FeedscoutBm25());
      } else {
        enquire.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 0, 0.75, 0));
      }
      enquire.set_docid_order(Xapian::Enquire::DESCENDING);
      const QueryRun x = run_queries(queries, rounds, [&](const std::string& q) {
        enquire.set_query(xapian_query(db, q, v.query, config));
        const Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(k));
        ResultList out;
        out.reserve(mset.size());
        for (auto it = mset.begin(); it != mset.end(); ++it) out.push_back(*it - 1);
        return out;
      });
      Row row{"xapian " + backend + " " + v.name, docs_s, x.qps,
              mean_overlap(fs.results, x.results, k), mean_overlap(fs.results, x.results, 10)};
      std::printf("%-34s %12.0f %12.0f %10.1f %10.3f %10.3f\n", row.name.c_str(), row.docs_s,
                  row.qps, x.mean_results, row.overlap_k, row.overlap_10);
      std::fflush(stdout);
      rows.push_back(std::move(row));
    }
  }
  std::printf("\nratios feedscout / xapian:\n");
  for (const Row& r : rows) {
    std::printf("  %-32s docs/s %6.2fx   queries/s %6.2fx\n", r.name.c_str(), fs_docs_s / r.docs_s,
                fs.qps / r.qps);
  }
  std::printf("\nload average at end: %s\n", fb::load_average().c_str());
  std::printf(
      "(xapian docs/s is per backend and includes the commit; overlap is with "
      "feedscout's top-K and top-10, |A∩B| / max(|A|,|B|))\n");
  return 0;
}
