// metrics: the node's Prometheus registry (text exposition format 0.0.4).
//
// Families are registered once (cheap mutex, start-up or first use); the
// returned counter/gauge/histogram references stay valid for the registry's
// lifetime and are updated lock-free from any thread. Keep the reference
// instead of looking a series up per event on hot paths.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nexus::metrics {

using labels = std::map<std::string, std::string>; // sorted by key, as exposed

class counter {
public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<uint64_t> value_{0};
};

class gauge {
public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<int64_t> value_{0};
};

/// Cumulative buckets with upper bounds `le`; +Inf is implicit.
class histogram {
public:
  explicit histogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_; // non-cumulative per bound
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};              // sum × 1e6, lock-free
};

class registry {
public:
  counter& get_counter(const std::string& name, const std::string& help, const labels& l = {});
  /// Registers a labelled counter family before its first series exists.
  void declare_counter(const std::string& name, const std::string& help);
  gauge& get_gauge(const std::string& name, const std::string& help, const labels& l = {});
  histogram& get_histogram(const std::string& name, const std::string& help,
                           const std::vector<double>& bounds, const labels& l = {});
  /// The whole exposition; families in registration order, body ends in \n.
  std::string render() const;

private:
  enum class kind { counter, gauge, histogram };
  struct family {
    std::string name, help;
    kind k;
    std::vector<double> bounds;
    std::map<labels, std::unique_ptr<counter>> counters;
    std::map<labels, std::unique_ptr<gauge>> gauges;
    std::map<labels, std::unique_ptr<histogram>> histograms;
  };
  family& get_family(const std::string& name, const std::string& help, kind k);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<family>> families_;
};

/// The families every part of the node shares, registered at start-up so
/// `/metrics` lists them from the first scrape.
struct node_metrics {
  explicit node_metrics(registry& r);
  registry& reg;
  counter& connections_total;     ///< every accepted WebSocket
  gauge& connections_active;
  counter& frames_in;
  counter& frames_out;
  counter& bytes_in;
  counter& bytes_out;
  counter& http_requests;
  counter& storage_batches;       ///< committed or failed group-commit transactions
  histogram& storage_batch_size;  ///< requests per transaction
  histogram& storage_latency;     ///< seconds from enqueue to reply
  counter& storage_failures;      ///< requests failed by the storage layer
  gauge& db_up;                   ///< 1 when the readiness probe succeeds
  /// errors by reason (nexus_errors_total{reason=...}); not for hot paths.
  void error(const std::string& reason);
};

} // namespace nexus::metrics
