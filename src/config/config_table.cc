#include "feedscout/config/config_table.h"

#include <toml++/toml.h>

namespace feedscout {

struct ConfigTable::Root {
  toml::table table;
};

Result<ConfigTable> ConfigTable::parse(std::string_view toml_text, const std::string& source) {
  // toml++ is built with exceptions here: they stay inside this function.
  auto root = std::make_unique<Root>();
  try {
    root->table = toml::parse(toml_text, source);
  } catch (const toml::parse_error& err) {
    return Status::invalid_argument(source + ":" + std::to_string(err.source().begin.line) + ": " +
                                    std::string(err.description()));
  }
  return ConfigTable(std::move(root), source);
}

ConfigTable::ConfigTable(std::unique_ptr<Root> root, std::string source)
    : root_(std::move(root)), source_(std::move(source)) {}
ConfigTable::ConfigTable(ConfigTable&&) noexcept = default;
ConfigTable& ConfigTable::operator=(ConfigTable&&) noexcept = default;
ConfigTable::~ConfigTable() = default;

namespace {

// The node at section.key, or null; records the key as known.
const toml::node* find(const toml::table& root, std::set<std::string>& known,
                       const std::string& path) {
  known.insert(path);
  return root.at_path(path).node();
}

}  // namespace

void ConfigTable::fail(const Status& error) {
  if (status_.is_ok() && !error.is_ok()) status_ = error.with_context(source_);
}

namespace {

// Reads section.key as a T into `out` when present and no error is recorded yet; a value of
// another type, or one `accept` refuses, records a "wrong type" error. True when read.
template <typename T, typename Accept>
bool read_scalar(const toml::table& root, std::set<std::string>& known, Status& status,
                 const std::string& source, const std::string& section, const std::string& key,
                 T& out, Accept&& accept) {
  const std::string path = section + "." + key;
  const toml::node* n = find(root, known, path);
  if (n == nullptr || !status.is_ok()) return false;
  if (auto v = n->value<T>(); v && accept(*v)) {
    out = *v;
    return true;
  }
  status = Status::invalid_argument(source + ": key '" + path + "' has the wrong type");
  return false;
}

constexpr auto kAny = [](const auto&) { return true; };

}  // namespace

void ConfigTable::read_string(const std::string& section, const std::string& key,
                              std::string& out) {
  read_scalar(root_->table, known_, status_, source_, section, key, out, kAny);
}

void ConfigTable::read_bool(const std::string& section, const std::string& key, bool& out) {
  read_scalar(root_->table, known_, status_, source_, section, key, out, kAny);
}

bool ConfigTable::read_count(const std::string& section, const std::string& key, int64_t& out) {
  return read_scalar(root_->table, known_, status_, source_, section, key, out,
                     [](int64_t v) { return v >= 0; });
}

bool ConfigTable::read_number(const std::string& section, const std::string& key, double& out) {
  return read_scalar(root_->table, known_, status_, source_, section, key, out, kAny);
}

void ConfigTable::read_numbers(const std::string& section, const std::string& key,
                               std::span<double> out, std::string_view shape) {
  const std::string path = section + "." + key;
  const toml::node* n = find(root_->table, known_, path);
  if (n == nullptr || !status_.is_ok()) return;
  const toml::array* arr = n->as_array();
  if (arr == nullptr || arr->size() != out.size()) {
    status_ =
        Status::invalid_argument(source_ + ": key '" + path + "' must be an array of " +
                                 std::to_string(out.size()) + " numbers " + std::string(shape));
    return;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    auto v = (*arr)[i].value<double>();
    if (!v || *v < 0) {
      status_ = Status::invalid_argument(source_ + ": key '" + path + "' has a bad element");
      return;
    }
    out[i] = *v;
  }
}

Status ConfigTable::finish() const {
  if (!status_.is_ok()) return status_;
  for (const auto& [section, node] : root_->table) {
    const toml::table* t = node.as_table();
    if (t == nullptr) {
      return Status::invalid_argument(source_ + ": unknown top-level key '" +
                                      std::string(section.str()) + "'");
    }
    for (const auto& [key, value] : *t) {
      const std::string path = std::string(section.str()) + "." + std::string(key.str());
      if (!known_.count(path)) {
        return Status::invalid_argument(source_ + ": unknown key '" + path + "'");
      }
    }
  }
  return Status::ok();
}

}  // namespace feedscout
