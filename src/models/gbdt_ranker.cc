#include "feedscout/models/gbdt_ranker.h"

#include <fcntl.h>
#include <unistd.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <system_error>
#include <utility>

namespace feedscout {
namespace {

constexpr std::string_view kMagic = "FSRANK1\n";
constexpr std::string_view kPayloadFormat = "ubj";
// Bounds the header search so that a large non-model file is rejected quickly.
constexpr size_t kMaxHeaderBytes = size_t{16} << 20;

struct BoosterDeleter {
  void operator()(void* handle) const { XGBoosterFree(handle); }
};
struct DMatrixDeleter {
  void operator()(void* handle) const { XGDMatrixFree(handle); }
};
using BoosterPtr = std::unique_ptr<void, BoosterDeleter>;
using DMatrixPtr = std::unique_ptr<void, DMatrixDeleter>;

// Internal carrying XGBGetLastError(), less its stack trace, when an XGBoost call failed.
Status xgb(int rc, const char* call) {
  if (rc == 0) return Status::ok();
  std::string_view error = XGBGetLastError();
  error = error.substr(0, error.find("\nStack trace:"));
  return Status::internal(std::string("XGBoost ") + call + " failed: " + std::string(error));
}

uint64_t fnv1a64(std::string_view bytes, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return std::string(buf, 16);
}

// Shortest text that reads back as `v` (XGBoost parses parameters with strtod).
std::string num(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

std::string squote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string describe(const FeatureSchema& s) {
  return squote(s.name) + " v" + std::to_string(s.version) + " (fingerprint " + s.fingerprint() +
         ", " + std::to_string(s.features.size()) + " features)";
}

// Non-empty valid UTF-8 without control characters (what the JSON header can store).
bool printable_utf8(const std::string& s) {
  if (s.empty() ||
      std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    return false;
  }
  try {
    (void)nlohmann::json(s).dump();  // throws on invalid UTF-8
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

std::string feature_label(const FeatureSchema* schema, size_t f) {
  std::string out = "feature " + std::to_string(f);
  if (schema != nullptr && f < schema->features.size()) out += " " + squote(schema->features[f]);
  return out;
}

// Sizes only: n_features, features/labels/groups/weights agree.
Status check_structure(const RankingData& d, const FeatureSchema* schema) {
  if (d.n_features == 0) return Status::invalid_argument("n_features is 0");
  if (schema != nullptr && schema->features.size() != d.n_features) {
    return Status::invalid_argument("data has " + std::to_string(d.n_features) +
                                    " features, schema " + describe(*schema) + " has " +
                                    std::to_string(schema->features.size()));
  }
  const size_t n = d.labels.size();
  if (d.features.size() / d.n_features != n || d.features.size() % d.n_features != 0) {
    return Status::invalid_argument("features has " + std::to_string(d.features.size()) +
                                    " values, expected n_rows * n_features = " + std::to_string(n) +
                                    " * " + std::to_string(d.n_features));
  }
  uint64_t sum = 0;
  for (uint32_t g : d.group_sizes) sum += g;
  if (sum != n) {
    return Status::invalid_argument("group_sizes sum to " + std::to_string(sum) + ", there are " +
                                    std::to_string(n) + " rows");
  }
  if (!d.group_weights.empty() && d.group_weights.size() != d.group_sizes.size()) {
    return Status::invalid_argument("group_weights has " + std::to_string(d.group_weights.size()) +
                                    " values, there are " + std::to_string(d.group_sizes.size()) +
                                    " groups");
  }
  return Status::ok();
}

bool good_label(float l) {
  return std::isfinite(l) && l >= 0;
}
bool good_weight(float w) {
  return std::isfinite(w) && w > 0;
}

// InvalidArgument naming the first non-finite value among n_rows rows of n_features.
Status check_finite(std::span<const float> x, size_t n_rows, size_t n_features,
                    const FeatureSchema* schema) {
  for (size_t i = 0; i < n_rows * n_features; ++i) {
    if (!std::isfinite(x[i])) {
      return Status::invalid_argument("row " + std::to_string(i / n_features) + ", " +
                                      feature_label(schema, i % n_features) + ": value " +
                                      num(x[i]) + " is not finite");
    }
  }
  return Status::ok();
}

// Shape and finiteness of the rows given to predict() and contributions().
Status check_input(const FeatureSchema& schema, std::span<const float> x, size_t n_rows) {
  const size_t nf = schema.features.size();
  if (n_rows > x.size() / nf || x.size() != n_rows * nf) {
    return Status::invalid_argument(std::to_string(x.size()) +
                                    " feature values, expected n_rows * n_features = " +
                                    std::to_string(n_rows) + " * " + std::to_string(nf));
  }
  return check_finite(x, n_rows, nf, &schema);
}

Status validate_options(const RankerTrainOptions& o) {
  auto bad = [](const std::string& what) { return Status::invalid_argument("options: " + what); };
  if (o.objective != "rank:ndcg" && o.objective != "rank:pairwise" && o.objective != "rank:map") {
    return bad("objective " + squote(o.objective) + " is not rank:ndcg, rank:pairwise or rank:map");
  }
  if (o.max_rounds == 0 || o.max_rounds > static_cast<size_t>(INT_MAX)) {
    return bad("max_rounds must be in [1, " + std::to_string(INT_MAX) + "]");
  }
  if (!(o.eta > 0) || !std::isfinite(o.eta)) return bad("eta must be finite > 0");
  if (o.max_depth < 1) return bad("max_depth must be >= 1");
  if (!(o.min_child_weight >= 0) || !std::isfinite(o.min_child_weight)) {
    return bad("min_child_weight must be finite >= 0");
  }
  if (!(o.subsample > 0 && o.subsample <= 1)) return bad("subsample must be in (0, 1]");
  if (!(o.colsample_bytree > 0 && o.colsample_bytree <= 1)) {
    return bad("colsample_bytree must be in (0, 1]");
  }
  if (!(o.lambda >= 0) || !std::isfinite(o.lambda)) return bad("lambda must be finite >= 0");
  if (o.nthread < 0) return bad("nthread must be >= 0");
  if (o.seed > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return bad("seed must fit in int64");
  }
  if (o.eval_metric.empty() || o.eval_metric.find_first_of(" \t\n,") != std::string::npos) {
    return bad("eval_metric must be one metric name");
  }
  return Status::ok();
}

bool metric_is_maximised(std::string_view m) {
  for (std::string_view p : {"ndcg", "map", "auc", "pre"}) {
    if (m.substr(0, p.size()) == p) return true;
  }
  return false;
}

// The value of `<data_name>-<metric>:<value>` in an XGBoosterEvalOneIter line such as
// "[3]\ttrain-ndcg@10:0.91\tvalid-ndcg@10:0.84".
Result<double> eval_value(std::string_view line, std::string_view data_name) {
  const std::string key = "\t" + std::string(data_name) + "-";
  const size_t at = line.find(key);
  if (at != std::string_view::npos) {
    std::string_view token = line.substr(at + 1);
    token = token.substr(0, token.find('\t'));
    const size_t colon = token.rfind(':');
    if (colon != std::string_view::npos) {
      double v = 0;
      const char* first = token.data() + colon + 1;
      const char* last = token.data() + token.size();
      while (last > first && (last[-1] == '\n' || last[-1] == '\r' || last[-1] == ' ')) --last;
      auto [ptr, ec] = std::from_chars(first, last, v);
      if (ec == std::errc() && ptr == last) return v;
      if (std::string_view(first, last - first) == "nan") return std::nan("");
    }
  }
  return Status::internal("cannot read the " + std::string(data_name) +
                          " metric from XGBoost's evaluation " + squote(line));
}

// This thread's proxy matrix for in-place prediction, created on first use: XGBoost's C API
// takes an optional proxy, and without one it builds one (and its context, which reads the
// cgroup CPU quota) on every call. Freed when the thread exits (before static destruction
// for the main thread). Null when XGBoost could not create one (then each call builds its
// own).
DMatrixHandle thread_proxy() {
  thread_local const DMatrixPtr proxy = [] {
    DMatrixHandle h = nullptr;
    if (XGProxyDMatrixCreate(&h) != 0) h = nullptr;
    return DMatrixPtr(h);
  }();
  return proxy.get();
}

Result<DMatrixPtr> make_dmatrix(std::span<const float> x, size_t n_rows, size_t n_features,
                                int nthread) {
  DMatrixHandle h = nullptr;
  FEEDSCOUT_RETURN_IF_ERROR(
      xgb(XGDMatrixCreateFromMat_omp(x.data(), n_rows, n_features, std::nanf(""), &h, nthread),
          "XGDMatrixCreateFromMat_omp"));
  return DMatrixPtr(h);
}

Result<DMatrixPtr> make_training_dmatrix(const RankingData& d, int nthread) {
  auto m = make_dmatrix(d.features, d.n_rows(), d.n_features, nthread);
  if (!m.is_ok()) return m.status();
  void* h = m->get();
  FEEDSCOUT_RETURN_IF_ERROR(xgb(XGDMatrixSetFloatInfo(h, "label", d.labels.data(), d.n_rows()),
                                "XGDMatrixSetFloatInfo(label)"));
  FEEDSCOUT_RETURN_IF_ERROR(
      xgb(XGDMatrixSetUIntInfo(h, "group", d.group_sizes.data(), d.n_groups()),
          "XGDMatrixSetUIntInfo(group)"));
  if (!d.group_weights.empty()) {
    FEEDSCOUT_RETURN_IF_ERROR(
        xgb(XGDMatrixSetFloatInfo(h, "weight", d.group_weights.data(), d.n_groups()),
            "XGDMatrixSetFloatInfo(weight)"));
  }
  return m;
}

// The __array_interface__ of n_rows * n_features contiguous floats.
std::string dense_array_interface(const float* data, size_t n_rows, size_t n_features) {
  const char endian = std::endian::native == std::endian::little ? '<' : '>';
  return R"({"data":[)" + std::to_string(reinterpret_cast<uintptr_t>(data)) +
         R"(,true],"shape":[)" + std::to_string(n_rows) + "," + std::to_string(n_features) +
         R"(],"typestr":")" + endian + R"(f4","version":3})";
}

// The fields of a model file's header line.
struct Header {
  FeatureSchema schema;
  std::string fingerprint;
  std::string format;
  std::string checksum;
  uint64_t payload_bytes = 0;
};

// Corruption when `line` is not JSON, or lacks a field or has one of the wrong type.
Result<Header> parse_header(std::string_view line) {
  try {
    const nlohmann::json h = nlohmann::json::parse(line);
    const nlohmann::json& s = h.at("schema");
    Header out;
    out.schema.name = s.at("name").get<std::string>();
    out.schema.version = s.at("version").get<uint32_t>();
    out.schema.features = s.at("features").get<std::vector<std::string>>();
    out.fingerprint = h.at("fingerprint").get<std::string>();
    out.format = h.at("payload_format").get<std::string>();
    out.checksum = h.at("payload_fnv1a64").get<std::string>();
    out.payload_bytes = h.at("payload_bytes").get<uint64_t>();
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Status::corruption(std::string("malformed header: ") + e.what());
  }
}

// InvalidArgument naming both schemas and where their features first differ.
Status schema_mismatch(const FeatureSchema& model, const FeatureSchema& engine) {
  std::string msg =
      "model was trained on schema " + describe(model) + ", the engine uses " + describe(engine);
  const size_t common = std::min(model.features.size(), engine.features.size());
  size_t i = 0;
  while (i < common && model.features[i] == engine.features[i]) ++i;
  if (i < common) {
    msg += "; first differing feature #" + std::to_string(i) + ": model " +
           squote(model.features[i]) + ", engine " + squote(engine.features[i]);
  } else if (i < model.features.size()) {
    msg += "; the model has extra feature " + squote(model.features[i]);
  } else if (i < engine.features.size()) {
    msg += "; the engine has extra feature " + squote(engine.features[i]);
  } else {
    msg += "; same features, different name or version";
  }
  return Status::invalid_argument(msg);
}

Status read_file(const std::string& path, std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string why = std::generic_category().message(err);
    if (err == ENOENT) return Status::not_found("model file " + squote(path) + " does not exist");
    return Status::io_error("cannot open model file " + squote(path) + ": " + why);
  }
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::generic_category().message(errno);
      ::close(fd);
      return Status::io_error("cannot read model file " + squote(path) + ": " + why);
    }
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  *out = std::move(data);
  return Status::ok();
}

}  // namespace

std::string FeatureSchema::fingerprint() const {
  auto field = [](uint64_t h, std::string_view s) {
    return fnv1a64(s, fnv1a64(std::to_string(s.size()) + ":", h));
  };
  uint64_t h = field(0xcbf29ce484222325ULL, name);
  h = field(h, std::to_string(version));
  h = field(h, std::to_string(features.size()));
  for (const std::string& f : features) h = field(h, f);
  return hex16(h);
}

Status validate_feature_schema(const FeatureSchema& schema) {
  if (!printable_utf8(schema.name)) {
    return Status::invalid_argument("schema name " + squote(schema.name) +
                                    " is empty or not printable UTF-8");
  }
  if (schema.features.empty()) {
    return Status::invalid_argument("schema " + squote(schema.name) + " has no features");
  }
  std::vector<std::string_view> sorted;
  for (size_t i = 0; i < schema.features.size(); ++i) {
    const std::string& f = schema.features[i];
    if (!printable_utf8(f)) {
      return Status::invalid_argument("schema " + squote(schema.name) + ": feature " +
                                      std::to_string(i) + " name " + squote(f) +
                                      " is empty or not printable UTF-8");
    }
    sorted.push_back(f);
  }
  std::sort(sorted.begin(), sorted.end());
  auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup != sorted.end()) {
    return Status::invalid_argument("schema " + squote(schema.name) + ": feature " + squote(*dup) +
                                    " appears twice");
  }
  return Status::ok();
}

Status validate_ranking_data(const RankingData& data, const FeatureSchema* schema) {
  FEEDSCOUT_RETURN_IF_ERROR(check_structure(data, schema));
  FEEDSCOUT_RETURN_IF_ERROR(check_finite(data.features, data.n_rows(), data.n_features, schema));
  for (size_t i = 0; i < data.labels.size(); ++i) {
    if (!good_label(data.labels[i])) {
      return Status::invalid_argument("row " + std::to_string(i) + ": label " +
                                      num(data.labels[i]) + " is not finite >= 0");
    }
  }
  for (size_t g = 0; g < data.group_sizes.size(); ++g) {
    if (data.group_sizes[g] == 0) {
      return Status::invalid_argument("group " + std::to_string(g) + " is empty");
    }
    if (!data.group_weights.empty() && !good_weight(data.group_weights[g])) {
      return Status::invalid_argument("group " + std::to_string(g) + ": weight " +
                                      num(data.group_weights[g]) + " is not finite > 0");
    }
  }
  return Status::ok();
}

Result<RankingData> clean_ranking_data(const FeatureSchema& schema, const RankingData& data,
                                       CleanReport* report) {
  FEEDSCOUT_RETURN_IF_ERROR(check_structure(data, &schema));
  const size_t nf = data.n_features;
  CleanReport r;
  r.input_rows = data.n_rows();
  r.input_groups = data.n_groups();
  r.non_finite_by_feature.assign(nf, 0);

  RankingData out;
  out.n_features = nf;
  std::vector<size_t> kept;  // rows of the current group that survive row-level checks
  size_t begin = 0;
  for (size_t g = 0; g < data.n_groups(); ++g) {
    const size_t end = begin + data.group_sizes[g];
    kept.clear();
    for (size_t i = begin; i < end; ++i) {
      const float* row = data.features.data() + i * nf;
      const float* bad = std::find_if(row, row + nf, [](float v) { return !std::isfinite(v); });
      if (bad != row + nf) {
        ++r.rows_non_finite_feature;
        ++r.non_finite_by_feature[bad - row];
      } else if (!good_label(data.labels[i])) {
        ++r.rows_bad_label;
      } else {
        kept.push_back(i);
      }
    }
    begin = end;
    const bool weighted = !data.group_weights.empty();
    if (weighted && !good_weight(data.group_weights[g])) {
      ++r.groups_bad_weight;
      continue;
    }
    if (kept.empty()) {
      ++r.groups_empty;
      continue;
    }
    const float first = data.labels[kept.front()];
    const bool all_equal =
        std::all_of(kept.begin(), kept.end(), [&](size_t i) { return data.labels[i] == first; });
    if (all_equal) {
      ++(first == 0 ? r.groups_no_positive : r.groups_no_negative);
      continue;
    }
    for (size_t i : kept) {
      out.features.insert(out.features.end(), data.features.begin() + i * nf,
                          data.features.begin() + (i + 1) * nf);
      out.labels.push_back(data.labels[i]);
    }
    out.group_sizes.push_back(static_cast<uint32_t>(kept.size()));
    if (weighted) out.group_weights.push_back(data.group_weights[g]);
  }
  r.kept_rows = out.n_rows();
  r.kept_groups = out.n_groups();
  if (report != nullptr) *report = std::move(r);
  return out;
}

std::vector<double> ndcg_at_k_per_group(std::span<const float> labels,
                                        std::span<const float> scores,
                                        std::span<const uint32_t> group_sizes, size_t k) {
  const uint64_t total = std::accumulate(group_sizes.begin(), group_sizes.end(), uint64_t{0});
  if (labels.size() != scores.size() || total != labels.size()) return {};
  auto dcg = [&](const std::vector<size_t>& order) {
    double sum = 0;
    for (size_t p = 0; p < order.size() && p < k; ++p) {
      sum += (std::exp2(static_cast<double>(labels[order[p]])) - 1) / std::log2(p + 2.0);
    }
    return sum;
  };
  std::vector<double> out;
  std::vector<size_t> order;
  size_t begin = 0;
  for (uint32_t size : group_sizes) {
    order.resize(size);
    std::iota(order.begin(), order.end(), begin);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    const double actual = dcg(order);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return labels[a] > labels[b]; });
    const double ideal = dcg(order);
    out.push_back(ideal > 0 ? actual / ideal : 1.0);
    begin += size;
  }
  return out;
}

