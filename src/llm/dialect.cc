#include "feedscout/llm/dialect.h"

#include <cctype>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

namespace feedscout::llm {
namespace {

using nlohmann::json;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string excerpt(std::string_view body) {
  constexpr size_t kMax = 200;
  std::string s(body.substr(0, kMax));
  if (body.size() > kMax) s += "...";
  return s;
}

Result<json> parse_body(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) return Status::corruption("response is not JSON: " + excerpt(body));
  if (!j.is_object()) return Status::corruption("response is not a JSON object");
  auto err = j.find("error");
  if (err != j.end() && !err->is_null()) {
    return Status::corruption("server error: " + excerpt(dump(*err)));
  }
  return j;
}

// The member `key` of object `j` when it has type `want` (number_float: any number;
// number_integer: any integer), else nullptr.
const json* member(const json& j, const char* key, json::value_t want) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end()) return nullptr;
  bool ok = false;
  if (want == json::value_t::number_float) {
    ok = it->is_number();
  } else if (want == json::value_t::number_integer) {
    ok = it->is_number_integer();
  } else {
    ok = it->type() == want;
  }
  return ok ? &*it : nullptr;
}

Status missing(const std::string& field) {
  return Status::corruption("response field '" + field + "' missing or of the wrong type");
}

bool vllm_legacy(const DialectOptions& o, Status* st) {
  if (o.vllm_version.empty()) return false;
  auto v = parse_version(o.vllm_version);
  if (!v.is_ok()) {
    *st = v.status();
    return false;
  }
  return (*v)[0] == 0 && (*v)[1] < 12;
}

json choice_schema(const std::vector<std::string>& choices) {
  return json{{"type", "object"},
              {"properties", {{"choice", {{"type", "string"}, {"enum", choices}}}}},
              {"required", json::array({"choice"})},
              {"additionalProperties", false}};
}

json response_format(const DialectOptions& o, const json& schema) {
  return json{{"type", "json_schema"},
              {"json_schema", {{"name", o.schema_name}, {"schema", schema}, {"strict", true}}}};
}

Result<TokenId> token_id_of(const json& v) {
  if (!v.is_number_integer()) return Status::corruption("token id is not an integer");
  const auto i = v.get<int64_t>();
  if (i < 0 || i > std::numeric_limits<TokenId>::max()) {
    return Status::corruption("token id out of range");
  }
  return static_cast<TokenId>(i);
}

}  // namespace

const char* dialect_name(Dialect d) {
  switch (d) {
    case Dialect::kOpenAI:
      return "openai";
    case Dialect::kVllm:
      return "vllm";
    case Dialect::kLlamaCpp:
      return "llamacpp";
    case Dialect::kOllama:
      return "ollama";
  }
  return "unknown";
}

Result<Dialect> parse_dialect(std::string_view name) {
  if (name == "openai") return Dialect::kOpenAI;
  if (name == "vllm") return Dialect::kVllm;
  if (name == "llamacpp" || name == "llama.cpp") return Dialect::kLlamaCpp;
  if (name == "ollama") return Dialect::kOllama;
  return Status::invalid_argument("unknown dialect '" + std::string(name) +
                                  "' (openai, vllm, llamacpp, ollama)");
}

Result<std::array<int, 3>> parse_version(std::string_view text) {
  std::array<int, 3> v{0, 0, 0};
  size_t i = 0;
  if (i < text.size() && (text[i] == 'v' || text[i] == 'V')) ++i;
  for (size_t part = 0; part < 3; ++part) {
    if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (part == 0) return Status::invalid_argument("bad version '" + std::string(text) + "'");
      break;
    }
    int n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && n < 100000) {
      n = n * 10 + (text[i] - '0');
      ++i;
    }
    v[part] = n;
    if (i < text.size() && text[i] == '.') {
      ++i;
    } else {
      break;
    }
  }
  return v;
}

