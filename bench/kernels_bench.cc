// Micro-benchmarks (Google Benchmark) of the functions on the ingest and feed paths:
//   UserContext::apply      one feed click on a 3-level topic, for a user in steady state
//                           (20 topics, seen-set full at max_seen_docs, so every click also
//                           evicts one seen document);
//   compute_view            a user with ~50 topics with evidence;
//   text::retrieval_terms   a 200-character Korean title;
//   DocumentIndex::search   a two-word query over 100,000 synthetic documents;
//   search event on ingest  apply of a search with 2 clicks, alone and with the extractive
//                           refiner (issue 5 target: p99 <= 1 ms), over 100,000 documents;
//   parse_events            one typical line (impression of 10 documents, click, search);
//   fastText student        classify() of a title + ~500 characters of body, one thread
//                           (issue 4 target: >= 20,000 documents/s per core), with the model
//                           trained at start-up on the shipped sample (the settings
//                           docs/EVALUATION.md chose on YNAT: ova, 5 epochs, lr 0.2);
//   AnnIndex::search        top 10 by cosine among 100,000 random unit vectors of d = 64
//                           at the default hnswlib settings (docs/EMBEDDINGS.md), plain
//                           and with a filter that passes half the keys.
// Data comes from bench/synthetic.h with fixed seeds. Asserts nothing about timings.
#include <benchmark/benchmark.h>

#include <chrono>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>

#include "engine/search_refinement.h"
#include "feedscout/context/user_context.h"
#include "feedscout/index/ann_index.h"
#include "feedscout/index/document_index.h"
#include "feedscout/ingest/parse.h"
#include "feedscout/intent/refiner.h"
#include "feedscout/models/fasttext_classifier.h"
#include "feedscout/text/tokenize.h"
#include "feedscout/text/utf8.h"
#include "synthetic.h"

namespace fb = feedscout::bench;
using namespace feedscout;

