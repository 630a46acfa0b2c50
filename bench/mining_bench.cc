// Search-intent mining throughput (issue 5): log rows/s and peak memory of
// `feedscout mine-intents`' path, against baselines in the same run.
//
//   feedscout_mining_bench [--rows N] [--entities E] [--docs D] [--seed S] [--tmp DIR]
//                          [--keep] [--sogouq PATH] [--sogouq-repeat R]
//
// Writes a synthetic SogouQ-format log of N rows (default 2,000,000) under a fresh directory
// in --tmp, generated deterministically from --seed: D documents (default 400,000), each
// about one of E entities (default 100,000) named in Hangul, Han or Latin; a click's document
// is drawn with a skew (some documents collect thousands of queries), its query is the
// entity's name plus 0–3 words: words of the document or searchers' habits ("인스타",
// "줄거리", "下载", "图片" …). Then, one thread, each phase reading the file from the page
// cache:
//   (a) read       SearchLogReader only (split and validate rows)
//   (b) tokenise   (a) + normalize_query on every row (no cache)
//   (c) mine       (a) + IntentMiner::add_click (the mine-intents path), then finish() and
//                  writing the pairs as JSON Lines
// and prints rows/s per phase, the ratio (c)/(a), the miner's counts, its table estimate and
// the peak resident memory (getrusage ru_maxrss) before and after (c). With --sogouq (default:
// ../shared/datasets/sogouq/SogouQ.sample when present) the sample, concatenated R times
// (default 100), is mined the same way. Asserts no timing; exits 1 only on an I/O error.
#include <sys/resource.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "feedscout/intent/intent_miner.h"
#include "feedscout/intent/mining_run.h"
#include "feedscout/intent/search_log_readers.h"

namespace fb = feedscout::bench;
namespace fi = feedscout::intent;

