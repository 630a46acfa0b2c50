// Confidence-weighted ALS (models/implicit_als.h). Training keeps both factor matrices in
// double and converts them to float32 at the end; fold-in solves in double against the
// stored float32 item factors.
#include "feedscout/models/implicit_als.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "feedscout/common/hash.h"

namespace feedscout {
namespace {

static_assert(std::endian::native == std::endian::little, "the encoding is little-endian");

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr char kMagic[4] = {'F', 'S', 'A', 'L'};
constexpr uint8_t kVersion = 1;
constexpr double kMaxAlpha = 1e6;

// Sparse rows: row r's entries are cols/weights[offsets[r] .. offsets[r + 1]), by ascending
// column, each column at most once.
struct Csr {
  std::vector<size_t> offsets;  // size rows + 1
  std::vector<uint32_t> cols;
  std::vector<double> weights;  // > 0

  size_t rows() const { return offsets.size() - 1; }
  size_t max_row_size() const {
    size_t m = 0;
    for (size_t r = 0; r < rows(); ++r) m = std::max(m, offsets[r + 1] - offsets[r]);
    return m;
  }
};

Status validate_options(const AlsOptions& o) {
  if (o.factors == 0 || o.factors > ImplicitAls::kMaxFactors) {
    return Status::invalid_argument("options.factors must be in [1, " +
                                    std::to_string(ImplicitAls::kMaxFactors) + "], got " +
                                    std::to_string(o.factors));
  }
  if (!std::isfinite(o.regularization) || o.regularization <= 0) {
    return Status::invalid_argument("options.regularization must be finite and > 0, got " +
                                    std::to_string(o.regularization));
  }
  if (!std::isfinite(o.alpha) || o.alpha < 0 || o.alpha > kMaxAlpha) {
    return Status::invalid_argument("options.alpha must be in [0, 1e6], got " +
                                    std::to_string(o.alpha));
  }
  if (o.iterations == 0 || o.iterations > ImplicitAls::kMaxIterations) {
    return Status::invalid_argument("options.iterations must be in [1, " +
                                    std::to_string(ImplicitAls::kMaxIterations) + "], got " +
                                    std::to_string(o.iterations));
  }
  return Status::ok();
}

// Merges (col, weight) entries sorted by col into `out`, adding the weights of equal cols.
template <typename Entry>
void append_merged(std::span<const Entry> sorted, Csr& out) {
  for (size_t k = 0; k < sorted.size(); ++k) {
    if (k > 0 && sorted[k].first == sorted[k - 1].first) {
      out.weights.back() += sorted[k].second;
    } else {
      out.cols.push_back(sorted[k].first);
      out.weights.push_back(sorted[k].second);
    }
  }
}

// The user-major matrix of validated interactions, duplicates merged. The merged weights do
// not depend on the input order (equal pairs are summed in ascending weight order).
Csr build_user_rows(std::span<const AlsInteraction> interactions, uint32_t n_users) {
  std::vector<size_t> start(static_cast<size_t>(n_users) + 1, 0);
  for (const AlsInteraction& in : interactions) ++start[in.user + 1];
  for (size_t u = 0; u < n_users; ++u) start[u + 1] += start[u];
  std::vector<std::pair<uint32_t, float>> entries(interactions.size());
  std::vector<size_t> next(start.begin(), start.end() - 1);
  for (const AlsInteraction& in : interactions) entries[next[in.user]++] = {in.item, in.weight};

  Csr csr;
  csr.offsets.reserve(start.size());
  csr.offsets.push_back(0);
  csr.cols.reserve(entries.size());
  csr.weights.reserve(entries.size());
  for (size_t u = 0; u < n_users; ++u) {
    const auto first = entries.begin() + static_cast<std::ptrdiff_t>(start[u]);
    const auto last = entries.begin() + static_cast<std::ptrdiff_t>(start[u + 1]);
    std::sort(first, last);
    append_merged(std::span<const std::pair<uint32_t, float>>(&*first, start[u + 1] - start[u]),
                  csr);
    csr.offsets.push_back(csr.cols.size());
  }
  return csr;
}

// The transpose of `rows`, with n_cols rows.
Csr transpose(const Csr& rows, uint32_t n_cols) {
  Csr t;
  t.offsets.assign(static_cast<size_t>(n_cols) + 1, 0);
  for (uint32_t c : rows.cols) ++t.offsets[c + 1];
  for (size_t c = 0; c < n_cols; ++c) t.offsets[c + 1] += t.offsets[c];
  t.cols.resize(rows.cols.size());
  t.weights.resize(rows.cols.size());
  std::vector<size_t> next(t.offsets.begin(), t.offsets.end() - 1);
  for (size_t r = 0; r < rows.rows(); ++r) {
    for (size_t k = rows.offsets[r]; k < rows.offsets[r + 1]; ++k) {
      const size_t at = next[rows.cols[k]]++;
      t.cols[at] = static_cast<uint32_t>(r);
      t.weights[at] = rows.weights[k];
    }
  }
  return t;
}

// Scratch space for solve_row, sized for rows of up to max_row_size entries.
struct SolveWorkspace {
  SolveWorkspace(Eigen::Index factors, size_t max_row_size)
      : a(factors, factors),
        b(factors),
        scaled(static_cast<Eigen::Index>(max_row_size), factors),
        llt(factors) {}

