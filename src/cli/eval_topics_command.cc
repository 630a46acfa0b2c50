// `feedscout eval-topics`: the topic-classification evaluation (issue 4) — train the fastText
// student on a training set, classify an evaluation set, and score it per taxonomy level
// (eval/topic_metrics.h) next to the majority baseline (always the most frequent training
// label; its top-3 are the three most frequent). Writes report.md and model.bin under --out.
//
// Formats:
//   ynat   CSV "id,title,topic" with that header, no quoting: id is the first field, topic the
//          last, the title everything between (it may contain commas). The taxonomy is one
//          level, one node per label found in --train (id = name = the label); evaluation
//          rows whose label is not among them are skipped and counted.
//   mind   --data news.tsv (the MIND layout of eval/datasets.h; load_mind reads the folder,
//          so behaviors.tsv must sit beside it). Taxonomy and topics as load_mind builds them:
//          "cat:<category>" > "sub:<category>/<subcategory>". Split: a news item is in the
//          evaluation set when fnv1a64(news id) % 100 < --holdout-percent (default 20).
//   jsonl  labelled documents (docs/FORMATS.md), as train-topics reads them, with --taxonomy.
//          The gold label of a document is its first topic; training uses all its topics.
// With --holdout-percent P > 0 for ynat or jsonl, --eval is not read: the rows of --train with
// fnv1a64(id) % 100 < P are the evaluation set (for tuning on a split carved from training).
// Malformed rows are skipped, counted per reason with the first file:line, and the run goes
// on; a missing file fails naming its path.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_set>

#include "cli_common.h"
#include "feedscout/common/hash.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/topic_metrics.h"
#include "feedscout/ingest/parse.h"
#include "feedscout/models/fasttext_classifier.h"

namespace feedscout::cli {
namespace {

constexpr TimeMs kYnatCreatedMs = 1577836800000;  // 2020-01-01: YNAT rows carry no time

struct EvalTopicsArgs {
  std::string format = "jsonl";
  std::string train, eval, data, taxonomy = "data/taxonomy/iab-content-3.1-ko.tsv";
  std::string out = "var/eval-topics";
  int holdout_percent = -1;  // -1 = format default (mind 20, others 0)
  FastTextTrainOptions ft;
};

class SkipLog {
 public:
  void add(const std::string& reason, const std::string& where, size_t count = 1) {
    for (SkippedCount& s : items_) {
      if (s.reason == reason) {
        s.count += count;
        return;
      }
    }
    items_.push_back({reason, count, where});
  }
  const std::vector<SkippedCount>& items() const { return items_; }

