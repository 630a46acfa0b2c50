// MovieLens adapter (ml-latest-small layout). The mapping is documented in datasets.h and
// docs/DATASETS.md.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "dataset_common.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/text/utf8.h"

namespace feedscout {
namespace {

using namespace dataset_internal;

constexpr char kMoviesFile[] = "movies.csv";
constexpr char kRatingsFile[] = "ratings.csv";
constexpr char kNoGenres[] = "(no genres listed)";
constexpr size_t kMaxTopics = 3;         // Document's limit
constexpr size_t kMaxTitleBytes = 4096;  // ParseLimits::max_title_bytes
constexpr double kMinRating = 0.5, kMaxRating = 5.0;
constexpr uint64_t kMaxTimestampS = 100'000'000'000ULL;  // year ~5138; keeps ms in range

struct Movie {
  std::string id;
  std::string title;
  std::vector<std::string> genres;  // sanitized, distinct, in file order
  TimeMs first_rating_ms = -1;      // -1: not rated
};

struct Rating {
  std::string user;
  size_t movie = 0;  // index into the movie list
  double rating = 0;
  TimeMs time_ms = 0;
};

// Reads the header line (a UTF-8 byte order mark tolerated) and checks it names exactly
// `expected`; errors name path:line.
Status check_header(LineReader& lines, const std::string& path,
                    const std::vector<std::string>& expected) {
  std::string_view line;
  if (!lines.next(line)) {
    return Status::invalid_argument(path + ":1: empty file, expected the header line");
  }
  if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  std::vector<std::string> fields;
  bool ok = split_csv(line, fields) && fields.size() == expected.size();
  for (size_t i = 0; ok && i < fields.size(); ++i) ok = trim(fields[i]) == expected[i];
  if (ok) return Status::ok();
  std::string want;
  for (const auto& f : expected) want += (want.empty() ? "" : ",") + f;
  return Status::invalid_argument(path + ":" + std::to_string(lines.line_no()) +
                                  ": bad header, expected '" + want + "'");
}

Status read_movies(const std::string& dir, std::vector<Movie>& movies,
                   std::unordered_map<std::string, size_t>& by_id, SkipCounter& skipped,
                   size_t& rows_read) {
  const std::string path = join_path(dir, kMoviesFile);
  auto text = read_file(path);
  if (!text.is_ok()) return text.status();
  LineReader lines(*text);
  FEEDSCOUT_RETURN_IF_ERROR(check_header(lines, path, {"movieId", "title", "genres"}));
  std::string_view line;
  std::vector<std::string> fields;
  std::vector<std::string_view> parts;
  while (lines.next(line)) {
    if (is_blank(line)) continue;
    ++rows_read;
    const size_t n = lines.line_no();
    auto skip = [&](const char* why) {
      skipped.add(std::string(kMoviesFile) + ": " + why, kMoviesFile, n);
    };
    if (!text::is_valid_utf8(line)) {
      skip("invalid UTF-8");
      continue;
    }
    if (!split_csv(line, fields)) {
      skip("malformed CSV quoting");
      continue;
    }
    if (fields.size() != 3) {
      skip("wrong column count");
      continue;
    }
    uint64_t id;
    if (!parse_uint(trim(fields[0]), id)) {
      skip("bad movieId");
      continue;
    }
    Movie m;
    m.id = std::to_string(id);
    m.title = std::string(trim(fields[1]));
    if (m.title.empty()) {
      skip("empty title");
      continue;
    }
    if (m.title.size() > kMaxTitleBytes) {
      skip("title too long");
      continue;
    }
    const std::string_view genres = trim(fields[2]);
    if (!genres.empty() && genres != kNoGenres) {
      split_on(genres, '|', parts);
      for (std::string_view raw : parts) {
        std::string g = taxonomy_name(raw);
        if (g.empty() || g == kNoGenres) {
          skip("empty genre name (genre dropped)");
          continue;
        }
        if (std::find(m.genres.begin(), m.genres.end(), g) == m.genres.end()) {
          m.genres.push_back(std::move(g));
        }
      }
    }
    if (by_id.count(m.id)) {
      skip("duplicate movieId (later row ignored)");
      continue;
    }
    by_id.emplace(m.id, movies.size());
    movies.push_back(std::move(m));
  }
  return Status::ok();
}

Status read_ratings(const std::string& dir, const MovieLensOptions& options,
                    std::vector<Movie>& movies,
                    const std::unordered_map<std::string, size_t>& movie_by_id,
                    std::vector<Rating>& ratings, SkipCounter& skipped, size_t& rows_read) {
  const std::string path = join_path(dir, kRatingsFile);
  auto text = read_file(path);
  if (!text.is_ok()) return text.status();
  LineReader lines(*text);
  FEEDSCOUT_RETURN_IF_ERROR(
      check_header(lines, path, {"userId", "movieId", "rating", "timestamp"}));
  std::unordered_set<std::string> seen;  // "user movie"
  std::string_view line;
  std::vector<std::string> fields;
  size_t data_rows = 0;
  while (lines.next(line)) {
    if (is_blank(line)) continue;
    if (options.max_ratings > 0 && data_rows == options.max_ratings) break;
    ++data_rows;
    ++rows_read;
    const size_t n = lines.line_no();
    auto skip = [&](const char* why) {
      skipped.add(std::string(kRatingsFile) + ": " + why, kRatingsFile, n);
    };
    if (!split_csv(line, fields)) {
      skip("malformed CSV quoting");
      continue;
    }
    if (fields.size() != 4) {
      skip("wrong column count");
      continue;
    }
    uint64_t user, movie, seconds;
    double rating;
    if (!parse_uint(trim(fields[0]), user)) {
      skip("bad userId");
      continue;
    }
    if (!parse_uint(trim(fields[1]), movie)) {
      skip("bad movieId");
      continue;
    }
    if (!parse_double(trim(fields[2]), rating) || rating < kMinRating || rating > kMaxRating) {
      skip("bad rating (not a number in 0.5..5)");
      continue;
    }
    if (!parse_uint(trim(fields[3]), seconds) || seconds > kMaxTimestampS) {
      skip("bad timestamp");
      continue;
    }
    auto it = movie_by_id.find(std::to_string(movie));
    if (it == movie_by_id.end()) {
      skip("unknown movieId (not a usable row of movies.csv)");
      continue;
    }
    Rating r;
    r.user = std::to_string(user);
    r.movie = it->second;
    r.rating = rating;
    r.time_ms = static_cast<TimeMs>(seconds) * kMsPerSecond;
    if (!seen.insert(r.user + " " + movies[r.movie].id).second) {
      skip("duplicate rating of a movie by the same user (later row ignored)");
      continue;
    }
    Movie& m = movies[r.movie];
    if (m.first_rating_ms < 0 || r.time_ms < m.first_rating_ms) m.first_rating_ms = r.time_ms;
    ratings.push_back(std::move(r));
  }
  return Status::ok();
}

}  // namespace

Result<EvalDataset> load_movielens(const std::string& dir, const MovieLensOptions& options) {
  if (!std::isfinite(options.click_min_rating)) {
    return Status::invalid_argument("MovieLens options: click_min_rating must be a number");
  }
  if (options.surface == Surface::kSearch) {
    return Status::invalid_argument("MovieLens options: surface must be feed or main");
  }
  SkipCounter skipped;
  EvalDataset ds;
  ds.name = "movielens";
  std::vector<Movie> movies;
  std::unordered_map<std::string, size_t> movie_by_id;
  FEEDSCOUT_RETURN_IF_ERROR(read_movies(dir, movies, movie_by_id, skipped, ds.stats.rows_read));
  std::vector<Rating> ratings;
  FEEDSCOUT_RETURN_IF_ERROR(
      read_ratings(dir, options, movies, movie_by_id, ratings, skipped, ds.stats.rows_read));

  // Taxonomy: every genre of a usable movie, sorted by name.
  std::map<std::string, size_t> genre_movies;  // genre → movies carrying it
  for (const Movie& m : movies) {
    for (const auto& g : m.genres) ++genre_movies[g];
  }
  if (genre_movies.empty()) {
    return Status::invalid_argument(
        join_path(dir, kMoviesFile) +
        ": no usable movie lists a genre; nothing to build topics from");
  }
  ds.taxonomy_tsv = "id\tparent\tname\tname_en\n";
  for (const auto& [g, count] : genre_movies) {
    ds.taxonomy_tsv += "g:" + g + "\t\t" + g + "\t" + g + "\n";
  }
  FEEDSCOUT_RETURN_IF_ERROR(parse_taxonomy(ds));

  // Events, in file order here; finish_dataset sorts them by time (stable).
  TimeMs first_ms = 0;
  if (!ratings.empty()) {
    first_ms =
        std::min_element(ratings.begin(), ratings.end(), [](const Rating& a, const Rating& b) {
          return a.time_ms < b.time_ms;
        })->time_ms;
  }
  for (const Rating& r : ratings) {
    const std::string& movie = movies[r.movie].id;
    const std::string stem = "ml-" + r.user + "-" + movie;
    const bool click = r.rating >= options.click_min_rating;
    Event e;
    e.user = r.user;
    e.time_ms = r.time_ms;
    e.surface = options.surface;
    e.doc_ids = {movie};
    if (options.emit_impressions) {
      e.id = stem + "-i";
      e.type = EventType::kImpression;
      ds.events.push_back(e);
    }
    if (click) {
      e.id = stem + "-c";
      e.type = EventType::kClick;
      ds.events.push_back(e);
      ++ds.stats.positive_interactions;
    }
    ds.interactions.push_back({r.user, movie, r.time_ms, r.rating, click, options.surface});
  }
  ds.stats.interactions = ds.interactions.size();
  std::unordered_set<std::string_view> users;
  for (const Rating& r : ratings) users.insert(r.user);
  ds.stats.users_read = users.size();

  // Documents: up to kMaxTopics genres, the rarest (most specific) first.
  for (Movie& m : movies) {
    Document d;
    d.id = m.id;
    d.title = std::move(m.title);
    d.source = "movielens";
    d.created_ms = m.first_rating_ms >= 0 ? m.first_rating_ms : first_ms;
    if (m.first_rating_ms < 0) ++ds.stats.documents_unreferenced;
    std::vector<std::string> genres = m.genres;
    std::stable_sort(genres.begin(), genres.end(), [&](const std::string& a, const std::string& b) {
      const size_t ca = genre_movies.at(a), cb = genre_movies.at(b);
      return ca != cb ? ca < cb : a < b;
    });
    if (genres.size() > kMaxTopics) {
      ds.stats.topic_labels_dropped += genres.size() - kMaxTopics;
      genres.resize(kMaxTopics);
    }
    for (const auto& g : genres) {
      DocTopic t;
      t.topic = *ds.taxonomy.find_by_external_id("g:" + g);
      d.topics.push_back(t);
    }
    ds.documents.push_back(std::move(d));
  }

  ds.skipped = skipped.take();
  finish_dataset(ds);
  return ds;
}

}  // namespace feedscout