  Eigen::MatrixXd a;
  Eigen::VectorXd b;
  RowMatrix scaled;  // row k: sqrt(c_k - 1) * fixed row of entry k
  Eigen::LLT<Eigen::MatrixXd> llt;
};

// The x minimising sum_j c_j (p_j - x . fixed_j)^2 + lambda |x|^2 over all rows j of `fixed`,
// where p_j = 1 and c_j = 1 + alpha * weights[k] for j = cols[k], p_j = 0 and c_j = 1
// otherwise; gram = fixed^T fixed. Solves (gram + sum_k (c_k - 1) y_k y_k^T + lambda I) x =
// sum_k c_k y_k. cols must be distinct and not empty; fixed has factors columns.
template <typename Fixed>
Eigen::VectorXd solve_row(const Eigen::MatrixXd& gram, double lambda, double alpha,
                          std::span<const uint32_t> cols, std::span<const double> weights,
                          const Fixed& fixed, SolveWorkspace& ws) {
  const auto n = static_cast<Eigen::Index>(cols.size());
  ws.b.setZero();
  for (Eigen::Index k = 0; k < n; ++k) {
    const double extra = alpha * weights[static_cast<size_t>(k)];  // c - 1
    const auto y = fixed.row(cols[static_cast<size_t>(k)]).template cast<double>();
    ws.scaled.row(k) = std::sqrt(extra) * y;
    ws.b.noalias() += (1.0 + extra) * y.transpose();
  }
  ws.a = gram;
  ws.a.diagonal().array() += lambda;
  if (alpha > 0) {
    ws.a.selfadjointView<Eigen::Lower>().rankUpdate(ws.scaled.topRows(n).transpose());
  }
  ws.llt.compute(ws.a);
  if (ws.llt.info() == Eigen::Success) return ws.llt.solve(ws.b);
  // LLT fails only on non-finite input (the matrix is at least lambda I); LDLT then.
  ws.a.triangularView<Eigen::StrictlyUpper>() = ws.a.transpose();
  return ws.a.ldlt().solve(ws.b);
}

// Rows with at most this fraction of `factors` entries are solved by the Woodbury identity.
constexpr double kWoodburyMaxRowFraction = 0.5;

// Replaces every row of `out` by its exact solve against `fixed` (gram = fixed^T fixed);
// rows without entries become zero.
//
// With B = gram + lambda I and G the n x factors matrix of rows sqrt(c_k - 1) y_k, a row
// solves (B + G^T G) x = b. Long rows factor that matrix (O(n f^2 + f^3)). Short rows use
// Woodbury: x = B^-1 b - W^T (I_n + W G^T)^-1 G B^-1 b with W = G B^-1, whose rows are
// scaled rows of P = fixed B^-1 (computed once per half-step), so they cost O(n^2 f + n^3).
void half_step(const Csr& rows, const RowMatrix& fixed, const Eigen::MatrixXd& gram,
               const AlsOptions& o, size_t max_row_size, RowMatrix& out) {
  const Eigen::Index f = fixed.cols();
  const auto woodbury_max = static_cast<size_t>(kWoodburyMaxRowFraction * static_cast<double>(f));
  SolveWorkspace ws(f, max_row_size);

  Eigen::MatrixXd b_inverse = gram;
  b_inverse.diagonal().array() += o.regularization;
  b_inverse = b_inverse.llt().solve(Eigen::MatrixXd::Identity(f, f)).eval();
  b_inverse = (0.5 * (b_inverse + b_inverse.transpose())).eval();
  const RowMatrix p = fixed * b_inverse;  // row j: B^-1 y_j
  const auto w_rows = static_cast<Eigen::Index>(std::min(max_row_size, woodbury_max));
  RowMatrix w(w_rows, f);
  Eigen::MatrixXd m(w_rows, w_rows);
  Eigen::VectorXd b_inverse_b(f), z(w_rows);
  Eigen::LLT<Eigen::MatrixXd> small_llt(w_rows);

  for (size_t r = 0; r < rows.rows(); ++r) {
    const size_t begin = rows.offsets[r];
    const size_t n = rows.offsets[r + 1] - begin;
    const auto ri = static_cast<Eigen::Index>(r);
    const std::span<const uint32_t> cols = std::span<const uint32_t>(rows.cols).subspan(begin, n);
    const std::span<const double> weights = std::span<const double>(rows.weights).subspan(begin, n);
    if (n == 0) {
      out.row(ri).setZero();
    } else if (n > woodbury_max) {
      out.row(ri) =
          solve_row(gram, o.regularization, o.alpha, cols, weights, fixed, ws).transpose();
    } else {
      const auto ni = static_cast<Eigen::Index>(n);
      b_inverse_b.setZero();
      for (Eigen::Index k = 0; k < ni; ++k) {
        const double extra = o.alpha * weights[static_cast<size_t>(k)];  // c - 1
        const double scale = std::sqrt(extra);
        const uint32_t j = cols[static_cast<size_t>(k)];
        ws.scaled.row(k) = scale * fixed.row(j);
        w.row(k) = scale * p.row(j);
        b_inverse_b.noalias() += (1.0 + extra) * p.row(j).transpose();
      }
      auto wn = w.topRows(ni);
      auto mn = m.topLeftCorner(ni, ni);
      mn.noalias() = wn * ws.scaled.topRows(ni).transpose();
      mn.diagonal().array() += 1.0;
      small_llt.compute(mn);
      z.head(ni).noalias() = ws.scaled.topRows(ni) * b_inverse_b;
      z.head(ni) = small_llt.solve(z.head(ni));
      out.row(ri).noalias() = b_inverse_b.transpose() - z.head(ni).transpose() * wn;
    }
  }
}

Eigen::MatrixXd gram_of(const RowMatrix& m) {
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(m.cols(), m.cols());
  g.selfadjointView<Eigen::Lower>().rankUpdate(m.transpose());
  g.triangularView<Eigen::StrictlyUpper>() = g.transpose();
  return g;
}

// The objective L of implicit_als.h. Cells without interactions contribute x_u . y_i squared,
// summed over all cells as <X^T X, Y^T Y>; observed cells add the difference.
double objective(const Csr& users, const RowMatrix& x, const RowMatrix& y,
                 const Eigen::MatrixXd& x_gram, const Eigen::MatrixXd& y_gram,
                 const AlsOptions& o) {
  double loss = (x_gram.array() * y_gram.array()).sum();
  for (size_t u = 0; u < users.rows(); ++u) {
    const auto xu = x.row(static_cast<Eigen::Index>(u));
    for (size_t k = users.offsets[u]; k < users.offsets[u + 1]; ++k) {
      const double s = xu.dot(y.row(users.cols[k]));
      const double c = 1.0 + o.alpha * users.weights[k];
      loss += (c - 1.0) * s * s - 2.0 * c * s + c;
    }
  }
  return loss + o.regularization * (x.squaredNorm() + y.squaredNorm());
}

// Uniform in [0, 0.01) from a SplitMix64 stream, identical on every platform (as `implicit`
// initialises: rand() * 0.01).
class InitStream {
 public:
  explicit InitStream(uint64_t seed) : state_(seed) {}
  double next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53 * 0.01;
  }

