#include "transport/http_routes.hpp"

#include "transport/version.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nexus::transport {
namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_common(json_writer& w, const node_health& health) {
  w.Key("version");
  w.String(nexus::version);
  w.Key("uptime");
  w.Int64(health.uptime_seconds());
}

http_response health_response(const node_health& health) {
  rapidjson::StringBuffer buf;
  json_writer w(buf);
  w.StartObject();
  w.Key("status");
  w.String("ok");
  w.Key("db");
  w.String(health.db_up ? "up" : "down");
  write_common(w, health);
  w.EndObject();
  return http_response::json(200, buf.GetString());
}

http_response ready_response(const node_health& health) {
  // Read the reason once: the flags may change between two reads.
  std::string reason = health.not_ready_reason();
  rapidjson::StringBuffer buf;
  json_writer w(buf);
  w.StartObject();
  w.Key("status");
  w.String(reason.empty() ? "ready" : "not_ready");
  if (reason.empty()) {
    write_common(w, health);
  } else {
    w.Key("reason");
    w.String(reason);
  }
  w.EndObject();
  return http_response::json(reason.empty() ? 200 : 503, buf.GetString());
}

http_response metrics_response(const metrics::registry& reg) {
  http_response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = reg.render();
  return r;
}

} // namespace

void add_builtin_routes(http_router& router, const node_health& health,
                        const metrics::registry& reg) {
  const node_health* h = &health;
  const metrics::registry* m = &reg;
  router.add("GET", "/health", route_match::exact,
             [h](http_request, http_reply reply) { reply(health_response(*h)); });
  router.add("GET", "/health/ready", route_match::exact,
             [h](http_request, http_reply reply) { reply(ready_response(*h)); });
  router.add("GET", "/metrics", route_match::exact,
             [m](http_request, http_reply reply) { reply(metrics_response(*m)); });
}

} // namespace nexus::transport
