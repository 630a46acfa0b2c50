// FeatureLog; the contract and record format are in include/feedscout/engine/feature_log.h.
#include "feedscout/engine/feature_log.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "feedscout/common/hash.h"

namespace feedscout {
namespace {

constexpr uint8_t kPageRecord = 1;
constexpr uint8_t kClickRecord = 2;
constexpr size_t kHeaderBytes = 4 + 8;
constexpr size_t kMaxPayloadBytes = 64 << 20;

namespace fs = std::filesystem;

template <typename T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}
void put_string(std::string& out, const std::string& s) {
  put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out += s;
}

// Reads fields from a payload; any read past the end makes ok() false.
class Reader {
 public:
  explicit Reader(std::string_view p) : p_(p) {}
  template <typename T>
  T get() {
    T v{};
    if (p_.size() - pos_ < sizeof(T) || pos_ > p_.size()) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, p_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string get_string() {
    const uint32_t n = get<uint32_t>();
    if (!ok_ || p_.size() - pos_ < n) {
      ok_ = false;
      return {};
    }
    std::string s(p_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool ok() const { return ok_; }
  bool done() const { return pos_ == p_.size(); }

 private:
  std::string_view p_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::string segment_name(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%012llu.flog", static_cast<unsigned long long>(n));
  return buf;
}

// Segment numbers in `dir`, ascending.
std::vector<uint64_t> segments_in(const std::string& dir) {
  std::vector<uint64_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 17 || name.substr(12) != ".flog") continue;
    uint64_t n = 0;
    const auto r = std::from_chars(name.data(), name.data() + 12, n);
    if (r.ec == std::errc() && r.ptr == name.data() + 12) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool parse_page(Reader& r, const FeatureSchema& schema, const std::string& fingerprint,
                LoggedPage* page, bool* other_schema) {
  page->request_id = r.get_string();
  page->user = r.get_string();
  page->time_ms = r.get<int64_t>();
  page->model_version = r.get_string();
  const std::string logged_fingerprint = r.get_string();
  const uint32_t n = r.get<uint32_t>();
  const uint32_t width = r.get<uint32_t>();
  if (!r.ok()) return false;
  *other_schema = logged_fingerprint != fingerprint || width != schema.features.size();
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    page->doc_ids.push_back(r.get_string());
    page->served.push_back(r.get<uint32_t>());
    for (uint32_t f = 0; f < width; ++f) page->features.push_back(r.get<float>());
  }
  return r.ok() && r.done();
}

}  // namespace

FeatureLog::FeatureLog(std::string dir, FeatureLogConfig config, FeatureSchema schema,
                       uint64_t next)
    : dir_(std::move(dir)),
      config_(config),
      schema_(std::move(schema)),
      fingerprint_(schema_.fingerprint()),
      segment_(next) {}

FeatureLog::~FeatureLog() {
  flush();
}

Result<std::unique_ptr<FeatureLog>> FeatureLog::open(const std::string& dir,
                                                     const FeatureLogConfig& config,
                                                     const FeatureSchema& schema) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::io_error("feature log: cannot create '" + dir + "': " + ec.message());
  const auto existing = segments_in(dir);
  const uint64_t next = existing.empty() ? 1 : existing.back() + 1;
  std::unique_ptr<FeatureLog> log(new FeatureLog(dir, config, schema, next));
  std::lock_guard lk(log->mu_);
  log->segment_ -= 1;  // rotate_locked opens segment_ + 1
  FEEDSCOUT_RETURN_IF_ERROR(log->rotate_locked());
  return log;
}

bool FeatureLog::sampled(const std::string& request_id) const {
  if (config_.sample_rate >= 1) return true;
  if (config_.sample_rate <= 0) return false;
  const double u = static_cast<double>(mix64(fnv1a64(request_id)) >> 11) * 0x1.0p-53;
  return u < config_.sample_rate;
}

Status FeatureLog::rotate_locked() {
  if (out_.is_open()) out_.close();
  ++segment_;
  const std::string path = (fs::path(dir_) / segment_name(segment_)).string();
  out_.open(path, std::ios::binary | std::ios::app);
  if (!out_) return Status::io_error("feature log: cannot open '" + path + "'");
  segment_size_ = 0;
  const auto all = segments_in(dir_);
  for (size_t i = 0; i + config_.max_segments < all.size(); ++i) {
    std::error_code ec;
    fs::remove(fs::path(dir_) / segment_name(all[i]), ec);
  }
  return Status::ok();
}

void FeatureLog::append_locked(const std::string& payload) {
  if (segment_size_ >= config_.segment_bytes && !rotate_locked().is_ok()) {
    ++failures_;
    return;
  }
  std::string record;
  record.reserve(kHeaderBytes + payload.size());
  put<uint32_t>(record, static_cast<uint32_t>(payload.size()));
  put<uint64_t>(record, fnv1a64(payload));
  record += payload;
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
  if (!out_) {
    ++failures_;
    out_.clear();
    return;
  }
  segment_size_ += record.size();
}

void FeatureLog::log_page(const LoggedPage& page) {
  const size_t width = schema_.features.size();
  if (page.features.size() != page.doc_ids.size() * width) {
    std::lock_guard lk(mu_);
    ++failures_;
    return;
  }
  std::string p;
  p.reserve(64 + page.doc_ids.size() * (24 + 4 * width));
  put<uint8_t>(p, kPageRecord);
  put_string(p, page.request_id);
  put_string(p, page.user);
  put<int64_t>(p, page.time_ms);
  put_string(p, page.model_version);
  put_string(p, fingerprint_);
  put<uint32_t>(p, static_cast<uint32_t>(page.doc_ids.size()));
  put<uint32_t>(p, static_cast<uint32_t>(width));
  for (size_t i = 0; i < page.doc_ids.size(); ++i) {
    put_string(p, page.doc_ids[i]);
    put<uint32_t>(p, i < page.served.size() ? page.served[i] : 0);
    p.append(reinterpret_cast<const char*>(page.features.data() + i * width), 4 * width);
  }
  std::lock_guard lk(mu_);
  append_locked(p);
  ++pages_;
}

void FeatureLog::log_click(const std::string& user, const std::string& doc_id, TimeMs time_ms) {
  std::string p;
  put<uint8_t>(p, kClickRecord);
  put_string(p, user);
  put_string(p, doc_id);
  put<int64_t>(p, time_ms);
  std::lock_guard lk(mu_);
  append_locked(p);
  ++clicks_;
}

void FeatureLog::flush() {
  std::lock_guard lk(mu_);
  if (out_.is_open()) out_.flush();
}

uint64_t FeatureLog::pages_logged() const {
  std::lock_guard lk(mu_);
  return pages_;
}
uint64_t FeatureLog::clicks_logged() const {
  std::lock_guard lk(mu_);
  return clicks_;
}
uint64_t FeatureLog::write_failures() const {
  std::lock_guard lk(mu_);
  return failures_;
}

Result<FeatureLogContents> read_feature_log(const std::string& dir, const FeatureSchema& schema) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::not_found("feature log '" + dir + "' not found");
  FeatureLogContents out;
  const std::string fingerprint = schema.fingerprint();
  for (uint64_t n : segments_in(dir)) {
    const std::string path = (fs::path(dir) / segment_name(n)).string();
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++out.segments;
    auto problem = [&](const std::string& what) {
      ++out.bad_records;
      if (out.first_problem.empty()) out.first_problem = path + ": " + what;
    };
    size_t pos = 0;
    while (pos < bytes.size()) {
      if (bytes.size() - pos < kHeaderBytes) {
        problem("torn record header at byte " + std::to_string(pos));
        break;
      }
      uint32_t len = 0;
      uint64_t sum = 0;
      std::memcpy(&len, bytes.data() + pos, 4);
      std::memcpy(&sum, bytes.data() + pos + 4, 8);
      if (len > kMaxPayloadBytes || bytes.size() - pos - kHeaderBytes < len) {
        problem("torn record at byte " + std::to_string(pos));
        break;  // the rest of the segment cannot be framed
      }
      const std::string_view payload(bytes.data() + pos + kHeaderBytes, len);
      pos += kHeaderBytes + len;
      if (fnv1a64(payload) != sum) {
        problem("checksum mismatch at byte " + std::to_string(pos - len - kHeaderBytes));
        continue;
      }
      Reader r(payload);
      const uint8_t kind = r.get<uint8_t>();
      if (kind == kPageRecord) {
        LoggedPage page;
        bool other = false;
        if (!parse_page(r, schema, fingerprint, &page, &other)) {
          problem("malformed page record");
        } else if (other) {
          ++out.other_schema_pages;
        } else {
          out.pages.push_back(std::move(page));
        }
      } else if (kind == kClickRecord) {
        FeedbackClick c;
        c.user = r.get_string();
        c.doc_id = r.get_string();
        c.time_ms = r.get<int64_t>();
        if (r.ok() && r.done()) {
          out.clicks.push_back(std::move(c));
        } else {
          problem("malformed click record");
        }
      } else {
        problem("unknown record kind " + std::to_string(kind));
      }
    }
  }
  return out;
}

}  // namespace feedscout