 private:
  std::vector<SkippedCount> items_;  // in order of first occurrence
};

struct LabelledSet {
  Taxonomy taxonomy;
  std::vector<Document> train, eval;  // every document has >= 1 topic
};

bool in_holdout(const std::string& id, int percent) {
  return percent > 0 && static_cast<int>(fnv1a64(id) % 100) < percent;
}

Status require_file(const std::string& path, const char* what) {
  if (path.empty()) return Status::invalid_argument(std::string(what) + " is required");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::not_found(std::string(what) + " file '" + path + "' does not exist");
  }
  return Status::ok();
}

struct YnatRow {
  std::string id, title, label;
  std::string where;  // "path:line"
};

// Rows of a YNAT CSV; malformed ones go to `skips`.
Result<std::vector<YnatRow>> read_ynat(const std::string& path, SkipLog& skips) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("file '" + path + "' cannot be opened");
  std::vector<YnatRow> rows;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1) {
      if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
      if (line != "id,title,topic") {
        return Status::invalid_argument(path + ":1: expected the header 'id,title,topic'");
      }
      continue;
    }
    const std::string where = path + ":" + std::to_string(line_no);
    if (line.find_first_not_of(" \t") == std::string::npos) {
      skips.add("blank line", where);
      continue;
    }
    const size_t first = line.find(',');
    const size_t last = line.rfind(',');
    if (first == std::string::npos || first == last) {
      skips.add("fewer than 3 columns", where);
      continue;
    }
    YnatRow row{line.substr(0, first), line.substr(first + 1, last - first - 1),
                line.substr(last + 1), where};
    if (row.id.empty()) {
      skips.add("empty id", where);
    } else if (row.title.find_first_not_of(' ') == std::string::npos) {
      skips.add("empty title", where);
    } else if (row.label.empty()) {
      skips.add("empty topic", where);
    } else if (row.label.find_first_of(" \t>") != std::string::npos) {
      skips.add("topic contains whitespace or '>'", where);
    } else {
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

Document ynat_document(const YnatRow& row, TopicId topic) {
  Document d;
  d.id = "ynat-" + row.id;
  d.title = row.title;
  d.source = "ynat";
  d.created_ms = kYnatCreatedMs;
  DocTopic t;
  t.topic = topic;
  d.topics.push_back(t);
  return d;
}

Result<LabelledSet> load_ynat(const EvalTopicsArgs& args, int holdout, SkipLog& skips) {
  FEEDSCOUT_RETURN_IF_ERROR(require_file(args.train, "--train"));
  if (holdout == 0) FEEDSCOUT_RETURN_IF_ERROR(require_file(args.eval, "--eval"));
  auto train_rows = read_ynat(args.train, skips);
  if (!train_rows.is_ok()) return train_rows.status();
  std::vector<YnatRow> eval_rows;
  if (holdout == 0) {
    auto rows = read_ynat(args.eval, skips);
    if (!rows.is_ok()) return rows.status();
    eval_rows = std::move(rows).value();
  } else {
    std::vector<YnatRow> kept;
    for (YnatRow& r : *train_rows) (in_holdout(r.id, holdout) ? eval_rows : kept).push_back(r);
    *train_rows = std::move(kept);
  }
  std::map<std::string, int> labels;  // sorted: the taxonomy's node order
  for (const YnatRow& r : *train_rows) labels[r.label] = 0;
  if (labels.empty()) {
    return Status::invalid_argument("'" + args.train + "' has no usable row");
  }
  std::string tsv = "id\tparent\tname\tname_en\n";
  for (const auto& [label, unused] : labels) tsv += label + "\t\t" + label + "\t" + label + "\n";
  LabelledSet set;
  auto tax = Taxonomy::parse(tsv, "labels of " + args.train);
  if (!tax.is_ok()) return tax.status();
  set.taxonomy = std::move(tax).value();
  for (const YnatRow& r : *train_rows) {
    set.train.push_back(ynat_document(r, *set.taxonomy.find_by_external_id(r.label)));
  }
  for (const YnatRow& r : eval_rows) {
    auto topic = set.taxonomy.find_by_external_id(r.label);
    if (!topic) {
      skips.add("evaluation topic not among the training labels", r.where);
      continue;
    }
    set.eval.push_back(ynat_document(r, *topic));
  }
  return set;
}

Result<LabelledSet> load_mind_news(const EvalTopicsArgs& args, int holdout, SkipLog& skips) {
  FEEDSCOUT_RETURN_IF_ERROR(require_file(args.data, "--data"));
  const std::filesystem::path news(args.data);
  if (news.filename() != "news.tsv") {
    return Status::invalid_argument("--data must name a MIND news.tsv, got '" + args.data + "'");
  }
  auto ds = load_mind(news.parent_path().empty() ? "." : news.parent_path().string());
  if (!ds.is_ok()) return ds.status();
  for (const SkippedCount& s : ds->skipped) {
    // Only news rows matter here; behaviors rows are not read for topics.
    if (s.first_example.rfind("news.tsv", 0) != 0) continue;
    skips.add(s.reason, s.first_example, s.count);
  }
  LabelledSet set;
  set.taxonomy = std::move(ds->taxonomy);
  for (Document& d : ds->documents) {
    if (d.topics.empty()) continue;  // counted by load_mind ("empty category")
    (in_holdout(d.id, holdout) ? set.eval : set.train).push_back(std::move(d));
  }
  return set;
}

Status read_jsonl(const std::string& path, const Taxonomy& taxonomy, SkipLog& skips,
                  std::vector<Document>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("file '" + path + "' cannot be opened");
  const ParseLimits limits = any_time_limits();
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto batch = parse_documents(line, limits, taxonomy, 0, line_no);
    for (const ItemError& e : batch.errors) {
      skips.add(e.field.empty() ? e.message : "field '" + e.field + "': " + e.message,
                path + ":" + std::to_string(line_no));
    }
    for (auto& [pos, doc] : batch.items) {
      if (doc.topics.empty()) {
        skips.add("document without topics", path + ":" + std::to_string(line_no));
        continue;
      }
      out.push_back(std::move(doc));
    }
  }
  return Status::ok();
}

