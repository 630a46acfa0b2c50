// The engine's key layout in the KvStore (private to src/engine).
//   m/taxonomy      fingerprint of the taxonomy the data was built with
//   m/applied_seq   the last log sequence number whose effects the checkpoint holds
//   d/<doc id>      canonical document JSON
//   e/<event id>    the event as a binary record (ingest/event_record.h; data written before
//                   2026-12-07 holds canonical event JSON, still read); its presence makes the
//                   id a duplicate
//   l/<seq>         the event log, one record per commit: the first sequence number (16 hex
//                   digits) → the commit's event ids joined by '\n' (ids have no control
//                   characters), the k-th having seq + k. Records wholly covered by a
//                   checkpoint are trimmed (commits and checkpoints alternate on the writer
//                   thread, so a checkpoint never splits a record); the rest is replayed.
//   u/<user id>     UserContext::encode() as of m/applied_seq
//   p/<doc id>      popularity as of m/applied_seq: double decayed clicks, int64 anchor ms
//   c/<doc id>      co-click state as of m/applied_seq (CoClickIndex::encode)
//   v/<doc id>      the document's embedding: d float32 values, native (little-endian) order,
//                   written with the document (embeddings.kind != none)
//   m/embedder      "<Embedder::describe()>\n<d>" of the stored vectors; another value means
//                   they are re-embedded on open
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace feedscout::keys {

inline constexpr std::string_view kTaxonomyFingerprint = "m/taxonomy";
inline constexpr std::string_view kAppliedSeq = "m/applied_seq";
inline constexpr std::string_view kDocPrefix = "d/";
inline constexpr std::string_view kEventPrefix = "e/";
inline constexpr std::string_view kLogPrefix = "l/";
inline constexpr std::string_view kUserPrefix = "u/";
inline constexpr std::string_view kPopularityPrefix = "p/";
inline constexpr std::string_view kCoClickPrefix = "c/";
inline constexpr std::string_view kVectorPrefix = "v/";
inline constexpr std::string_view kEmbedder = "m/embedder";

inline std::string with_prefix(std::string_view prefix, std::string_view id) {
  std::string k;
  k.reserve(prefix.size() + id.size());
  k.append(prefix);
  k.append(id);
  return k;
}
inline std::string doc(std::string_view id) {
  return with_prefix(kDocPrefix, id);
}
inline std::string event(std::string_view id) {
  return with_prefix(kEventPrefix, id);
}
inline std::string user(std::string_view id) {
  return with_prefix(kUserPrefix, id);
}
inline std::string popularity(std::string_view id) {
  return with_prefix(kPopularityPrefix, id);
}
inline std::string coclick(std::string_view id) {
  return with_prefix(kCoClickPrefix, id);
}
inline std::string vector(std::string_view id) {
  return with_prefix(kVectorPrefix, id);
}
inline std::string log(uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "l/%016llx", static_cast<unsigned long long>(seq));
  return buf;
}

}  // namespace feedscout::keys
