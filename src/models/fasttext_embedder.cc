#include "feedscout/models/fasttext_embedder.h"

#include <fasttext/fasttext.h>
#include <fasttext/vector.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "feedscout/text/tokenize.h"

namespace feedscout {
namespace {

class FastTextEmbedder final : public Embedder {
 public:
  FastTextEmbedder(std::unique_ptr<fasttext::FastText> model, std::string path,
                   size_t max_text_bytes)
      : model_(std::move(model)),
        path_(std::move(path)),
        dim_(static_cast<size_t>(model_->getDimension())),
        max_text_bytes_(max_text_bytes) {}

  Result<std::vector<float>> embed(std::string_view title, std::string_view body) const override {
    const std::string line = text::classifier_text(title, body, max_text_bytes_);
    std::vector<double> sum(dim_, 0.0);
    fasttext::Vector vec(static_cast<int64_t>(dim_));
    size_t used = 0;
    size_t pos = 0;
    while (pos < line.size()) {
      size_t end = line.find(' ', pos);
      if (end == std::string::npos) end = line.size();
      if (end > pos) {
        model_->getWordVector(vec, line.substr(pos, end - pos));  // const: thread-safe
        const double norm = vec.norm();
        if (norm > 0 && std::isfinite(norm)) {
          for (size_t i = 0; i < dim_; ++i) sum[i] += vec[static_cast<int64_t>(i)] / norm;
          ++used;
        }
      }
      pos = end + 1;
    }
    if (line.empty()) return Status::invalid_argument("no words to embed");
    double sq = 0;
    for (double x : sum) sq += x * x;
    // Words whose n-grams all have zero vectors (never trained) leave nothing to average.
    if (used == 0 || !(sq > 0)) {
      return Status::invalid_argument("no words to embed: none has a vector in " + path_);
    }
    const double inv = 1.0 / std::sqrt(sq);
    std::vector<float> out(dim_);
    for (size_t i = 0; i < dim_; ++i) out[i] = static_cast<float>(sum[i] * inv);
    return out;
  }

  size_t dimension() const override { return dim_; }
  std::string describe() const override { return "fasttext-embed:" + path_; }

 private:
  std::unique_ptr<fasttext::FastText> model_;
  std::string path_;
  size_t dim_;
  size_t max_text_bytes_;
};

}  // namespace

Result<EmbedderTrainReport> train_fasttext_embedder(const std::string& documents_jsonl,
                                                    const Taxonomy& taxonomy,
                                                    const std::string& model_path,
                                                    const FastTextEmbedderTrainOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (options.dim < 1 || options.epoch < 1 || options.learning_rate <= 0 || options.window < 1 ||
      options.negatives < 1 || options.min_count < 1 || options.min_char_ngram < 0 ||
      options.max_char_ngram < options.min_char_ngram || options.bucket < 0 ||
      options.threads < 1) {
    return Status::invalid_argument(
        "embedder training options: dim, epoch, window, negatives, min_count, threads must be "
        ">= 1, learning_rate > 0, 0 <= min_char_ngram <= max_char_ngram, bucket >= 0");
  }
  std::ifstream in(documents_jsonl, std::ios::binary);
  if (!in) return Status::not_found("document file '" + documents_jsonl + "' cannot be opened");

  EmbedderTrainReport report;
  const std::string train_path = model_path + ".train.txt";
  {
    std::ofstream out(train_path, std::ios::binary | std::ios::trunc);
    if (!out) return Status::io_error("cannot write '" + train_path + "'");
    const ParseLimits limits = any_time_limits();  // the pool may be old
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      auto batch = parse_documents(line, limits, taxonomy, 0, line_no);
      for (auto& e : batch.errors) report.errors.push_back(std::move(e));
      for (const auto& [pos, doc] : batch.items) {
        const std::string words =
            text::classifier_text(doc.title, doc.body, options.max_text_bytes);
        if (words.empty()) {
          ++report.skipped;
          continue;
        }
        out << words << '\n';
        ++report.documents;
      }
    }
    if (!out) return Status::io_error("cannot write '" + train_path + "'");
  }
  if (report.documents == 0) {
    std::filesystem::remove(train_path);
    return Status::invalid_argument("document file '" + documents_jsonl +
                                    "' has no document with words");
  }

  fasttext::Args args;
  args.input = train_path;
  args.output = model_path;
  args.model = fasttext::model_name::sg;
  args.loss = fasttext::loss_name::ns;
  args.dim = options.dim;
  args.epoch = options.epoch;
  args.lr = options.learning_rate;
  args.ws = options.window;
  args.neg = options.negatives;
  args.minCount = options.min_count;
  args.minn = options.min_char_ngram;
  args.maxn = options.max_char_ngram;
  args.bucket = options.bucket;
  args.thread = options.threads;
  args.seed = options.seed;
  args.verbose = 0;
  fasttext::FastText ft;
  try {
    ft.train(args);
    ft.saveModel(model_path);
  } catch (const std::exception& e) {
    std::filesystem::remove(train_path);
    return Status::internal(std::string("fastText embedding training failed: ") + e.what());
  }
  std::filesystem::remove(train_path);
  report.words = static_cast<size_t>(ft.getDictionary()->nwords());
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

Result<std::unique_ptr<Embedder>> load_fasttext_embedder(const std::string& model_path,
                                                         size_t max_text_bytes) {
  if (!std::filesystem::exists(model_path)) {
    return Status::not_found("embedding model '" + model_path + "' does not exist");
  }
  auto model = std::make_unique<fasttext::FastText>();
  try {
    model->loadModel(model_path);
  } catch (const std::exception& e) {
    return Status::corruption("embedding model '" + model_path + "' cannot be loaded: " + e.what());
  }
  if (model->getArgs().model == fasttext::model_name::sup) {
    return Status::invalid_argument("embedding model '" + model_path +
                                    "' is a supervised (classifier) model, not word vectors");
  }
  if (model->getDimension() < 1) {
    return Status::corruption("embedding model '" + model_path + "' has no dimension");
  }
  return std::unique_ptr<Embedder>(
      std::make_unique<FastTextEmbedder>(std::move(model), model_path, max_text_bytes));
}

}  // namespace feedscout