struct GbdtRanker::State {
  FeatureSchema schema;
  BoosterPtr booster;
  std::string payload;  // the booster as XGBoost UBJSON, exactly as stored in a model file
  std::string payload_checksum;
  std::string version;
  size_t rounds = 0;

  // Prepares a trained or loaded booster for serving: one prediction thread, its feature
  // count checked against `schema`, rounds counted. An empty `payload` is saved from it.
  static Result<GbdtRanker> build(FeatureSchema schema, BoosterPtr booster, std::string payload);
};

Result<GbdtRanker> GbdtRanker::State::build(FeatureSchema schema, BoosterPtr booster,
                                            std::string payload) {
  void* b = booster.get();
  FEEDSCOUT_RETURN_IF_ERROR(xgb(XGBoosterSetParam(b, "nthread", "1"), "XGBoosterSetParam"));
  bst_ulong n_features = 0;
  FEEDSCOUT_RETURN_IF_ERROR(xgb(XGBoosterGetNumFeature(b, &n_features), "XGBoosterGetNumFeature"));
  if (n_features != schema.features.size()) {
    return Status::corruption("the XGBoost model has " + std::to_string(n_features) +
                              " features, its schema " + describe(schema) + " has " +
                              std::to_string(schema.features.size()));
  }
  int rounds = 0;
  FEEDSCOUT_RETURN_IF_ERROR(xgb(XGBoosterBoostedRounds(b, &rounds), "XGBoosterBoostedRounds"));
  if (payload.empty()) {
    bst_ulong len = 0;
    const char* bytes = nullptr;
    const std::string config = R"({"format":")" + std::string(kPayloadFormat) + R"("})";
    FEEDSCOUT_RETURN_IF_ERROR(xgb(XGBoosterSaveModelToBuffer(b, config.c_str(), &len, &bytes),
                                  "XGBoosterSaveModelToBuffer"));
    payload.assign(bytes, len);
  }
  auto state = std::make_unique<State>();
  state->schema = std::move(schema);
  state->booster = std::move(booster);
  state->payload = std::move(payload);
  state->payload_checksum = hex16(fnv1a64(state->payload));
  state->version = state->payload_checksum.substr(0, 12);
  state->rounds = static_cast<size_t>(std::max(rounds, 0));
  return GbdtRanker(std::move(state));
}