namespace {

// splitmix64: a cheap deterministic generator (the log is large; std::mt19937_64 reseeded per
// row would dominate the generation time).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t operator()() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Syllables and characters the synthetic names and words are made of.
const std::vector<std::string>& hangul() {
  static const std::vector<std::string> v = {"가", "나", "다", "라", "마", "바", "사", "아",
                                             "자", "차", "카", "타", "파", "하", "에", "스",
                                             "이", "유", "리", "윈", "터", "로", "즈", "민"};
  return v;
}
const std::vector<std::string>& han() {
  static const std::vector<std::string> v = {"北", "京", "大", "学", "电", "影", "手", "机",
                                             "游", "戏", "新", "闻", "汽", "车", "音", "乐",
                                             "地", "震", "中", "国", "网", "站", "小", "说"};
  return v;
}
const std::vector<std::string>& habits() {
  static const std::vector<std::string> v = {"인스타", "줄거리", "등장인물", "가격", "후기",
                                             "下载",   "图片",   "在线观看", "免费", "官网"};
  return v;
}

enum class Script { kHangul, kHan, kLatin };

struct Entity {
  std::string name;
  Script script;
};

std::string make_word(Rng& rng, Script script, int len) {
  std::string w;
  for (int i = 0; i < len; ++i) {
    switch (script) {
      case Script::kHangul:
        w += hangul()[rng() % hangul().size()];
        break;
      case Script::kHan:
        w += han()[rng() % han().size()];
        break;
      case Script::kLatin:
        w += static_cast<char>('a' + rng() % 26);
        break;
    }
  }
  return w;
}

// Writes the synthetic log; returns false on an I/O error.
bool write_synthetic_log(const std::string& path, size_t rows, size_t n_entities, size_t n_docs,
                         uint64_t seed) {
  Rng rng(seed);
  std::vector<Entity> entities(n_entities);
  for (Entity& e : entities) {
    const uint64_t r = rng() % 10;
    e.script = r < 5 ? Script::kHangul : (r < 8 ? Script::kHan : Script::kLatin);
    e.name = make_word(rng, e.script, 2 + static_cast<int>(rng() % 3));
    if (e.script == Script::kLatin) {
      e.name += ' ';
      e.name += make_word(rng, Script::kLatin, 4);
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return false;
  std::string line;
  for (size_t i = 0; i < rows; ++i) {
    const double u = rng.unit();
    const size_t doc = static_cast<size_t>(static_cast<double>(n_docs) * u * u * u);  // skewed
    const Entity& e = entities[(doc * 2654435761u) % n_entities];
    std::string query = e.name;
    const uint64_t r = rng() % 20;
    const int extra = r < 10 ? 0 : (r < 15 ? 1 : (r < 18 ? 2 : 3));
    Rng doc_rng(doc * 0x9E3779B97F4A7C15ULL + seed);  // the document's words
    for (int k = 0; k < extra; ++k) {
      std::string word;
      if (rng() % 4 == 0) {
        word = habits()[rng() % habits().size()];
      } else {
        Rng w(doc_rng() + rng() % 3);
        word = make_word(w, e.script, 2);
      }
      if (e.script != Script::kHan) query += ' ';
      query += word;
    }
    line.clear();
    char head[64];
    std::snprintf(head, sizeof head, "%02zu:%02zu:%02zu\t%" PRIu64 "\t[", (i / 3600) % 24,
                  (i / 60) % 60, i % 60, rng() % 1000000);
    line += head;
    line += query;
    line += "]\t" + std::to_string(1 + rng() % 10) + " " + std::to_string(1 + rng() % 5) +
            "\twww.site" + std::to_string(doc % 997) + ".com/a/" + std::to_string(doc) + ".html\n";
    out << line;
  }
  out.flush();
  return static_cast<bool>(out);
}

struct Phase {
  double seconds = 0;
  uint64_t rows = 0;
  double rows_per_s() const { return seconds > 0 ? static_cast<double>(rows) / seconds : 0; }
};

void print_phase(const char* name, const Phase& p) {
  std::printf("  %-44s %10" PRIu64 " rows  %7.3f s  %12.0f rows/s\n", name, p.rows, p.seconds,
              p.rows_per_s());
}

// Opens `path` or exits.
std::unique_ptr<fi::SearchLogReader> open_or_exit(const std::string& path) {
  auto r = fi::SearchLogReader::open(path, fi::SearchLogFormat::kSogouQ);
  if (!r.is_ok()) {
    std::fprintf(stderr, "error: %s\n", r.status().to_string().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

int bench_log(const std::string& title, const std::string& path, const std::string& out_path) {
  std::printf("\n%s: %s\n", title.c_str(), path.c_str());
  Phase read, tokenize, mine, finish, write;
  {
    auto reader = open_or_exit(path);
    fi::SearchRow row;
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t bytes = 0;
    while (reader->next(row)) bytes += row.query.size() + row.docs[0].size();
    read.seconds = fb::seconds_since(t0);
    read.rows = reader->lines();
    if (bytes == 0) std::printf("  (empty log)\n");
  }
  {
    auto reader = open_or_exit(path);
    fi::SearchRow row;
    uint64_t tokens = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (reader->next(row)) {
      auto q = fi::normalize_query(row.query);
      if (q.is_ok()) tokens += q->tokens.size();
    }
    tokenize.seconds = fb::seconds_since(t0);
    tokenize.rows = reader->lines();
    if (tokens == 0) std::printf("  (no tokens)\n");
  }
  const long rss_before = peak_rss_kib();
  fi::IntentMiner miner;
  {
    auto reader = open_or_exit(path);
    const auto t0 = std::chrono::steady_clock::now();
    auto counts = fi::feed_search_log(*reader, miner);
    mine.seconds = fb::seconds_since(t0);
    mine.rows = reader->lines();
    if (!counts.is_ok()) {
      std::fprintf(stderr, "error: %s\n", counts.status().to_string().c_str());
      return 1;
    }
    const auto t1 = std::chrono::steady_clock::now();
    miner.finish();
    finish.seconds = fb::seconds_since(t1);
    finish.rows = mine.rows;
    const auto t2 = std::chrono::steady_clock::now();
    auto written = fi::write_mined_pairs(miner, out_path, false, 10);
    write.seconds = fb::seconds_since(t2);
    write.rows = mine.rows;
    if (!written.is_ok()) {
      std::fprintf(stderr, "error: %s\n", written.status().to_string().c_str());
      return 1;
    }
  }
  Phase total{mine.seconds + finish.seconds + write.seconds, mine.rows};
  print_phase("(a) read rows (baseline)", read);
  print_phase("(b) read + normalise/tokenise every row", tokenize);
  print_phase("(c) mine: read + add_click", mine);
  print_phase("    finish(): Q* and bias counts", finish);
  print_phase("    write the pairs as JSON Lines", write);
  print_phase("    mine total: (c) + finish + write", total);
  std::printf("  ratio mine total / read baseline: %.2f (throughput %.0f%% of reading alone)\n",
              read.seconds > 0 ? total.seconds / read.seconds : 0.0,
              total.seconds > 0 ? 100.0 * read.seconds / total.seconds : 0.0);
  const fi::MiningSummary s = miner.summary();
  std::printf("  clicks %" PRIu64 ", queries %" PRIu64 " (%" PRIu64 " spellings), tokens %" PRIu64
              ", documents %" PRIu64 ", pairs %" PRIu64 ", Q* != Q %" PRIu64 ", relations %" PRIu64
              "\n",
              s.clicks, s.queries, s.raw_queries, s.tokens, s.documents, s.pairs, s.refined_pairs,
              s.relations);
  std::printf(
      "  miner tables (estimate) %.1f MiB; peak RSS before mining %.1f MiB, after %.1f MiB\n",
      static_cast<double>(s.memory_bytes) / (1 << 20), static_cast<double>(rss_before) / 1024,
      static_cast<double>(peak_rss_kib()) / 1024);
  const auto top = miner.top_added_phrases(5);
  std::printf("  top added text:");
  for (const auto& t : top) std::printf(" %s (%" PRIu64 ")", t.token.c_str(), t.pairs);
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  fb::Flags flags(argc, argv,
                  "feedscout_mining_bench [--rows N] [--entities E] [--docs D] [--seed S] "
                  "[--tmp DIR] [--keep] [--sogouq PATH] [--sogouq-repeat R]");
  flags.check({"rows", "entities", "docs", "seed", "tmp", "keep!", "sogouq", "sogouq-repeat"});
  const size_t rows = flags.get_size("rows", 2000000);
  const size_t entities = flags.get_size("entities", 100000);
  const size_t docs = flags.get_size("docs", 400000);
  const uint64_t seed = flags.get_size("seed", 42);
  const std::string default_sogouq =
      std::string(FEEDSCOUT_SOURCE_DIR) + "/../shared/datasets/sogouq/SogouQ.sample";
  const std::string sogouq = flags.get_string("sogouq", default_sogouq);
  const size_t repeat = flags.get_size("sogouq-repeat", 100);
  fb::ScratchDir dir(flags.get_string("tmp", "/tmp"), "feedscout-mining-bench");
  if (flags.has("keep")) dir.keep();
  std::printf("load average at start: %s\n", fb::load_average().c_str());

  const std::string log = dir.path() + "/synthetic.sogouq";
  const auto t0 = std::chrono::steady_clock::now();
  if (!write_synthetic_log(log, rows, entities == 0 ? 1 : entities, docs == 0 ? 1 : docs, seed)) {
    std::fprintf(stderr, "error: cannot write %s\n", log.c_str());
    return 1;
  }
  std::printf("generated %zu rows (%.1f MiB) in %.2f s: %zu entities, %zu documents, seed %" PRIu64
              "\n",
              rows, static_cast<double>(std::filesystem::file_size(log)) / (1 << 20),
              fb::seconds_since(t0), entities, docs, seed);
  if (bench_log("synthetic log", log, dir.path() + "/synthetic.pairs.jsonl") != 0) return 1;

  std::error_code ec;
  if (!sogouq.empty() && std::filesystem::is_regular_file(sogouq, ec)) {
    const std::string repeated = dir.path() + "/sogouq.repeated";
    {
      std::ifstream in(sogouq, std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!text.empty() && text.back() != '\n') text += '\n';
      std::ofstream out(repeated, std::ios::binary | std::ios::trunc);
      for (size_t i = 0; i < repeat; ++i) out << text;
    }
    if (bench_log("SogouQ.sample x " + std::to_string(repeat), repeated,
                  dir.path() + "/sogouq.pairs.jsonl") != 0) {
      return 1;
    }
  } else {
    std::printf("\n(SogouQ sample not found at %s: skipped)\n", sogouq.c_str());
  }
  std::printf("\nload average at end: %s\n", fb::load_average().c_str());
  return 0;
}