namespace {

// A fixed "now": 2026-11-01T00:00:00Z.
constexpr TimeMs kNow = kSampleNewestMs;

const Taxonomy& taxonomy() {
  static const Taxonomy t = [] {
    auto loaded = Taxonomy::load_file(fb::default_taxonomy_path());
    if (!loaded.is_ok()) {
      std::cerr << "error: " << loaded.status().to_string() << "\n";
      std::exit(1);
    }
    return std::move(loaded).value();
  }();
  return t;
}

// Level-3 topics of the taxonomy, in id order.
const std::vector<TopicId>& level3_topics() {
  static const std::vector<TopicId> list = [] {
    std::vector<TopicId> out;
    for (TopicId t = 0; t < taxonomy().size(); ++t) {
      if (taxonomy().node(t).level == 3) out.push_back(t);
    }
    return out;
  }();
  return list;
}

std::string doc_name(size_t i) {
  return "doc-" + std::to_string(i);
}

// ---- UserContext::apply ---------------------------------------------------------------

void BM_UserContextApplyClick(benchmark::State& state) {
  const ContextConfig config;
  const auto& leaves = level3_topics();
  UserContext ctx;
  // Steady state: 20 leaf topics with evidence, seen-set full.
  std::vector<std::vector<DocTopic>> topic_lists;
  for (size_t i = 0; i < 20; ++i) topic_lists.push_back({{leaves[i * 7 % leaves.size()], 1.0f}});
  TimeMs t = kNow - 7 * kMsPerDay;
  size_t next_doc = 0;
  std::vector<std::vector<const std::vector<DocTopic>*>> doc_topics;
  for (const auto& l : topic_lists) doc_topics.push_back({&l});
  auto click = [&]() {
    Event e;
    e.id = "ev";
    e.type = EventType::kClick;
    e.user = "u1";
    e.time_ms = t;
    e.surface = Surface::kFeed;
    e.doc_ids = {doc_name(next_doc++)};
    e.dwell_s = 30;
    return e;
  };
  for (size_t i = 0; i < config.max_seen_docs + 100; ++i) {
    t += kMsPerSecond;
    const size_t k = i % topic_lists.size();
    ctx.apply(click(), doc_topics[k], taxonomy(), config);
  }
  // Pre-built events so that the loop times apply() only.
  std::vector<Event> events;
  for (size_t i = 0; i < 4096; ++i) events.push_back(click());
  size_t i = 0;
  for (auto _ : state) {
    Event& e = events[i % events.size()];
    t += kMsPerSecond;
    e.time_ms = t;  // newer than the anchor: the decay path runs every time
    ctx.apply(e, doc_topics[i % doc_topics.size()], taxonomy(), config);
    ++i;
  }
  state.counters["surface_topics"] =
      static_cast<double>(ctx.surfaces()[static_cast<int>(Surface::kFeed)].topics.size());
  state.counters["seen"] = static_cast<double>(ctx.seen_count());
}
BENCHMARK(BM_UserContextApplyClick);

// ---- compute_view ---------------------------------------------------------------------

void BM_ComputeView(benchmark::State& state) {
  const ContextConfig config;
  const auto& leaves = level3_topics();
  UserContext ctx;
  // Clicks and impressions on distinct leaves (each adds up to 3 topics with its ancestors)
  // on all three surfaces until the integrated view has ~50 topics.
  TimeMs t = kNow - 10 * kMsPerDay;
  size_t doc = 0;
  for (size_t i = 0; i < leaves.size(); ++i) {
    const std::vector<DocTopic> topics = {{leaves[i * 5 % leaves.size()], 1.0f}};
    for (int s = 0; s < kNumSurfaces; ++s) {
      t += kMsPerHour;
      const EventType type = s == 0       ? EventType::kSearch
                             : i % 3 == 0 ? EventType::kClick
                                          : EventType::kImpression;
      const Event e{"ev-" + std::to_string(doc),
                    type,
                    std::string("u1"),
                    t,
                    static_cast<Surface>(s),
                    s == 0 ? "검색어 " + std::to_string(i) : std::string(),
                    {doc_name(doc)},
                    -1};
      ++doc;
      ctx.apply(e, {&topics}, taxonomy(), config);
    }
    if (compute_view(ctx, kNow, config).integrated.size() >= 50) break;
  }
  size_t topics = 0;
  for (auto _ : state) {
    ContextView view = compute_view(ctx, kNow, config);
    topics = view.integrated.size();
    benchmark::DoNotOptimize(view);
  }
  state.counters["integrated_topics"] = static_cast<double>(topics);
}
BENCHMARK(BM_ComputeView);

// ---- text::retrieval_terms ------------------------------------------------------------

void BM_RetrievalTermsKoreanTitle(benchmark::State& state) {
  SampleRng rng(3);
  std::string title;
  size_t chars = 0;
  while (chars < 200) {
    if (chars > 0) {
      title += ' ';
      ++chars;
    }
    const int n = 2 + static_cast<int>(rng.below(3));
    const std::string w = fb::hangul_word(rng, n);
    title += w;
    chars += static_cast<size_t>(n);
  }
  // Trim to exactly 200 code points.
  size_t pos = 0, count = 0;
  while (pos < title.size() && count < 200) {
    (void)text::decode_utf8(title, pos);
    ++count;
  }
  title.resize(pos);
  size_t terms = 0;
  for (auto _ : state) {
    auto t = text::retrieval_terms(title);
    terms = t.size();
    benchmark::DoNotOptimize(t);
  }
  state.counters["terms"] = static_cast<double>(terms);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * title.size()));
}
BENCHMARK(BM_RetrievalTermsKoreanTitle);

// ---- DocumentIndex::search ------------------------------------------------------------

struct SearchData {
  std::unique_ptr<fb::Corpus> corpus;
  std::unique_ptr<DocumentIndex> index;
  std::vector<std::string> queries;
};

const SearchData& search_data() {
  static const SearchData data = [] {
    SearchData d;
    fb::CorpusOptions co;
    co.seed = 5;
    co.docs = 100000;
    co.topics = 100;
    co.now_ms = kNow;
    auto corpus = fb::make_corpus(taxonomy(), co);
    if (!corpus.is_ok()) {
      std::cerr << "error: " << corpus.status().to_string() << "\n";
      std::exit(1);
    }
    d.corpus = std::make_unique<fb::Corpus>(std::move(corpus).value());
    d.index = std::make_unique<DocumentIndex>(taxonomy(), IndexConfig{});
    for (size_t i = 0; i < d.corpus->docs.size(); ++i) {
      (void)d.index->add(fb::to_document(*d.corpus, i));
    }
    SampleRng rng(9);
    for (int i = 0; i < 256; ++i) {
      d.queries.push_back(fb::topic_query(*d.corpus, rng.below(d.corpus->topics.size()), rng));
    }
    return d;
  }();
  return data;
}

