// Streaming a search log into the miner and writing the mined pairs; see mining_run.h.
#include <charconv>
#include <fstream>

#include "feedscout/intent/mining_run.h"

namespace feedscout::intent {
namespace {

bool is_doc_reason(std::string_view reason) {
  return reason == kReasonEmptyDoc || reason == kReasonDocTooLong;
}

uint64_t example_weight(const MinedPair& p) {
  return p.query_clicks + p.refined_clicks;
}

// The same text as append_json_string, appending runs that need no escape at once (the
// pairs file has a line per distinct pair).
void append_json(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

}  // namespace

Result<LogCounts> feed_search_log(SearchLogReader& reader, IntentMiner& miner) {
  LogCounts counts;
  SearchRow row;
  while (reader.next(row)) {
    ++counts.rows;
    for (const std::string& doc : row.docs) {
      const Status s = miner.add_click(row.query, doc);
      if (s.is_ok()) {
        ++counts.clicks;
        continue;
      }
      if (s.code() != Status::Code::kInvalidArgument) return s;
      counts.rejected.add(s.message(), reader.name(), row.line);
      if (!is_doc_reason(s.message())) break;  // the query is unusable for every document
    }
  }
  counts.lines = reader.lines();
  return counts;
}

void append_mined_pair_json(std::string& out, const MinedPair& p) {
  auto number = [&out](const char* key, uint64_t v) {
    out += key;
    char buf[24];
    out.append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
  };
  auto list = [&out](const char* key, const auto& items) {
    out += key;
    bool first = true;
    for (const auto& item : items) {
      if (!first) out += ',';
      first = false;
      append_json(out, item);
    }
    out += ']';
  };
  out += "{\"query\":";
  append_json(out, p.query);
  out += ",\"doc\":";
  append_json(out, p.doc);
  out += ",\"refined\":";
  append_json(out, p.refined);
  number(",\"query_clicks\":", p.query_clicks);
  number(",\"refined_clicks\":", p.refined_clicks);
  number(",\"query_tokens\":", p.query_tokens);
  number(",\"refined_tokens\":", p.refined_tokens);
  number(",\"candidates\":", p.candidates);
  list(",\"added\":[", p.added);
  list(",\"added_text\":[", p.added_text);
  out += '}';
}

Result<PairsWritten> write_mined_pairs(const IntentMiner& miner, const std::string& path,
                                       bool only_refined, size_t examples) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::io_error("cannot write '" + path + "'");
  PairsWritten written;
  MinedPair doc_best;  // the best example of the current document
  bool have_best = false;
  auto offer = [&](const MinedPair& p) {  // keeps the `examples` heaviest, first seen on ties
    auto& ex = written.examples;
    size_t at = ex.size();
    while (at > 0 && example_weight(ex[at - 1]) < example_weight(p)) --at;
    if (at >= examples) return;
    ex.insert(ex.begin() + static_cast<std::ptrdiff_t>(at), p);
    if (ex.size() > examples) ex.pop_back();
  };
  constexpr size_t kFlushBytes = 1 << 20;
  std::string buf;
  buf.reserve(kFlushBytes + 4096);
  miner.for_each_pair([&](const MinedPair& p) {
    if (have_best && doc_best.doc != p.doc) {
      offer(doc_best);
      have_best = false;
    }
    if (p.refined_differs() && (!have_best || example_weight(p) > example_weight(doc_best))) {
      doc_best = p;
      have_best = true;
    }
    if (only_refined && !p.refined_differs()) return;
    append_mined_pair_json(buf, p);
    buf += '\n';
    ++written.lines;
    if (buf.size() >= kFlushBytes) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  });
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  if (have_best) offer(doc_best);
  out.flush();
  if (!out) return Status::io_error("cannot write '" + path + "'");
  return written;
}

}  // namespace feedscout::intent