GbdtRanker::GbdtRanker(std::unique_ptr<State> state) : state_(std::move(state)) {}
GbdtRanker::GbdtRanker(GbdtRanker&&) noexcept = default;
GbdtRanker& GbdtRanker::operator=(GbdtRanker&&) noexcept = default;
GbdtRanker::~GbdtRanker() = default;

const FeatureSchema& GbdtRanker::schema() const {
  return state_->schema;
}
const std::string& GbdtRanker::version() const {
  return state_->version;
}
size_t GbdtRanker::rounds() const {
  return state_->rounds;
}

Result<GbdtRanker> GbdtRanker::train(const FeatureSchema& schema, const RankingData& train,
                                     const RankingData& validation,
                                     const RankerTrainOptions& options, RankerTrainReport* report) {
  FEEDSCOUT_RETURN_IF_ERROR(validate_feature_schema(schema));
  FEEDSCOUT_RETURN_IF_ERROR(validate_options(options));
  FEEDSCOUT_RETURN_IF_ERROR(validate_ranking_data(train, &schema).with_context("train data"));
  if (train.empty()) return Status::invalid_argument("train data: no rows");
  const bool has_validation = !validation.empty();
  if (has_validation) {
    FEEDSCOUT_RETURN_IF_ERROR(
        validate_ranking_data(validation, &schema).with_context("validation data"));
  }

  auto dtrain = make_training_dmatrix(train, options.nthread);
  if (!dtrain.is_ok()) return dtrain.status();
  DMatrixPtr dvalid;
  if (has_validation) {
    auto v = make_training_dmatrix(validation, options.nthread);
    if (!v.is_ok()) return v.status();
    dvalid = std::move(v).value();
  }
  DMatrixHandle dmats[2] = {dtrain->get(), dvalid.get()};
  const char* names[2] = {"train", "valid"};
  const bst_ulong n_dmats = has_validation ? 2 : 1;

  BoosterHandle raw = nullptr;
  FEEDSCOUT_RETURN_IF_ERROR(xgb(XGBoosterCreate(dmats, n_dmats, &raw), "XGBoosterCreate"));
  BoosterPtr booster(raw);
  const std::pair<const char*, std::string> params[] = {
      {"booster", "gbtree"},
      {"tree_method", "hist"},
      {"objective", options.objective},
      {"eval_metric", options.eval_metric},
      {"eta", num(options.eta)},
      {"max_depth", std::to_string(options.max_depth)},
      {"min_child_weight", num(options.min_child_weight)},
      {"subsample", num(options.subsample)},
      {"colsample_bytree", num(options.colsample_bytree)},
      {"lambda", num(options.lambda)},
      {"nthread", std::to_string(options.nthread)},
      {"seed", std::to_string(options.seed)},
  };
  for (const auto& [key, value] : params) {
    const Status s = xgb(XGBoosterSetParam(booster.get(), key, value.c_str()), "XGBoosterSetParam");
    if (!s.is_ok()) return s.with_context(std::string("parameter ") + key + "=" + value);
  }

  RankerTrainReport r;
  r.train_rows = train.n_rows();
  r.train_groups = train.n_groups();
  r.validation_rows = validation.n_rows();
  r.validation_groups = validation.n_groups();
  r.best_validation_metric = std::nan("");
  const bool maximise = metric_is_maximised(options.eval_metric);
  bool have_best = false;
  for (size_t round = 0; round < options.max_rounds; ++round) {
    const int iter = static_cast<int>(round);
    FEEDSCOUT_RETURN_IF_ERROR(
        xgb(XGBoosterUpdateOneIter(booster.get(), iter, dtrain->get()), "XGBoosterUpdateOneIter"));
    const char* line = nullptr;
    FEEDSCOUT_RETURN_IF_ERROR(
        xgb(XGBoosterEvalOneIter(booster.get(), iter, dmats, names, n_dmats, &line),
            "XGBoosterEvalOneIter"));
    const std::string_view text = line != nullptr ? line : "";
    auto train_value = eval_value(text, "train");
    if (!train_value.is_ok()) return train_value.status();
    r.train_metric.push_back(*train_value);
    r.rounds_trained = round + 1;
    if (!has_validation) {
      r.best_round = round;
      continue;
    }
    auto valid_value = eval_value(text, "valid");
    if (!valid_value.is_ok()) return valid_value.status();
    const double v = *valid_value;
    r.validation_metric.push_back(v);
    if (!have_best || (maximise ? v > r.best_validation_metric : v < r.best_validation_metric)) {
      have_best = !std::isnan(v);
      r.best_validation_metric = v;
      r.best_round = round;
    }
    if (options.early_stopping_rounds > 0 &&
        round - r.best_round >= options.early_stopping_rounds) {
      break;
    }
  }

  // Keep rounds 0..best_round only: the model file holds exactly the trees predictions use.
  if (r.best_round + 1 < r.rounds_trained) {
    BoosterHandle sliced = nullptr;
    const int rc = XGBoosterSlice(booster.get(), 0, static_cast<int>(r.best_round + 1), 1, &sliced);
    if (rc == -2) {
      return Status::internal("XGBoosterSlice: rounds [0, " + std::to_string(r.best_round + 1) +
                              ") out of bound");
    }
    FEEDSCOUT_RETURN_IF_ERROR(xgb(rc, "XGBoosterSlice"));
    booster.reset(sliced);
  }
  dtrain->reset();
  dvalid.reset();

  auto ranker = State::build(schema, std::move(booster), {});
  if (ranker.is_ok() && ranker->rounds() != r.best_round + 1) {
    return Status::internal("the model has " + std::to_string(ranker->rounds()) +
                            " rounds after slicing, expected " + std::to_string(r.best_round + 1));
  }
  if (ranker.is_ok() && report != nullptr) *report = std::move(r);
  return ranker;
}

