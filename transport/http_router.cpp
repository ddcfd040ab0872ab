#include "transport/http_router.hpp"

#include <algorithm>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nexus::transport {

const std::vector<std::pair<std::string, std::string>>& cors_headers() {
  static const std::vector<std::pair<std::string, std::string>> fields = {
      {"Access-Control-Allow-Origin", "*"},
      {"Access-Control-Allow-Methods", "POST, GET, OPTIONS"},
      {"Access-Control-Allow-Headers",
       "Content-Type, X-Mesh-Id, X-Member-Id, X-File-Name, X-Tags, X-Persistent, X-Target-Spec"},
  };
  return fields;
}

std::string json_error_body(std::string_view message) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("ok");
  w.Bool(false);
  w.Key("error");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

bool http_router::entry::matches(std::string_view target) const {
  if (match == route_match::exact)
    return target == path;
  return target.substr(0, path.size()) == path;
}

void http_router::add(std::string method, std::string path, route_match match,
                      http_handler handler) {
  for (auto& e : routes_)
    if (e.method == method && e.path == path && e.match == match) {
      e.handler = std::move(handler);
      return;
    }
  routes_.push_back({std::move(method), std::move(path), match, std::move(handler)});
}

std::variant<const http_handler*, http_response>
http_router::route(std::string_view method, std::string_view target) const {
  if (method == "OPTIONS") {
    http_response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  std::vector<std::string_view> allowed; // methods of the routes whose path matches
  for (auto kind : {route_match::exact, route_match::prefix})
    for (auto& e : routes_) {
      if (e.match != kind || !e.matches(target))
        continue;
      if (e.method == method)
        return &e.handler;
      if (std::find(allowed.begin(), allowed.end(), e.method) == allowed.end())
        allowed.push_back(e.method);
    }
  if (allowed.empty())
    return http_response::json(404, json_error_body("not found"));
  auto r = http_response::json(405, json_error_body("method not allowed"));
  std::string allow;
  for (auto m : allowed)
    allow.append(m).append(", ");
  r.headers.emplace_back("Allow", allow + "OPTIONS");
  return r;
}

} // namespace nexus::transport
