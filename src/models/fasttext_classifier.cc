#include "feedscout/models/fasttext_classifier.h"

#include <fasttext/fasttext.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "fasttext_inference.h"
#include "feedscout/text/tokenize.h"

namespace feedscout {
namespace {

constexpr const char* kLabelPrefix = "__label__";

class FastTextClassifier final : public TopicClassifier {
 public:
  // `fast` may be null (the library predicts). `label_topics` maps fastText label indices
  // to taxonomy topics (kNoTopic: not in the taxonomy).
  FastTextClassifier(std::unique_ptr<fasttext::FastText> model,
                     std::unique_ptr<FastTextInference> fast, std::vector<TopicId> label_topics,
                     const Taxonomy& taxonomy, std::string path, size_t max_text_bytes)
      : model_(std::move(model)),
        fast_(std::move(fast)),
        label_topics_(std::move(label_topics)),
        taxonomy_(taxonomy),
        path_(std::move(path)),
        max_text_bytes_(max_text_bytes) {}

  Result<std::vector<TopicPrediction>> classify(std::string_view title, std::string_view body,
                                                int k, float min_score) const override {
    std::vector<TopicPrediction> out;
    if (k <= 0) return out;
    const std::string line = text::classifier_text(title, body, max_text_bytes_);
    if (line.empty()) return out;
    // Ask for a few extra in case some labels are not in the taxonomy.
    if (fast_) {
      thread_local std::vector<std::pair<float, int32_t>> preds;
      fast_->predict(line, k + 3, 0.0f, &preds);
      for (const auto& [prob, label] : preds) {
        if (static_cast<int>(out.size()) >= k) break;
        const TopicId topic = label_topics_[static_cast<size_t>(label)];
        if (topic == kNoTopic) continue;  // never return a label outside the taxonomy
        const float score = std::clamp(prob, 0.0f, 1.0f);
        if (score < min_score) break;
        out.push_back({topic, score});
      }
      return out;
    }
    std::istringstream in(line + "\n");
    std::vector<std::pair<fasttext::real, std::string>> preds;
    try {
      model_->predictLine(in, preds, k + 3, 0.0f);
    } catch (const std::exception& e) {
      return Status::internal(std::string("fastText prediction failed: ") + e.what());
    }
    for (const auto& [prob, label] : preds) {
      if (static_cast<int>(out.size()) >= k) break;
      std::string_view id(label);
      if (id.rfind(kLabelPrefix, 0) == 0)
        id.remove_prefix(std::char_traits<char>::length(kLabelPrefix));
      auto topic = taxonomy_.find_by_external_id(id);
      if (!topic) continue;  // never return a label outside the taxonomy
      // fastText returns probabilities (ova: sigmoid; softmax: softmax), already 0..1.
      const float score = std::clamp(static_cast<float>(prob), 0.0f, 1.0f);
      if (score < min_score) break;
      out.push_back({*topic, score});
    }
    return out;
  }

  std::string describe() const override { return "fasttext:" + path_; }

