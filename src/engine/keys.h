// The engine's key layout in the KvStore (private to src/engine).
//   m/taxonomy   fingerprint of the taxonomy the data was built with
//   d/<doc id>   canonical document JSON
//   e/<event id> canonical event JSON (its presence makes the id a duplicate)
//   u/<user id>  UserContext::encode()
//   p/<doc id>   popularity: double decayed clicks, int64 anchor ms
#pragma once

#include <string>
#include <string_view>

namespace feedscout::keys {

inline constexpr std::string_view kTaxonomyFingerprint = "m/taxonomy";
inline constexpr std::string_view kDocPrefix = "d/";
inline constexpr std::string_view kEventPrefix = "e/";
inline constexpr std::string_view kUserPrefix = "u/";
inline constexpr std::string_view kPopularityPrefix = "p/";

inline std::string doc(std::string_view id) { return std::string(kDocPrefix) + std::string(id); }
inline std::string event(std::string_view id) {
  return std::string(kEventPrefix) + std::string(id);
}
inline std::string user(std::string_view id) { return std::string(kUserPrefix) + std::string(id); }
inline std::string popularity(std::string_view id) {
  return std::string(kPopularityPrefix) + std::string(id);
}

}  // namespace feedscout::keys