Status GbdtRanker::predict(std::span<const float> features, size_t n_rows,
                           std::vector<float>* scores) const {
  const size_t nf = state_->schema.features.size();
  FEEDSCOUT_RETURN_IF_ERROR(check_input(state_->schema, features, n_rows).with_context("predict"));
  if (n_rows == 0) {
    scores->clear();
    return Status::ok();
  }
  const std::string values = dense_array_interface(features.data(), n_rows, nf);
  static constexpr char kConfig[] =
      R"({"type":0,"training":false,"iteration_begin":0,"iteration_end":0,"cache_id":0,)"
      R"("strict_shape":false,"missing":NaN})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  FEEDSCOUT_RETURN_IF_ERROR(
      xgb(XGBoosterPredictFromDense(state_->booster.get(), values.c_str(), kConfig, thread_proxy(),
                                    &shape, &dim, &result),
          "XGBoosterPredictFromDense"));
  if (dim != 1 || shape[0] != n_rows) {
    return Status::internal("XGBoosterPredictFromDense returned an unexpected shape");
  }
  scores->assign(result, result + n_rows);
  return Status::ok();
}

Status GbdtRanker::contributions(std::span<const float> features, size_t n_rows,
                                 std::vector<float>* out) const {
  const size_t nf = state_->schema.features.size();
  FEEDSCOUT_RETURN_IF_ERROR(
      check_input(state_->schema, features, n_rows).with_context("contributions"));
  if (n_rows == 0) {
    out->clear();
    return Status::ok();
  }
  auto dmat = make_dmatrix(features, n_rows, nf, 1);
  if (!dmat.is_ok()) return dmat.status();
  static constexpr char kConfig[] =
      R"({"type":2,"training":false,"iteration_begin":0,"iteration_end":0,)"
      R"("strict_shape":false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  FEEDSCOUT_RETURN_IF_ERROR(xgb(XGBoosterPredictFromDMatrix(state_->booster.get(), dmat->get(),
                                                            kConfig, &shape, &dim, &result),
                                "XGBoosterPredictFromDMatrix(contributions)"));
  if (dim != 2 || shape[0] != n_rows || shape[1] != nf + 1) {
    return Status::internal("XGBoosterPredictFromDMatrix returned an unexpected shape");
  }
  out->assign(result, result + n_rows * (nf + 1));
  return Status::ok();
}