 private:
  uint64_t state_;
};

// Dot product accumulated in double; score() and top_k() share it so their values agree.
float dot(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(s);
}

std::vector<float> to_float(const RowMatrix& m) {
  std::vector<float> out(static_cast<size_t>(m.size()));
  Eigen::Map<RowMatrixF>(out.data(), m.rows(), m.cols()) = m.cast<float>();
  return out;
}

class Writer {
 public:
  template <typename T>
  void pod(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_.append(buf, sizeof(T));
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
    return bytes(&v, sizeof(T));
  }
  bool bytes(void* data, size_t n) {
    if (in_.size() - pos_ < n) return false;
    if (n > 0) std::memcpy(data, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  size_t left() const { return in_.size() - pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

bool all_finite(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float f) { return std::isfinite(f); });
}

}  // namespace

Result<ImplicitAls> ImplicitAls::train(std::span<const AlsInteraction> interactions,
                                       uint32_t n_users, uint32_t n_items,
                                       const AlsOptions& options) {
  FEEDSCOUT_RETURN_IF_ERROR(validate_options(options));
  if (n_items == 0) return Status::invalid_argument("n_items must be > 0");
  for (size_t k = 0; k < interactions.size(); ++k) {
    const AlsInteraction& in = interactions[k];
    const std::string at = "interactions[" + std::to_string(k) + "]: ";
    if (in.user >= n_users) {
      return Status::invalid_argument(at + "user " + std::to_string(in.user) +
                                      " out of range [0, " + std::to_string(n_users) + ")");
    }
    if (in.item >= n_items) {
      return Status::invalid_argument(at + "item " + std::to_string(in.item) +
                                      " out of range [0, " + std::to_string(n_items) + ")");
    }
    if (!std::isfinite(in.weight) || in.weight <= 0) {
      return Status::invalid_argument(at + "weight must be finite and > 0, got " +
                                      std::to_string(in.weight));
    }
  }

  const Csr users = build_user_rows(interactions, n_users);
  const Csr items = transpose(users, n_items);
  const size_t max_user_row = users.max_row_size();
  const size_t max_item_row = items.max_row_size();
  const auto f = static_cast<Eigen::Index>(options.factors);

  RowMatrix x = RowMatrix::Zero(n_users, f);
  RowMatrix y(n_items, f);
  InitStream init(options.seed);
  for (Eigen::Index i = 0; i < y.size(); ++i) y.data()[i] = init.next();

  ImplicitAls model;
  model.options_ = options;
  model.n_users_ = n_users;
  model.n_items_ = n_items;
  model.loss_history_.reserve(options.iterations);
  Eigen::MatrixXd y_gram = gram_of(y);
  for (size_t it = 0; it < options.iterations; ++it) {
    half_step(users, y, y_gram, options, max_user_row, x);
    const Eigen::MatrixXd x_gram = gram_of(x);
    half_step(items, x, x_gram, options, max_item_row, y);
    y_gram = gram_of(y);
    model.loss_history_.push_back(objective(users, x, y, x_gram, y_gram, options));
  }
  model.user_factors_ = to_float(x);
  model.item_factors_ = to_float(y);
  model.compute_item_gram();
  return model;
}

void ImplicitAls::compute_item_gram() {
  const auto f = static_cast<Eigen::Index>(options_.factors);
  const Eigen::Map<const RowMatrixF> y(item_factors_.data(), n_items_, f);
  item_gram_.assign(options_.factors * options_.factors, 0.0);
  Eigen::Map<Eigen::MatrixXd>(item_gram_.data(), f, f) = gram_of(y.cast<double>());
}

std::vector<float> ImplicitAls::fold_in(std::span<const std::pair<uint32_t, float>> items) const {
  std::vector<std::pair<uint32_t, float>> sorted;
  sorted.reserve(items.size());
  for (const auto& [item, weight] : items) {
    if (item < n_items_ && std::isfinite(weight) && weight > 0) sorted.emplace_back(item, weight);
  }
  std::vector<float> out(options_.factors, 0.0f);
  if (sorted.empty()) return out;
  std::sort(sorted.begin(), sorted.end());
  Csr row;
  append_merged(std::span<const std::pair<uint32_t, float>>(sorted), row);

  const auto f = static_cast<Eigen::Index>(options_.factors);
  const Eigen::Map<const RowMatrixF> y(item_factors_.data(), n_items_, f);
  const Eigen::MatrixXd gram = Eigen::Map<const Eigen::MatrixXd>(item_gram_.data(), f, f);
  SolveWorkspace ws(f, row.cols.size());
  const Eigen::VectorXd x =
      solve_row(gram, options_.regularization, options_.alpha, std::span<const uint32_t>(row.cols),
                std::span<const double>(row.weights), y, ws);
  Eigen::Map<Eigen::VectorXf>(out.data(), f) = x.cast<float>();
  return out;
}

std::span<const float> ImplicitAls::user_vector(uint32_t user) const {
  if (user >= n_users_) return {};
  return std::span<const float>(user_factors_).subspan(user * options_.factors, options_.factors);
}

std::span<const float> ImplicitAls::item_vector(uint32_t item) const {
  if (item >= n_items_) return {};
  return std::span<const float>(item_factors_).subspan(item * options_.factors, options_.factors);
}

float ImplicitAls::score(std::span<const float> user_vector, uint32_t item) const {
  if (item >= n_items_ || user_vector.size() != options_.factors) return 0.0f;
  return dot(user_vector.data(), item_factors_.data() + item * options_.factors, options_.factors);
}

std::vector<std::pair<uint32_t, float>> ImplicitAls::top_k(
    std::span<const float> user_vector, size_t k,
    const std::function<bool(uint32_t)>& exclude) const {
  std::vector<std::pair<uint32_t, float>> out;
  if (user_vector.size() != options_.factors || k == 0) return out;
  out.reserve(n_items_);
  for (uint32_t i = 0; i < n_items_; ++i) {
    if (exclude && exclude(i)) continue;
    out.emplace_back(
        i, dot(user_vector.data(), item_factors_.data() + i * options_.factors, options_.factors));
  }
  const auto key = [](float s) {
    return std::isnan(s) ? -std::numeric_limits<float>::infinity() : s;
  };
  const auto better = [&key](const std::pair<uint32_t, float>& a,
                             const std::pair<uint32_t, float>& b) {
    const float ka = key(a.second), kb = key(b.second);
    return ka != kb ? ka > kb : a.first < b.first;
  };
  const size_t n = std::min(k, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), better);
  out.resize(n);
  return out;
}

// Layout: "FSAL" u8 version | u32 factors | f64 regularization | f64 alpha | u32 iterations |
// u64 seed | u32 n_users | u32 n_items | f64 loss[iterations] | f32 user factors |
// f32 item factors | u64 FNV-1a of every byte before it.
std::string ImplicitAls::encode() const {
  Writer w;
  w.bytes(kMagic, sizeof(kMagic));
  w.pod<uint8_t>(kVersion);
  w.pod<uint32_t>(static_cast<uint32_t>(options_.factors));
  w.pod<double>(options_.regularization);
  w.pod<double>(options_.alpha);
  w.pod<uint32_t>(static_cast<uint32_t>(options_.iterations));
  w.pod<uint64_t>(options_.seed);
  w.pod<uint32_t>(n_users_);
  w.pod<uint32_t>(n_items_);
  w.bytes(loss_history_.data(), loss_history_.size() * sizeof(double));
  w.bytes(user_factors_.data(), user_factors_.size() * sizeof(float));
  w.bytes(item_factors_.data(), item_factors_.size() * sizeof(float));
  std::string out = w.take();
  const uint64_t sum = fnv1a64(out);
  out.append(reinterpret_cast<const char*>(&sum), sizeof(sum));
  return out;
}

Result<ImplicitAls> ImplicitAls::decode(std::string_view bytes) {
  const auto corrupt = [](const std::string& why) {
    return Status::corruption("implicit ALS model: " + why);
  };
  uint64_t stored_sum = 0;
  if (bytes.size() < sizeof(kMagic) + sizeof(stored_sum)) return corrupt("truncated");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) return corrupt("bad magic");
  std::memcpy(&stored_sum, bytes.data() + bytes.size() - sizeof(stored_sum), sizeof(stored_sum));
  const std::string_view body = bytes.substr(0, bytes.size() - sizeof(stored_sum));
  Reader r(body.substr(sizeof(kMagic)));
  uint8_t version = 0;
  if (!r.pod(version)) return corrupt("truncated header");
  if (version != kVersion) return corrupt("unsupported version " + std::to_string(version));