Result<LabelledSet> load_jsonl(const EvalTopicsArgs& args, int holdout, SkipLog& skips) {
  FEEDSCOUT_RETURN_IF_ERROR(require_file(args.taxonomy, "--taxonomy"));
  FEEDSCOUT_RETURN_IF_ERROR(require_file(args.train, "--train"));
  if (holdout == 0) FEEDSCOUT_RETURN_IF_ERROR(require_file(args.eval, "--eval"));
  LabelledSet set;
  auto tax = Taxonomy::load_file(args.taxonomy);
  if (!tax.is_ok()) return tax.status();
  set.taxonomy = std::move(tax).value();
  FEEDSCOUT_RETURN_IF_ERROR(read_jsonl(args.train, set.taxonomy, skips, set.train));
  if (holdout == 0) {
    FEEDSCOUT_RETURN_IF_ERROR(read_jsonl(args.eval, set.taxonomy, skips, set.eval));
  } else {
    std::vector<Document> kept;
    for (Document& d : set.train) (in_holdout(d.id, holdout) ? set.eval : kept).push_back(d);
    set.train = std::move(kept);
  }
  return set;
}

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(4);
  s << std::fixed << v;
  return s.str();
}

int run_eval_topics(const EvalTopicsArgs& args) {
  const int holdout =
      args.holdout_percent >= 0 ? args.holdout_percent : (args.format == "mind" ? 20 : 0);
  if (args.format == "mind" && holdout <= 0) {
    return fail(Status::invalid_argument("mind needs --holdout-percent > 0 (its split)"));
  }
  SkipLog skips;
  Result<LabelledSet> loaded = Status::invalid_argument("unknown format '" + args.format + "'");
  if (args.format == "ynat") {
    loaded = load_ynat(args, holdout, skips);
  } else if (args.format == "mind") {
    loaded = load_mind_news(args, holdout, skips);
  } else if (args.format == "jsonl") {
    loaded = load_jsonl(args, holdout, skips);
  }
  if (!loaded.is_ok()) return fail(loaded.status());
  LabelledSet& set = *loaded;
  if (set.train.empty()) return fail(Status::invalid_argument("the training set is empty"));
  if (set.eval.empty()) return fail(Status::invalid_argument("the evaluation set is empty"));

  std::error_code ec;
  std::filesystem::create_directories(args.out, ec);
  if (ec) return fail(Status::io_error("cannot create '" + args.out + "': " + ec.message()));
  const std::string train_jsonl = args.out + "/train.jsonl.tmp";
  const std::string model_path = args.out + "/model.bin";
  std::vector<TopicId> train_gold;
  std::unordered_set<TopicId> train_labels;
  {
    std::ofstream out(train_jsonl, std::ios::binary | std::ios::trunc);
    if (!out) return fail(Status::io_error("cannot write '" + train_jsonl + "'"));
    for (const Document& d : set.train) {
      out << document_to_json(d, set.taxonomy) << '\n';
      train_gold.push_back(d.topics.front().topic);
      for (const DocTopic& t : d.topics) train_labels.insert(t.topic);
    }
    if (!out) return fail(Status::io_error("cannot write '" + train_jsonl + "'"));
  }
  std::cerr << "training on " << set.train.size() << " documents ...\n";
  auto trained = train_fasttext_topics(train_jsonl, set.taxonomy, model_path, args.ft);
  std::filesystem::remove(train_jsonl, ec);
  if (!trained.is_ok()) return fail(trained.status());
  auto classifier = load_fasttext_classifier(model_path, set.taxonomy);
  if (!classifier.is_ok()) return fail(classifier.status());

  const std::vector<TopicId> majority = majority_ranking(train_gold);
  std::vector<TopicExample> student, baseline;
  for (const Document& d : set.eval) {
    auto preds = (*classifier)->classify(d.title, d.body, 10, 0.0f);
    if (!preds.is_ok()) return fail(preds.status());
    TopicExample ex;
    ex.gold = d.topics.front().topic;
    for (const TopicPrediction& p : *preds) ex.ranked.push_back(p.topic);
    student.push_back(std::move(ex));
    baseline.push_back({d.topics.front().topic, majority});
  }
  const auto student_m = evaluate_topics(set.taxonomy, student, train_labels);
  const auto baseline_m = evaluate_topics(set.taxonomy, baseline, train_labels);

  std::ostringstream cmd;
  cmd << "feedscout eval-topics --format " << args.format;
  if (args.format == "mind") {
    cmd << " --data " << args.data;
  } else {
    cmd << " --train " << args.train;
    if (holdout == 0) cmd << " --eval " << args.eval;
  }
  if (args.format == "jsonl") cmd << " --taxonomy " << args.taxonomy;
  if (holdout > 0) cmd << " --holdout-percent " << holdout;
  const FastTextTrainOptions& ft = args.ft;
  cmd << " --epochs " << ft.epoch << " --lr " << ft.learning_rate << " --dim " << ft.dim
      << " --word-ngrams " << ft.word_ngrams << " --minn " << ft.min_char_ngram << " --maxn "
      << ft.max_char_ngram << " --bucket " << ft.bucket << " --loss " << ft.loss << " --seed "
      << ft.seed << " --threads " << ft.threads << " --out " << args.out;

  std::ostringstream md;
  md << "# Topic classification: " << args.format << "\n\n";
  md << "Command: `" << cmd.str() << "`\n\n";
  md << "- training documents: " << set.train.size()
     << ", evaluation documents: " << set.eval.size() << ", taxonomy nodes: " << set.taxonomy.size()
     << "\n";
  md << "- split: "
     << (holdout > 0 ? "evaluation = documents with fnv1a64(id) % 100 < " +
                           std::to_string(holdout) + " of the training data"
                     : std::string("separate --eval file"))
     << "\n";
  md << "- fastText: epochs " << ft.epoch << ", lr " << ft.learning_rate << ", dim " << ft.dim
     << ", word n-grams " << ft.word_ngrams << ", char n-grams " << ft.min_char_ngram << "–"
     << ft.max_char_ngram << ", loss " << ft.loss << ", bucket " << ft.bucket << ", seed "
     << ft.seed << "; trained on " << trained->examples << " documents, " << trained->labels
     << " labels in " << fmt(trained->seconds) << " s\n";
  md << "- majority baseline: always '"
     << (majority.empty() ? std::string("-") : set.taxonomy.node(majority.front()).path)
     << "' (the most frequent training label); its top-3 are the 3 most frequent\n\n";
  md << topic_metrics_table_header();
  md << topic_metrics_table_rows("fastText", student_m);
  md << topic_metrics_table_rows("majority baseline", baseline_m);
  md << "\nSkipped rows (reason, count, first occurrence):";
  if (skips.items().empty()) md << " none";
  md << "\n";
  for (const SkippedCount& s : skips.items()) {
    md << "- " << s.reason << ": " << s.count << " (first " << s.first_example << ")\n";
  }
  const std::string report_path = args.out + "/report.md";
  {
    std::ofstream out(report_path, std::ios::binary | std::ios::trunc);
    out << md.str();
    if (!out) return fail(Status::io_error("cannot write '" + report_path + "'"));
  }
  std::cout << md.str();
  std::cerr << "wrote " << report_path << " and " << model_path << "\n";
  return 0;
}

}  // namespace

