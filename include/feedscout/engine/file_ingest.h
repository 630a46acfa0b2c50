// Ingesting a JSON Lines file through an Engine — the path `feedscout ingest` and the demo
// use, and the one the ingest benchmark measures.
#pragma once

#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/engine/engine.h"

namespace feedscout {

struct FileIngestOptions {
  // "events", "documents" or "auto" (documents when the first item has a "title").
  std::string kind = "auto";
  size_t chunk_lines = 8192;
  // Chunks in flight: with 2, one chunk is parsed while the engine's writer commits the
  // previous one. Chunks may then commit out of file order, which is safe: contexts do not
  // depend on event order and ids are idempotent (events may reference documents of an
  // earlier file or call only).
  int workers = 2;
  size_t max_errors = 1000;  // errors kept (the counts stay exact)
};

struct FileIngestResult {
  std::string kind;
  size_t lines = 0, accepted = 0, duplicates = 0, rejected = 0;
  std::vector<ItemError> errors;  // sorted by line; at most max_errors of them
  double seconds = 0;
};

// Fails only when the file cannot be read; bad lines are counted and reported in the
// result, and a failed durable write is reported as an error naming the chunk's first line.
[[nodiscard]] Result<FileIngestResult> ingest_jsonl_file(Engine& engine, const std::string& path,
                                                         const FileIngestOptions& options = {});

}  // namespace feedscout