 private:
  std::unique_ptr<fasttext::FastText> model_;
  std::unique_ptr<FastTextInference> fast_;
  std::vector<TopicId> label_topics_;
  const Taxonomy& taxonomy_;
  std::string path_;
  size_t max_text_bytes_;
};

}  // namespace

Result<TrainReport> train_fasttext_topics(const std::string& labelled_jsonl,
                                          const Taxonomy& taxonomy, const std::string& model_path,
                                          const FastTextTrainOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  std::ifstream in(labelled_jsonl, std::ios::binary);
  if (!in) return Status::not_found("training file '" + labelled_jsonl + "' cannot be opened");
  if (options.loss != "ova" && options.loss != "softmax") {
    return Status::invalid_argument("loss must be 'ova' or 'softmax', got '" + options.loss + "'");
  }

  TrainReport report;
  const std::string train_path = model_path + ".train.txt";
  {
    std::ofstream out(train_path, std::ios::binary | std::ios::trunc);
    if (!out) return Status::io_error("cannot write '" + train_path + "'");
    std::unordered_set<TopicId> labels;
    const ParseLimits limits = any_time_limits();  // training data may be old
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      auto batch = parse_documents(line, limits, taxonomy, 0, line_no);
      for (auto& e : batch.errors) report.errors.push_back(std::move(e));
      for (const auto& [pos, doc] : batch.items) {
        if (doc.topics.empty()) {
          ++report.skipped;
          continue;
        }
        std::string textline;
        for (const auto& t : doc.topics) {
          const std::string& id = taxonomy.node(t.topic).external_id;
          if (id.find_first_of(" \t\r\n") != std::string::npos) {
            return Status::invalid_argument("topic id '" + id +
                                            "' contains whitespace; fastText labels cannot");
          }
          textline += kLabelPrefix + id + " ";
          labels.insert(t.topic);
        }
        textline += text::classifier_text(doc.title, doc.body, options.max_text_bytes);
        out << textline << '\n';
        ++report.examples;
      }
    }
    report.labels = labels.size();
    if (!out) return Status::io_error("cannot write '" + train_path + "'");
  }
  if (report.examples == 0) {
    std::filesystem::remove(train_path);
    return Status::invalid_argument("training file '" + labelled_jsonl +
                                    "' has no document with topics");
  }

  fasttext::Args args;
  args.input = train_path;
  args.output = model_path;
  args.model = fasttext::model_name::sup;
  args.loss = options.loss == "ova" ? fasttext::loss_name::ova : fasttext::loss_name::softmax;
  args.epoch = options.epoch;
  args.lr = options.learning_rate;
  args.dim = options.dim;
  args.wordNgrams = options.word_ngrams;
  args.minn = options.min_char_ngram;
  args.maxn = options.max_char_ngram;
  args.bucket = options.bucket;
  args.thread = options.threads;
  args.seed = options.seed;
  args.minCount = 1;
  args.verbose = 0;
  fasttext::FastText ft;
  try {
    ft.train(args);
    ft.saveModel(model_path);
  } catch (const std::exception& e) {
    std::filesystem::remove(train_path);
    return Status::internal(std::string("fastText training failed: ") + e.what());
  }
  std::filesystem::remove(train_path);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

Result<std::unique_ptr<TopicClassifier>> load_fasttext_classifier(
    const std::string& model_path, const Taxonomy& taxonomy, const FastTextLoadOptions& options) {
  if (!std::filesystem::exists(model_path)) {
    return Status::not_found("topic model '" + model_path +
                             "' does not exist (train one with `feedscout train-topics`)");
  }
  auto model = std::make_unique<fasttext::FastText>();
  try {
    model->loadModel(model_path);
  } catch (const std::exception& e) {
    return Status::corruption("topic model '" + model_path + "' cannot be loaded: " + e.what());
  }
  if (model->getArgs().model != fasttext::model_name::sup) {
    return Status::invalid_argument("topic model '" + model_path +
                                    "' is not a supervised fastText model");
  }
  auto dict = model->getDictionary();
  int32_t known = 0;
  std::vector<TopicId> label_topics;
  for (int32_t i = 0; i < dict->nlabels(); ++i) {
    std::string label = dict->getLabel(i);
    if (label.rfind(kLabelPrefix, 0) == 0)
      label.erase(0, std::char_traits<char>::length(kLabelPrefix));
    const auto topic = taxonomy.find_by_external_id(label);
    label_topics.push_back(topic ? *topic : kNoTopic);
    if (topic) ++known;
  }
  if (known == 0) {
    return Status::invalid_argument("topic model '" + model_path + "' has " +
                                    std::to_string(dict->nlabels()) +
                                    " labels and none is a topic of the loaded taxonomy");
  }
  std::unique_ptr<FastTextInference> fast;
  if (!options.library_inference) {
    auto created = FastTextInference::create(*model);
    if (created.is_ok()) fast = std::move(created).value();  // otherwise the library predicts
  }
  return std::unique_ptr<TopicClassifier>(std::make_unique<FastTextClassifier>(
      std::move(model), std::move(fast), std::move(label_topics), taxonomy, model_path, 4096));
}

}  // namespace feedscout