Constraint Constraint::choice(std::vector<std::string> c) {
  Constraint k;
  k.kind = Kind::kChoice;
  k.choices = std::move(c);
  return k;
}
Constraint Constraint::json(std::string schema) {
  Constraint k;
  k.kind = Kind::kJsonSchema;
  k.json_schema = std::move(schema);
  return k;
}
Constraint Constraint::gbnf(std::string g) {
  Constraint k;
  k.kind = Kind::kGrammar;
  k.grammar = std::move(g);
  return k;
}

std::string gbnf_string_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

std::string choices_to_gbnf(const std::vector<std::string>& choices) {
  std::string out = "root ::= ";
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) out += " | ";
    out += gbnf_string_literal(choices[i]);
  }
  return out;
}

Result<HttpCall> build_chat_request(const DialectOptions& o, const ChatRequest& r) {
  if (r.messages.empty()) return Status::invalid_argument("chat request without messages");
  if (r.max_tokens < 1) return Status::invalid_argument("max_tokens must be >= 1");
  json body{{"model", o.model}, {"max_tokens", r.max_tokens}, {"temperature", r.temperature}};
  json msgs = json::array();
  for (const auto& m : r.messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
  body["messages"] = std::move(msgs);

  const Constraint& c = r.constraint;
  json schema;
  if (c.kind == Constraint::Kind::kChoice && c.choices.empty()) {
    return Status::invalid_argument("choice constraint without choices");
  }
  if (c.kind == Constraint::Kind::kJsonSchema) {
    schema = json::parse(c.json_schema, nullptr, false);
    if (schema.is_discarded() || !schema.is_object()) {
      return Status::invalid_argument("json_schema constraint is not a JSON object");
    }
  }
  if (c.kind == Constraint::Kind::kGrammar && c.grammar.empty()) {
    return Status::invalid_argument("grammar constraint with an empty grammar");
  }
  switch (o.dialect) {
    case Dialect::kVllm: {
      Status st;
      const bool legacy = vllm_legacy(o, &st);
      FEEDSCOUT_RETURN_IF_ERROR(st);
      if (c.kind == Constraint::Kind::kChoice) {
        if (legacy) {
          body["guided_choice"] = c.choices;
        } else {
          body["structured_outputs"] = {{"choice", c.choices}};
        }
      } else if (c.kind == Constraint::Kind::kJsonSchema) {
        if (legacy) {
          body["guided_json"] = schema;
        } else {
          body["structured_outputs"] = {{"json", schema}};
        }
      } else if (c.kind == Constraint::Kind::kGrammar) {
        if (legacy) {
          body["guided_grammar"] = c.grammar;
        } else {
          body["structured_outputs"] = {{"grammar", c.grammar}};
        }
      }
      break;
    }
    case Dialect::kLlamaCpp:
      if (c.kind == Constraint::Kind::kChoice) body["grammar"] = choices_to_gbnf(c.choices);
      if (c.kind == Constraint::Kind::kJsonSchema) body["json_schema"] = schema;
      if (c.kind == Constraint::Kind::kGrammar) body["grammar"] = c.grammar;
      break;
    case Dialect::kOpenAI:
    case Dialect::kOllama:
      if (c.kind == Constraint::Kind::kChoice) {
        body["response_format"] = response_format(o, choice_schema(c.choices));
      }
      if (c.kind == Constraint::Kind::kJsonSchema) {
        body["response_format"] = response_format(o, schema);
      }
      if (c.kind == Constraint::Kind::kGrammar) {
        return Status::invalid_argument(std::string("dialect ") + dialect_name(o.dialect) +
                                        " has no grammar constraint");
      }
      break;
  }
  return HttpCall{"/v1/chat/completions", dump(body)};
}

Result<ChatResponse> parse_chat_response(const DialectOptions& o, const ChatRequest& r,
                                         std::string_view body) {
  try {
    auto j = parse_body(body);
    if (!j.is_ok()) return j.status();
    const json* choices = member(*j, "choices", json::value_t::array);
    if (choices == nullptr || choices->empty()) return missing("choices");
    const json& first = (*choices)[0];
    const json* message = member(first, "message", json::value_t::object);
    if (message == nullptr) return missing("choices[0].message");
    const json* content = member(*message, "content", json::value_t::string);
    if (content == nullptr) return missing("choices[0].message.content");
    ChatResponse out;
    out.content = content->get<std::string>();
    if (const json* fr = member(first, "finish_reason", json::value_t::string)) {
      out.finish_reason = fr->get<std::string>();
    }
    if (r.constraint.kind == Constraint::Kind::kChoice &&
        (o.dialect == Dialect::kOpenAI || o.dialect == Dialect::kOllama)) {
      json inner = json::parse(out.content, nullptr, false);
      const json* ch = member(inner, "choice", json::value_t::string);
      if (ch == nullptr) return missing("choices[0].message.content.choice");
      out.content = ch->get<std::string>();
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Status::corruption(std::string("chat response: ") + e.what());
  }
}

Result<HttpCall> build_logprobs_request(const DialectOptions& o, const LogprobsRequest& r) {
  if (r.prompt.empty()) return Status::invalid_argument("logprobs request without prompt");
  if (r.top_logprobs < 1) return Status::invalid_argument("top_logprobs must be >= 1");
  if (o.dialect == Dialect::kVllm) {
    json body{
        {"model", o.model},   {"prompt", r.prompt},         {"max_tokens", 1},
        {"temperature", 0.0}, {"logprobs", r.top_logprobs}, {"return_tokens_as_token_ids", true}};
    if (!r.allowed.empty()) body["allowed_token_ids"] = r.allowed;
    return HttpCall{"/v1/completions", dump(body)};
  }
  if (o.dialect == Dialect::kLlamaCpp) {
    json body{{"prompt", r.prompt},
              {"n_predict", 1},
              {"temperature", 0.0},
              {"n_probs", r.top_logprobs},
              {"cache_prompt", true}};
    return HttpCall{"/completion", dump(body)};
  }
  return Status::invalid_argument(std::string("dialect ") + dialect_name(o.dialect) +
                                  " has no token-id logprobs request");
}

Result<std::vector<TokenLogprob>> parse_logprobs_response(const DialectOptions& o,
                                                          std::string_view body) {
  try {
    auto j = parse_body(body);
    if (!j.is_ok()) return j.status();
    std::vector<TokenLogprob> out;
    if (o.dialect == Dialect::kLlamaCpp) {
      const json* cp = member(*j, "completion_probabilities", json::value_t::array);
      if (cp == nullptr || cp->empty()) return missing("completion_probabilities");
      const json* top = member((*cp)[0], "top_logprobs", json::value_t::array);
      if (top == nullptr) return missing("completion_probabilities[0].top_logprobs");
      for (const json& e : *top) {
        const json* id = member(e, "id", json::value_t::number_integer);
        const json* lp = member(e, "logprob", json::value_t::number_float);
        if (id == nullptr || lp == nullptr) return missing("top_logprobs[].id/logprob");
        auto t = token_id_of(*id);
        if (!t.is_ok()) return t.status();
        out.push_back({*t, lp->get<double>()});
      }
      return out;
    }
    const json* choices = member(*j, "choices", json::value_t::array);
    if (choices == nullptr || choices->empty()) return missing("choices");
    const json* lps = member((*choices)[0], "logprobs", json::value_t::object);
    if (lps == nullptr) return missing("choices[0].logprobs");
    const json* top = member(*lps, "top_logprobs", json::value_t::array);
    if (top == nullptr || top->empty() || !(*top)[0].is_object()) {
      return missing("choices[0].logprobs.top_logprobs[0]");
    }
    constexpr std::string_view kPrefix = "token_id:";
    for (const auto& [key, value] : (*top)[0].items()) {
      if (key.rfind(kPrefix, 0) != 0) {
        return Status::corruption("top_logprobs key '" + excerpt(key) +
                                  "' is not token_id:<id> (return_tokens_as_token_ids)");
      }
      const std::string digits = key.substr(kPrefix.size());
      if (digits.empty() || digits.size() > 10 ||
          digits.find_first_not_of("0123456789") != std::string::npos) {
        return Status::corruption("bad token id in key '" + excerpt(key) + "'");
      }
      const long long id = std::stoll(digits);
      if (id > std::numeric_limits<TokenId>::max()) {
        return Status::corruption("token id out of range");
      }
      if (!value.is_number()) return missing("top_logprobs[0]['" + key + "']");
      out.push_back({static_cast<TokenId>(id), value.get<double>()});
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Status::corruption(std::string("logprobs response: ") + e.what());
  }
}

Result<HttpCall> build_tokenize_request(const DialectOptions& o, const std::string& text) {
  if (o.dialect == Dialect::kVllm) {
    return HttpCall{
        "/tokenize",
        dump(json{{"model", o.model}, {"prompt", text}, {"add_special_tokens", false}})};
  }
  if (o.dialect == Dialect::kLlamaCpp) {
    return HttpCall{"/tokenize", dump(json{{"content", text}, {"add_special", false}})};
  }
  return Status::invalid_argument(std::string("dialect ") + dialect_name(o.dialect) +
                                  " has no tokenize endpoint");
}

Result<std::vector<TokenId>> parse_tokenize_response(const DialectOptions& o,
                                                     std::string_view body) {
  try {
    auto j = parse_body(body);
    if (!j.is_ok()) return j.status();
    const json* tokens = member(*j, "tokens", json::value_t::array);
    if (tokens == nullptr) return missing("tokens");
    std::vector<TokenId> out;
    out.reserve(tokens->size());
    for (const json& t : *tokens) {
      // llama.cpp with with_pieces answers [{"id","piece"}]; plain ids otherwise.
      const json* id = t.is_object() ? member(t, "id", json::value_t::number_integer) : &t;
      if (id == nullptr) return missing("tokens[].id");
      auto v = token_id_of(*id);
      if (!v.is_ok()) return v.status();
      out.push_back(*v);
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Status::corruption(std::string("tokenize response: ") + e.what());
  }
}

Result<HttpCall> build_embeddings_request(const DialectOptions& o,
                                          const std::vector<std::string>& inputs) {
  if (inputs.empty()) return Status::invalid_argument("embeddings request without inputs");
  return HttpCall{"/v1/embeddings", dump(json{{"model", o.model}, {"input", inputs}})};
}

Result<std::vector<std::vector<float>>> parse_embeddings_response(const DialectOptions& o,
                                                                  std::string_view body,
                                                                  size_t expected) {
  try {
    auto j = parse_body(body);
    if (!j.is_ok()) return j.status();
    const json* data = member(*j, "data", json::value_t::array);
    if (data == nullptr) return missing("data");
    if (data->size() != expected) {
      return Status::corruption("embeddings: " + std::to_string(data->size()) + " vectors for " +
                                std::to_string(expected) + " inputs");
    }
    std::vector<std::vector<float>> out(expected);
    std::vector<bool> seen(expected, false);
    size_t dim = 0;
    for (size_t i = 0; i < data->size(); ++i) {
      const json& d = (*data)[i];
      size_t index = i;
      if (const json* idx = member(d, "index", json::value_t::number_integer)) {
        if (idx->get<int64_t>() < 0 || static_cast<size_t>(idx->get<int64_t>()) >= expected) {
          return Status::corruption("embeddings: index out of range");
        }
        index = static_cast<size_t>(idx->get<int64_t>());
      }
      if (seen[index]) return Status::corruption("embeddings: index repeated");
      seen[index] = true;
      const json* emb = member(d, "embedding", json::value_t::array);
      if (emb == nullptr || emb->empty()) return missing("data[].embedding");
      if (dim == 0) dim = emb->size();
      if (emb->size() != dim) return Status::corruption("embeddings of different dimensions");
      auto& v = out[index];
      v.reserve(dim);
      for (const json& x : *emb) {
        if (!x.is_number()) return missing("data[].embedding[]");
        v.push_back(x.get<float>());
      }
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Status::corruption(std::string("embeddings response: ") + e.what());
  }
}

}  // namespace feedscout::llm