std::string GbdtRanker::serialize() const {
  const FeatureSchema& s = state_->schema;
  nlohmann::json header = {
      {"schema", {{"name", s.name}, {"version", s.version}, {"features", s.features}}},
      {"fingerprint", s.fingerprint()},
      {"model_version", state_->version},
      {"rounds", state_->rounds},
      {"payload_format", kPayloadFormat},
      {"payload_bytes", state_->payload.size()},
      {"payload_fnv1a64", state_->payload_checksum},
  };
  // The schema was validated as UTF-8 when the model was built, so dump() cannot throw.
  const std::string line = header.dump();
  std::string out;
  out.reserve(kMagic.size() + line.size() + 18 + state_->payload.size());
  out.append(kMagic);
  out.append(line).push_back('\n');
  out.append(hex16(fnv1a64(line))).push_back('\n');
  out.append(state_->payload);
  return out;
}

Status GbdtRanker::save(const std::string& path) const {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  const std::string bytes = serialize();
  const char* failed = nullptr;  // the first step that failed, with its errno
  int err = 0;
  auto check = [&](bool ok, const char* step) {
    if (!ok && failed == nullptr) {
      failed = step;
      err = errno;
    }
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check(fd >= 0, "create temporary file");
  if (fd >= 0) {
    for (std::string_view rest = bytes; failed == nullptr && !rest.empty();) {
      const ssize_t n = ::write(fd, rest.data(), rest.size());
      if (n >= 0) rest.remove_prefix(static_cast<size_t>(n));
      check(n >= 0 || errno == EINTR, "write");
    }
    if (failed == nullptr) check(::fsync(fd) == 0, "fsync");
    check(::close(fd) == 0, "close");
    if (failed == nullptr) check(::rename(tmp.c_str(), path.c_str()) == 0, "rename");
    if (failed != nullptr) ::unlink(tmp.c_str());
  }
  if (failed != nullptr) {
    return Status::io_error("cannot save model to " + squote(path) + ": " + failed + ": " +
                            std::generic_category().message(err));
  }
  // Best effort: the rename is durable once the directory is synced.
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, std::max<size_t>(slash, 1));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::ok();
}

