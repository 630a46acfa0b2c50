#include "feedscout/engine/file_ingest.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

namespace feedscout {

Result<FileIngestResult> ingest_jsonl_file(Engine& engine, const std::string& path,
                                           const FileIngestOptions& options) {
  std::string kind = options.kind;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("input file '" + path + "' cannot be opened");
  FileIngestResult result;
  const auto start = std::chrono::steady_clock::now();
  const size_t chunk_lines_limit = std::max<size_t>(1, options.chunk_lines);

  std::mutex mu;  // guards `in`, line_no, kind and result
  size_t line_no = 0;
  auto worker = [&] {
    std::string chunk, line;
    while (true) {
      size_t first_line = 0, chunk_lines = 0;
      std::string chunk_kind;
      chunk.clear();
      {
        std::lock_guard lk(mu);
        first_line = line_no + 1;
        while (chunk_lines < chunk_lines_limit && std::getline(in, line)) {
          ++line_no;
          ++chunk_lines;
          if (kind == "auto" && line.find_first_not_of(" \t\r") != std::string::npos) {
            kind = line.find("\"title\"") != std::string::npos ? "documents" : "events";
          }
          chunk += line;
          chunk += '\n';
        }
        chunk_kind = kind;
      }
      if (chunk_lines == 0) return;
      IngestReport r = chunk_kind == "documents" ? engine.ingest_documents(chunk, first_line)
                                                 : engine.ingest_events(chunk, first_line);
      std::lock_guard lk(mu);
      if (!r.commit_status.is_ok()) {
        result.rejected += r.accepted + r.duplicates + r.rejected;
        result.errors.push_back({first_line, "", r.commit_status.to_string()});
        continue;
      }
      result.accepted += r.accepted;
      result.duplicates += r.duplicates;
      result.rejected += r.rejected;
      for (auto& e : r.errors) {
        if (result.errors.size() < options.max_errors) result.errors.push_back(std::move(e));
      }
    }
  };
  std::vector<std::thread> helpers;
  for (int i = 1; i < options.workers; ++i) helpers.emplace_back(worker);
  worker();
  for (auto& t : helpers) t.join();
  std::sort(result.errors.begin(), result.errors.end(),
            [](const ItemError& a, const ItemError& b) { return a.position < b.position; });
  result.kind = kind == "auto" ? "events" : kind;
  result.lines = line_no;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace feedscout
