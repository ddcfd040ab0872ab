#include "transport/metrics.hpp"

#include <cmath>
#include <sstream>

namespace nexus::metrics {
namespace {

std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string render_labels(const labels& l, const std::string& extra_key = {},
                          const std::string& extra_value = {}) {
  if (l.empty() && extra_key.empty())
    return {};
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!first)
      out += ',';
    first = false;
    out += k + "=\"" + escape(v) + "\"";
  };
  for (auto& [k, v] : l)
    add(k, v);
  if (!extra_key.empty())
    add(extra_key, extra_value);
  return out + "}";
}

std::string number(double v) {
  if (std::isinf(v))
    return "+Inf";
  std::ostringstream o;
  o << v;
  return o.str();
}

} // namespace

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size()]) {
  for (size_t i = 0; i < bounds_.size(); ++i)
    buckets_[i] = 0;
}

void histogram::observe(double v) {
  for (size_t i = 0; i < bounds_.size(); ++i)
    if (v <= bounds_[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0)
    sum_micros_.fetch_add(static_cast<uint64_t>(v * 1e6), std::memory_order_relaxed);
}

double histogram::sum() const {
  return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
}

registry::family& registry::get_family(const std::string& name, const std::string& help, kind k) {
  for (auto& f : families_)
    if (f->name == name)
      return *f;
  families_.push_back(std::make_unique<family>());
  auto& f = *families_.back();
  f.name = name;
  f.help = help;
  f.k = k;
  return f;
}

counter& registry::get_counter(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto& slot = get_family(name, help, kind::counter).counters[l];
  if (!slot)
    slot = std::make_unique<counter>();
  return *slot;
}

void registry::declare_counter(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> guard(mutex_);
  get_family(name, help, kind::counter);
}

gauge& registry::get_gauge(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto& slot = get_family(name, help, kind::gauge).gauges[l];
  if (!slot)
    slot = std::make_unique<gauge>();
  return *slot;
}

histogram& registry::get_histogram(const std::string& name, const std::string& help,
                                   const std::vector<double>& bounds, const labels& l) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto& f = get_family(name, help, kind::histogram);
  if (f.bounds.empty())
    f.bounds = bounds;
  auto& slot = f.histograms[l];
  if (!slot)
    slot = std::make_unique<histogram>(f.bounds);
  return *slot;
}

std::string registry::render() const {
  std::lock_guard<std::mutex> guard(mutex_);
  std::string out;
  for (auto& f : families_) {
    const char* type = f->k == kind::counter ? "counter" : f->k == kind::gauge ? "gauge" : "histogram";
    out += "# HELP " + f->name + " " + f->help + "\n";
    out += "# TYPE " + f->name + " " + type + "\n";
    switch (f->k) {
      case kind::counter:
        for (auto& [l, c] : f->counters)
          out += f->name + render_labels(l) + " " + std::to_string(c->value()) + "\n";
        if (f->counters.empty())
          out += f->name + " 0\n";
        break;
      case kind::gauge:
        for (auto& [l, g] : f->gauges)
          out += f->name + render_labels(l) + " " + std::to_string(g->value()) + "\n";
        if (f->gauges.empty())
          out += f->name + " 0\n";
        break;
      case kind::histogram:
        for (auto& [l, h] : f->histograms) {
          uint64_t cumulative = 0;
          for (size_t i = 0; i < h->bounds().size(); ++i) {
            cumulative += h->bucket(i);
            out += f->name + "_bucket" + render_labels(l, "le", number(h->bounds()[i])) + " " +
                   std::to_string(cumulative) + "\n";
          }
          out += f->name + "_bucket" + render_labels(l, "le", "+Inf") + " " +
                 std::to_string(h->count()) + "\n";
          out += f->name + "_sum" + render_labels(l) + " " + number(h->sum()) + "\n";
          out += f->name + "_count" + render_labels(l) + " " + std::to_string(h->count()) + "\n";
        }
        break;
    }
  }
  return out;
}

node_metrics::node_metrics(registry& r)
    : reg(r),
      connections_total(r.get_counter("broker_connections_total", "WebSocket connections accepted")),
      connections_active(r.get_gauge("broker_connections_active", "WebSocket connections open now")),
      frames_in(r.get_counter("nexus_ws_frames_in_total", "WebSocket messages received")),
      frames_out(r.get_counter("nexus_ws_frames_out_total", "WebSocket messages sent")),
      bytes_in(r.get_counter("nexus_ws_bytes_in_total", "WebSocket payload bytes received")),
      bytes_out(r.get_counter("nexus_ws_bytes_out_total", "WebSocket payload bytes sent")),
      http_requests(r.get_counter("nexus_http_requests_total", "HTTP requests served")),
      storage_batches(r.get_counter("nexus_storage_batches_total",
                                    "group-commit transactions run by the storage actors")),
      storage_batch_size(r.get_histogram("nexus_storage_batch_size", "requests per transaction",
                                         {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024})),
      storage_latency(r.get_histogram(
          "nexus_storage_latency_seconds", "storage request time from arrival to reply",
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      storage_failures(r.get_counter("nexus_storage_failures_total",
                                     "storage requests answered with an error")),
      db_up(r.get_gauge("broker_db_healthy", "1 when the database answers the readiness probe")) {
  r.declare_counter("nexus_errors_total", "errors by reason");
}

void node_metrics::error(const std::string& reason) {
  reg.get_counter("nexus_errors_total", "errors by reason", {{"reason", reason}}).inc();
}

} // namespace nexus::metrics