Result<GbdtRanker> GbdtRanker::load(const std::string& path, const FeatureSchema& expected) {
  std::string bytes;
  FEEDSCOUT_RETURN_IF_ERROR(read_file(path, &bytes));
  auto r = deserialize(bytes, expected);
  if (!r.is_ok()) return r.status().with_context("model file " + squote(path));
  return r;
}

Result<GbdtRanker> GbdtRanker::deserialize(std::string_view bytes, const FeatureSchema& expected) {
  auto corrupt = [](const std::string& what) { return Status::corruption(what); };
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    if (bytes.substr(0, 6) == "FSRANK") return corrupt("unsupported ranker model format version");
    return corrupt("not a feedscout ranker model (no FSRANK1 header)");
  }
  bytes.remove_prefix(kMagic.size());
  const size_t eol = bytes.substr(0, kMaxHeaderBytes).find('\n');
  if (eol == std::string_view::npos) return corrupt("truncated header");
  const std::string_view line = bytes.substr(0, eol);
  bytes.remove_prefix(eol + 1);
  if (bytes.size() < 17 || bytes[16] != '\n') return corrupt("truncated header checksum");
  if (bytes.substr(0, 16) != hex16(fnv1a64(line))) return corrupt("header checksum mismatch");
  bytes.remove_prefix(17);

  auto header = parse_header(line);
  if (!header.is_ok()) return header.status();
  FeatureSchema& schema = header->schema;
  const uint64_t payload_bytes = header->payload_bytes;
  if (!validate_feature_schema(schema).is_ok() || schema.fingerprint() != header->fingerprint) {
    return corrupt("header schema does not match its fingerprint");
  }
  if (header->format != kPayloadFormat) {
    return corrupt("unknown payload format " + squote(header->format));
  }
  if (bytes.size() < payload_bytes) {
    return corrupt("truncated: the model payload has " + std::to_string(bytes.size()) + " of " +
                   std::to_string(payload_bytes) + " bytes");
  }
  if (bytes.size() > payload_bytes) {
    return corrupt(std::to_string(bytes.size() - payload_bytes) +
                   " unexpected bytes after the model payload");
  }
  const std::string sum = hex16(fnv1a64(bytes));
  if (sum != header->checksum) {
    return corrupt("model payload checksum mismatch (stored " + header->checksum + ", computed " +
                   sum + ")");
  }

  if (schema != expected) return schema_mismatch(schema, expected);

  BoosterHandle raw = nullptr;
  FEEDSCOUT_RETURN_IF_ERROR(xgb(XGBoosterCreate(nullptr, 0, &raw), "XGBoosterCreate"));
  BoosterPtr booster(raw);
  const Status loaded = xgb(XGBoosterLoadModelFromBuffer(booster.get(), bytes.data(), bytes.size()),
                            "XGBoosterLoadModelFromBuffer");
  if (!loaded.is_ok()) return Status::corruption(loaded.message());

  return State::build(std::move(schema), std::move(booster), std::string(bytes));
}

}  // namespace feedscout