void BM_DocumentIndexSearch100k(benchmark::State& state) {
  const SearchData& d = search_data();
  const std::function<bool(DocIndex)> exclude = [](DocIndex) { return false; };
  size_t i = 0, matches = 0;
  for (auto _ : state) {
    auto m = d.index->search(d.queries[i++ % d.queries.size()], 4, exclude);
    matches += m.size();
    benchmark::DoNotOptimize(m);
  }
  state.counters["docs"] = static_cast<double>(d.index->size());
  state.counters["matches_per_query"] =
      benchmark::Counter(static_cast<double>(matches), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_DocumentIndexSearch100k);

// The same queries for the best 200, as the search feed asks (a low k-th score: long lists
// are scored deep).
void BM_DocumentIndexSearch100kTop200(benchmark::State& state) {
  const SearchData& d = search_data();
  size_t i = 0, matches = 0;
  for (auto _ : state) {
    auto m = d.index->search(d.queries[i++ % d.queries.size()], 200, nullptr);
    matches += m.size();
    benchmark::DoNotOptimize(m);
  }
  state.counters["docs"] = static_cast<double>(d.index->size());
  state.counters["matches_per_query"] =
      benchmark::Counter(static_cast<double>(matches), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_DocumentIndexSearch100kTop200);

// ---- search event on ingest: context apply, with and without refinement ----------------

// One search event with two clicked documents of the searched topic, applied to a fresh
// user's context (the baseline: what ingest did before refinement), then — in the second
// benchmark — refined as the engine's writer does (refine_recent_search with the extractive
// default over the 100,000-document index). Per-event latencies are sampled into p50/p99
// counters (microseconds).
struct SearchEvents {
  std::vector<Event> events;
};

const SearchEvents& search_events() {
  static const SearchEvents data = [] {
    const SearchData& d = search_data();
    SearchEvents s;
    SampleRng rng(11);
    for (int i = 0; i < 512; ++i) {
      const size_t topic = rng.below(d.corpus->topics.size());
      Event e;
      e.id = "s" + std::to_string(i);
      e.type = EventType::kSearch;
      e.user = "u";
      e.surface = Surface::kSearch;
      e.time_ms = kNow - 60000;
      e.query = fb::topic_query(*d.corpus, topic, rng);
      const auto& docs = d.corpus->topic_docs[topic];
      for (int c = 0; c < 2 && !docs.empty(); ++c) {
        e.doc_ids.push_back(d.corpus->docs[docs[rng.below(docs.size())]].id);
      }
      s.events.push_back(std::move(e));
    }
    return s;
  }();
  return data;
}

void search_event_bench(benchmark::State& state, bool refine) {
  const SearchData& d = search_data();
  const SearchEvents& s = search_events();
  const ContextConfig config;
  const IndexWordWeights weights(*d.index);
  const intent::ExtractiveRefiner refiner(weights, intent::RefinerOptions{});
  std::vector<double> micros;
  micros.reserve(1 << 20);
  size_t i = 0, refined = 0;
  for (auto _ : state) {
    const Event& e = s.events[i++ % s.events.size()];
    UserContext ctx;
    std::vector<const std::vector<DocTopic>*> topics;
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& id : e.doc_ids) {
      const auto doc = d.index->find(id);
      topics.push_back(doc ? &d.index->doc(*doc).topics : nullptr);
    }
    ctx.apply(e, topics, taxonomy(), config);
    if (refine &&
        refine_recent_search(ctx, e.query, *d.index, refiner) != intent::RefinementSource::kNone) {
      ++refined;
    }
    const auto t1 = std::chrono::steady_clock::now();
    if (micros.size() < micros.capacity()) {
      micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    benchmark::DoNotOptimize(ctx);
  }
  const fb::LatencySummary l = fb::summarize_latencies(micros);
  state.counters["p50_us"] = l.p50;
  state.counters["p99_us"] = l.p99;
  state.counters["refined_share"] =
      static_cast<double>(refined) / static_cast<double>(std::max<size_t>(1, i));
}

void BM_SearchEventApply(benchmark::State& state) {
  search_event_bench(state, false);
}
BENCHMARK(BM_SearchEventApply);

void BM_SearchEventApplyAndRefine(benchmark::State& state) {
  search_event_bench(state, true);
}
BENCHMARK(BM_SearchEventApplyAndRefine);

// ---- parse_events ---------------------------------------------------------------------

const char* kImpressionLine =
    R"({"id":"ev-00012345","type":"impression","user":"u004242","time":"2026-10-28T09:15:02Z",)"
    R"("surface":"feed","docs":["doc-001124","doc-001462","doc-004458","doc-002728",)"
    R"("doc-003132","doc-002365","doc-003009","doc-002111","doc-000365","doc-002459"]})";
const char* kClickLine =
    R"({"id":"ev-00012346","type":"click","user":"u004242","time":"2026-10-28T09:15:31Z",)"
    R"("surface":"feed","docs":["doc-001462"],"dwell_s":40.0})";
const char* kSearchLine =
    R"({"id":"ev-00012347","type":"search","user":"u004242","time":"2026-10-28T09:20:11Z",)"
    R"("query":"두바이 초콜릿 만들기","clicked":["doc-001847","doc-000321"]})";

void BM_ParseEventsOneLine(benchmark::State& state, const char* line) {
  const ParseLimits limits;
  const std::string_view body(line);
  for (auto _ : state) {
    auto parsed = parse_events(body, limits, kNow);
    if (parsed.items.size() != 1) {
      state.SkipWithError("line did not parse");
      break;
    }
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK_CAPTURE(BM_ParseEventsOneLine, impression10, kImpressionLine);
BENCHMARK_CAPTURE(BM_ParseEventsOneLine, click, kClickLine);
BENCHMARK_CAPTURE(BM_ParseEventsOneLine, search, kSearchLine);

// ---- fastText student ----------------------------------------------------------------

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (size_t pos = 0; pos < s.size(); ++n) (void)text::decode_utf8(s, pos);
  return n;
}

std::string first_code_points(std::string_view s, size_t n) {
  size_t pos = 0;
  for (size_t i = 0; i < n && pos < s.size(); ++i) (void)text::decode_utf8(s, pos);
  return std::string(s.substr(0, pos));
}

struct StudentData {
  std::string dir;
  std::unique_ptr<TopicClassifier> classifier;            // the project's inference
  std::unique_ptr<TopicClassifier> library_classifier;    // fastText's predictLine (baseline)
  std::vector<std::pair<std::string, std::string>> docs;  // title, ~500-character body
  // The same texts with every word cut to its first character plus one the sample never uses,
  // so almost every word is out of vocabulary (character n-grams only): the slow end.
  std::vector<std::pair<std::string, std::string>> unseen_docs;
};

// "축구 경기" -> "축겷 경겷": first code point of each word + a syllable the sample lacks.
std::string unseen_words(const std::string& text) {
  std::string out;
  for (size_t p = 0; p < text.size();) {
    size_t e = text.find(' ', p);
    if (e == std::string::npos) e = text.size();
    size_t n = 1;
    while (p + n < e && (static_cast<unsigned char>(text[p + n]) & 0xC0) == 0x80) ++n;
    if (e > p) out += text.substr(p, n) + "겷 ";
    p = e + 1;
  }
  return out;
}

const StudentData& student_data() {
  static const StudentData data = [] {
    StudentData d;
    const std::string sample = fb::sample_documents_path();
    char tmpl[] = "/tmp/feedscout-kernels-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) std::exit(1);
    d.dir = tmpl;
    FastTextTrainOptions options;
    options.epoch = 5;
    options.learning_rate = 0.2;
    auto report = train_fasttext_topics(sample, taxonomy(), d.dir + "/student.bin", options);
    auto classifier = report.is_ok() ? load_fasttext_classifier(d.dir + "/student.bin", taxonomy())
                                     : Result<std::unique_ptr<TopicClassifier>>(report.status());
    auto docs = read_documents_file(sample, taxonomy());
    if (!classifier.is_ok() || !docs.is_ok()) {
      std::cerr << "error: student setup failed\n";
      std::exit(1);
    }
    d.classifier = std::move(classifier).value();
    FastTextLoadOptions library_only;
    library_only.library_inference = true;
    auto library = load_fasttext_classifier(d.dir + "/student.bin", taxonomy(), library_only);
    if (!library.is_ok()) std::exit(1);
    d.library_classifier = std::move(library).value();
    for (size_t i = 0; i < docs->size() && d.docs.size() < 512; ++i) {
      std::string body = (*docs)[i].body;
      // ~500 characters (code points): repeat or cut the sample body.
      while (!body.empty() && code_points(body) < 500) body += " " + (*docs)[i].body;
      d.docs.emplace_back((*docs)[i].title, first_code_points(body, 500));
      d.unseen_docs.emplace_back(unseen_words(d.docs.back().first),
                                 first_code_points(unseen_words(body), 500));
    }
    return d;
  }();
  return data;
}

void BM_StudentClassifyTitleAnd500Chars(benchmark::State& state) {
  const StudentData& d = student_data();
  size_t i = 0;
  for (auto _ : state) {
    const auto& [title, body] = d.docs[i++ % d.docs.size()];
    auto r = d.classifier->classify(title, body, 3, 0.15f);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StudentClassifyTitleAnd500Chars);

// Baseline in the same run: the same model and texts through fastText's predictLine.
void BM_StudentLibraryClassifyTitleAnd500Chars(benchmark::State& state) {
  const StudentData& d = student_data();
  size_t i = 0;
  for (auto _ : state) {
    const auto& [title, body] = d.docs[i++ % d.docs.size()];
    auto r = d.library_classifier->classify(title, body, 3, 0.15f);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StudentLibraryClassifyTitleAnd500Chars);

// The slow end: almost every word out of vocabulary (see unseen_words).
void BM_StudentClassifyUnseenWords(benchmark::State& state) {
  const StudentData& d = student_data();
  size_t i = 0;
  for (auto _ : state) {
    const auto& [title, body] = d.unseen_docs[i++ % d.unseen_docs.size()];
    auto r = d.classifier->classify(title, body, 3, 0.15f);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StudentClassifyUnseenWords);

void BM_StudentLibraryClassifyUnseenWords(benchmark::State& state) {
  const StudentData& d = student_data();
  size_t i = 0;
  for (auto _ : state) {
    const auto& [title, body] = d.unseen_docs[i++ % d.unseen_docs.size()];
    auto r = d.library_classifier->classify(title, body, 3, 0.15f);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StudentLibraryClassifyUnseenWords);

// The text preparation inside classify() alone (words joined by spaces).
void BM_ClassifierTextTitleAnd500Chars(benchmark::State& state) {
  const StudentData& d = student_data();
  size_t i = 0;
  for (auto _ : state) {
    const auto& [title, body] = d.docs[i++ % d.docs.size()];
    auto line = text::classifier_text(title, body, 4096);
    benchmark::DoNotOptimize(line);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ClassifierTextTitleAnd500Chars);

// ---- AnnIndex::search ------------------------------------------------------------------

struct AnnData {
  std::unique_ptr<AnnIndex> index;
  std::vector<std::vector<float>> queries;  // 256 * 64
};

// 100,000 random unit vectors (Gaussian directions) of d = 64 at the default settings; the
// build (single thread) takes a while at start-up and is not measured.
const AnnData& ann_data() {
  static const AnnData data = [] {
    constexpr size_t kDocs = 100000, kDim = 64;
    std::mt19937 rng(21);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    auto unit = [&] {
      std::vector<float> v(kDim);
      for (float& x : v) x = normal(rng);
      (void)l2_normalize(v);
      return v;
    };
    AnnData d;
    AnnIndexConfig cfg;
    cfg.dimension = kDim;
    cfg.initial_capacity = kDocs;
    auto created = AnnIndex::create(cfg);
    if (!created.is_ok()) {
      std::cerr << "error: " << created.status().to_string() << "\n";
      std::exit(1);
    }
    d.index = std::move(created).value();
    for (uint64_t key = 0; key < kDocs; ++key) {
      if (auto st = d.index->add(key, unit()); !st.is_ok()) {
        std::cerr << "error: " << st.to_string() << "\n";
        std::exit(1);
      }
    }
    for (int i = 0; i < 256; ++i) d.queries.push_back(unit());
    return d;
  }();
  return data;
}

void BM_AnnSearch(benchmark::State& state) {
  const AnnData& d = ann_data();
  const bool filtered = state.range(0) != 0;
  const AnnFilter half = [](uint64_t key) { return key % 2 == 0; };
  size_t i = 0;
  for (auto _ : state) {
    auto hits =
        d.index->search(d.queries[i++ % d.queries.size()], 10, filtered ? half : AnnFilter{});
    benchmark::DoNotOptimize(hits);
  }
  state.counters["docs"] = static_cast<double>(d.index->size());
  state.counters["ef_search"] = static_cast<double>(d.index->config().ef_search);
}
BENCHMARK(BM_AnnSearch)->Arg(0)->Arg(1)->ArgName("filter");

}  // namespace

BENCHMARK_MAIN();