  ImplicitAls m;
  uint32_t factors = 0, iterations = 0;
  if (!r.pod(factors) || !r.pod(m.options_.regularization) || !r.pod(m.options_.alpha) ||
      !r.pod(iterations) || !r.pod(m.options_.seed) || !r.pod(m.n_users_) || !r.pod(m.n_items_)) {
    return corrupt("truncated header");
  }
  m.options_.factors = factors;
  m.options_.iterations = iterations;
  if (Status s = validate_options(m.options_); !s.is_ok()) return corrupt(s.message());
  if (m.n_items_ == 0) return corrupt("n_items is 0");
  const uint64_t n_floats = (uint64_t{m.n_users_} + m.n_items_) * factors;
  if (r.left() != uint64_t{iterations} * sizeof(double) + n_floats * sizeof(float)) {
    return corrupt("size " + std::to_string(bytes.size()) + " does not match the header");
  }
  if (fnv1a64(body) != stored_sum) return corrupt("checksum mismatch");

  m.loss_history_.resize(iterations);
  m.user_factors_.resize(static_cast<size_t>(m.n_users_) * factors);
  m.item_factors_.resize(static_cast<size_t>(m.n_items_) * factors);
  if (!r.bytes(m.loss_history_.data(), m.loss_history_.size() * sizeof(double)) ||
      !r.bytes(m.user_factors_.data(), m.user_factors_.size() * sizeof(float)) ||
      !r.bytes(m.item_factors_.data(), m.item_factors_.size() * sizeof(float))) {
    return corrupt("truncated factors");
  }
  if (!std::all_of(m.loss_history_.begin(), m.loss_history_.end(),
                   [](double v) { return std::isfinite(v); }) ||
      !all_finite(m.user_factors_) || !all_finite(m.item_factors_)) {
    return corrupt("non-finite value");
  }
  m.compute_item_gram();
  return m;
}

}  // namespace feedscout