void register_eval_topics_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "eval-topics",
      "Topic classification evaluation: train the fastText student, score it per taxonomy "
      "level against the majority baseline; writes report.md");
  auto args = std::make_shared<EvalTopicsArgs>();
  cmd->add_option("--format", args->format, "ynat (CSV id,title,topic), mind, or jsonl")
      ->check(CLI::IsMember({"ynat", "mind", "jsonl"}));
  cmd->add_option("--train", args->train, "training file (ynat, jsonl)");
  cmd->add_option("--eval", args->eval, "evaluation file (ynat, jsonl)");
  cmd->add_option("--data", args->data, "mind: path to news.tsv (behaviors.tsv beside it)");
  cmd->add_option("--taxonomy", args->taxonomy, "jsonl: taxonomy TSV of the labels");
  cmd->add_option("--out", args->out, "output folder (report.md, model.bin)");
  cmd->add_option("--holdout-percent", args->holdout_percent,
                  "evaluate on the training rows with fnv1a64(id) % 100 < P (mind default 20; "
                  "ynat/jsonl: replaces --eval)")
      ->check(CLI::Range(0, 99));
  cmd->add_option("--epochs", args->ft.epoch, "training epochs")->check(CLI::Range(1, 1000));
  cmd->add_option("--lr", args->ft.learning_rate, "learning rate");
  cmd->add_option("--dim", args->ft.dim, "vector dimension");
  cmd->add_option("--word-ngrams", args->ft.word_ngrams, "word n-gram length");
  cmd->add_option("--minn", args->ft.min_char_ngram, "shortest char n-gram (0 = none)");
  cmd->add_option("--maxn", args->ft.max_char_ngram, "longest char n-gram (0 = none)");
  cmd->add_option("--bucket", args->ft.bucket, "hash buckets for n-grams");
  cmd->add_option("--loss", args->ft.loss, "ova or softmax")
      ->check(CLI::IsMember({"ova", "softmax"}));
  cmd->add_option("--seed", args->ft.seed, "random seed");
  cmd->add_option("--threads", args->ft.threads, "training threads (1 = deterministic)");
  cmd->callback([&exit_code, args] {
    setup_logging(false);
    exit_code = run_eval_topics(*args);
  });
}

}  // namespace feedscout::cli
