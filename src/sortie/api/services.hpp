#pragma once

// What the API's handlers share, each safe across the server's threads: database connections,
// one warm Remote per cluster, the stream of live events, and GPU availability answered from a
// cache while a fresh query runs in the background.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sortie/config/clusters.hpp"
#include "sortie/core/error.hpp"
#include "sortie/gpus/query.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"

namespace sortie::api {

// Up to `size` connections to one database, each used by one thread at a time.
class StorePool {
 public:
  StorePool(std::filesystem::path file, std::size_t size);
  ~StorePool();

  // A connection held until the Lease is destroyed.
  class Lease {
   public:
    Lease(StorePool& pool, std::size_t slot) : m_pool(&pool), m_slot(slot) {}
    Lease(Lease&& other) noexcept : m_pool(other.m_pool), m_slot(other.m_slot) {
      other.m_pool = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    store::Store& operator*() const;
    store::Store* operator->() const { return &**this; }

   private:
    StorePool* m_pool;
    std::size_t m_slot;
  };

  // Waits for a free connection, opening one when fewer than `size` are open. Fails when the
  // database cannot be opened.
  core::Result<Lease> acquire();

  const std::filesystem::path& file() const { return m_file; }

 private:
  struct Slot {
    std::optional<store::Database> database;
    std::optional<store::Store> store;
    bool busy = false;
  };
  std::filesystem::path m_file;
  std::mutex m_mutex;
  std::condition_variable m_freed;
  std::vector<std::unique_ptr<Slot>> m_slots;
  std::size_t m_size;
};

// One Remote per cluster, opened on first use and shared (Remote is safe across threads).
class Remotes {
 public:
  remote::Remote& get(const config::Cluster& cluster);

 private:
  std::mutex m_mutex;
  std::map<std::string, std::unique_ptr<remote::Remote>> m_remotes;
};

// A live event for Server-Sent Events.
struct Event {
  std::uint64_t id = 0;
  std::string name;  // "job", "gpus"
  std::string data;  // JSON, one line
};

// The recent live events, numbered; streams wait for the ones after the last they sent.
class EventHub {
 public:
  explicit EventHub(std::size_t keep = 512) : m_keep(keep) {}

  void publish(std::string name, std::string data);

  // The kept events after `after`, waiting up to `timeout` for one when there is none. Returns
  // at once (empty) after close().
  std::vector<Event> wait_after(std::uint64_t after, std::chrono::milliseconds timeout);

  std::uint64_t last_id() const;
  void close();

 private:
  mutable std::mutex m_mutex;
  std::condition_variable m_published;
  std::deque<Event> m_events;
  std::uint64_t m_last_id = 0;
  std::size_t m_keep;
  bool m_closed = false;
};

// GPU availability per cluster from the last query, refreshed in the background when older than
// max_age (a request never waits for the cluster).
class GpuCache {
 public:
  using Query = std::function<core::Result<gpus::Snapshot>(const config::Cluster&)>;
  // Told of each successful refresh, on the cache's thread.
  using Refreshed = std::function<void(const std::string& cluster, const gpus::Snapshot&)>;

  GpuCache(std::vector<config::Cluster> clusters, Query query, std::chrono::seconds max_age,
           Refreshed refreshed);
  ~GpuCache();

  struct View {
    std::shared_ptr<const gpus::Snapshot> snapshot;  // null before the first answer
    std::string availability_open;  // json::availability_open of it; empty when null
    std::string nodes;              // json::nodes_array of it; empty when null
    std::optional<core::Error> error;  // the last refresh's failure, if it failed
    bool refreshing = false;
  };

  // What is known of `cluster` (known to clusters.yaml), starting a refresh when it is older than
  // max_age, or at all when `force`.
  View get(const std::string& cluster, bool force = false);

  void stop();

 private:
  struct Entry {
    View view;
    std::chrono::steady_clock::time_point refreshed_at{};
  };
  void run(std::stop_token stop);

  std::vector<config::Cluster> m_clusters;
  Query m_query;
  std::chrono::seconds m_max_age;
  Refreshed m_refreshed;
  std::mutex m_mutex;
  std::condition_variable_any m_wanted;
  std::map<std::string, Entry> m_entries;
  std::deque<std::string> m_queue;
  std::jthread m_thread;
};

}  // namespace sortie::api
