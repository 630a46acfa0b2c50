#include "report.h"

#include <cstdio>

namespace feedscout::cli {
namespace {

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string age(TimeMs now, TimeMs t) {
  const double hours = static_cast<double>(now - t) / kMsPerHour;
  if (hours < 48) return fixed(hours, 0) + "h ago";
  return fixed(hours / 24, 0) + "d ago";
}

void print_topics(std::ostream& out, const Taxonomy& tax, const std::vector<TopicScore>& topics,
                  size_t top) {
  if (topics.empty()) {
    out << "      (no evidence)\n";
    return;
  }
  for (size_t i = 0; i < topics.size() && i < top; ++i) {
    const auto& t = topics[i];
    out << "      " << fixed(t.score, 3) << "  L" << tax.node(t.topic).level << "  "
        << tax.node(t.topic).path << "   (clicks " << fixed(t.clicks, 1) << ", impressions "
        << fixed(t.impressions, 1) << ")\n";
  }
}

}  // namespace

void print_user_report(std::ostream& out, Engine& engine, const std::string& user,
                       const std::string& label, size_t top, size_t n) {
  bool known = false;
  const ContextView view = engine.context(user, &known);
  const Taxonomy& tax = engine.taxonomy();
  out << "\n=== " << label << ": user '" << user << "' — class " << user_class_name(view.user_class)
      << (known ? "" : " (no history)") << " ===\n";
  out << "  feed activity (decayed feed clicks): " << fixed(view.feed_activity, 1)
      << "   surface weights: search " << fixed(view.surface_weights[0], 2) << ", feed "
      << fixed(view.surface_weights[1], 2) << ", main " << fixed(view.surface_weights[2], 2)
      << "\n";
  for (int s = 0; s < kNumSurfaces; ++s) {
    out << "  [1] topic preference on " << surface_name(static_cast<Surface>(s)) << ":\n";
    print_topics(out, tax, view.per_surface[s], top);
  }
  out << "  [2] integrated cross-surface preference:\n";
  print_topics(out, tax, view.integrated, top);
  out << "  recent searches:";
  if (view.recent_searches.empty()) out << " (none)";
  out << "\n";
  for (size_t i = 0; i < view.recent_searches.size() && i < 3; ++i) {
    const auto& r = view.recent_searches[i];
    out << "      '" << r.query << "'  " << age(view.now_ms, r.time_ms) << ", " << r.clicked.size()
        << " clicked\n";
  }
  const FeedPage page = engine.feed(user, n, /*remember_served=*/false);
  out << "  feed (top " << n << "):\n";
  for (size_t i = 0; i < page.items.size(); ++i) {
    const auto& it = page.items[i];
    char num[24];
    std::snprintf(num, sizeof num, "%2zu", i + 1);
    out << "    " << num << ". " << it.title << "\n        ↳ " << it.reason << "   ["
        << (it.topic_paths.empty() ? std::string("-") : it.topic_paths.front()) << ", "
        << age(view.now_ms, it.created_ms) << "]\n";
  }
}

}  // namespace feedscout::cli
