#include "sortie/api/services.hpp"

#include <algorithm>
#include <cassert>

#include "sortie/clusters/connect.hpp"
#include "sortie/json/api.hpp"

namespace sortie::api {

// StorePool

StorePool::StorePool(std::filesystem::path file, std::size_t size)
    : m_file(std::move(file)), m_size(size) {}

StorePool::~StorePool() = default;

StorePool::Lease::~Lease() {
  if (!m_pool) return;
  {
    std::lock_guard lock(m_pool->m_mutex);
    m_pool->m_slots[m_slot]->busy = false;
  }
  m_pool->m_freed.notify_one();
}

store::Store& StorePool::Lease::operator*() const {
  return *m_pool->m_slots[m_slot]->store;
}

core::Result<StorePool::Lease> StorePool::acquire() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    for (std::size_t slot = 0; slot < m_slots.size(); ++slot) {
      if (!m_slots[slot]->busy) {
        m_slots[slot]->busy = true;
        return Lease(*this, slot);
      }
    }
    if (m_slots.size() < m_size) {
      auto slot = std::make_unique<Slot>();
      slot->busy = true;
      m_slots.push_back(std::move(slot));
      const std::size_t index = m_slots.size() - 1;
      lock.unlock();
      auto database = store::Database::open(m_file);
      lock.lock();
      if (!database) {
        m_slots.erase(m_slots.begin() + static_cast<std::ptrdiff_t>(index));
        m_freed.notify_one();
        return std::unexpected(database.error());
      }
      auto& opened = *m_slots[index];
      opened.database.emplace(std::move(*database));
      opened.store.emplace(*opened.database);
      return Lease(*this, index);
    }
    m_freed.wait(lock);
  }
}

// Remotes

remote::Remote& Remotes::get(const config::Cluster& cluster) {
  std::lock_guard lock(m_mutex);
  auto& slot = m_remotes[cluster.name];
  if (!slot) slot = clusters::open_remote(cluster);
  return *slot;
}

// EventHub

void EventHub::publish(std::string name, std::string data) {
  {
    std::lock_guard lock(m_mutex);
    m_events.push_back({++m_last_id, std::move(name), std::move(data)});
    while (m_events.size() > m_keep) m_events.pop_front();
  }
  m_published.notify_all();
}

std::vector<Event> EventHub::wait_after(std::uint64_t after, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  m_published.wait_for(lock, timeout, [&] { return m_closed || m_last_id > after; });
  std::vector<Event> found;
  if (m_closed) return found;
  for (const auto& event : m_events) {
    if (event.id > after) found.push_back(event);
  }
  return found;
}

std::uint64_t EventHub::last_id() const {
  std::lock_guard lock(m_mutex);
  return m_last_id;
}

void EventHub::close() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
  }
  m_published.notify_all();
}

// GpuCache

GpuCache::GpuCache(std::vector<config::Cluster> clusters, Query query,
                   std::chrono::seconds max_age, Refreshed refreshed)
    : m_clusters(std::move(clusters)),
      m_query(std::move(query)),
      m_max_age(max_age),
      m_refreshed(std::move(refreshed)),
      m_thread([this](std::stop_token stop) { run(stop); }) {}

GpuCache::~GpuCache() { stop(); }

void GpuCache::stop() {
  if (!m_thread.joinable()) return;
  m_thread.request_stop();
  m_wanted.notify_all();
  m_thread.join();
}

GpuCache::View GpuCache::get(const std::string& cluster, bool force) {
  std::lock_guard lock(m_mutex);
  auto& entry = m_entries[cluster];
  const auto now = std::chrono::steady_clock::now();
  const bool stale = !entry.view.snapshot || now - entry.refreshed_at >= m_max_age;
  if ((stale || force) && !entry.view.refreshing) {
    entry.view.refreshing = true;
    m_queue.push_back(cluster);
    m_wanted.notify_all();
  }
  return entry.view;
}

void GpuCache::run(std::stop_token stop) {
  std::unique_lock lock(m_mutex);
  while (!stop.stop_requested()) {
    if (!m_wanted.wait(lock, stop, [&] { return !m_queue.empty(); })) break;
    const std::string name = m_queue.front();
    m_queue.pop_front();
    auto cluster = std::find_if(m_clusters.begin(), m_clusters.end(),
                                [&](const config::Cluster& known) { return known.name == name; });
    if (cluster == m_clusters.end()) {
      m_entries[name].view.refreshing = false;
      continue;
    }
    lock.unlock();
    auto answer = m_query(*cluster);
    std::shared_ptr<const gpus::Snapshot> snapshot;
    std::string availability, nodes;
    if (answer) {
      snapshot = std::make_shared<const gpus::Snapshot>(std::move(*answer));
      availability = json::availability_open(snapshot->availability);
      nodes = json::nodes_array(snapshot->nodes);
      if (m_refreshed) m_refreshed(name, *snapshot);
    }
    lock.lock();
    auto& entry = m_entries[name];
    entry.view.refreshing = false;
    entry.refreshed_at = std::chrono::steady_clock::now();
    if (snapshot) {
      entry.view.snapshot = std::move(snapshot);
      entry.view.availability_open = std::move(availability);
      entry.view.nodes = std::move(nodes);
      entry.view.error.reset();
    } else {
      entry.view.error = answer.error();
    }
  }
}

}  // namespace sortie::api
