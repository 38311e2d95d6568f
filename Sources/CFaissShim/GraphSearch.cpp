#include "GraphSearch.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace glimpse {
namespace {

using Node = std::pair<float, int32_t>; // (distance, label)

struct Distance {
    const VectorRows &rows;
    const PreparedQuery &query;
    float operator()(int32_t label) const { return -query.similarity(rows, label); }
    /// Distances of labels[0..<count] into out (`PreparedQuery::distances`).
    void many(const int32_t *labels, int count, float *out) const {
        query.distances(rows, labels, size_t(count), out);
    }
    /// A node's bottom-layer link list (64 int32 with M 32: four cache lines).
    void prefetchLinks(const faiss::HNSW &hnsw, int32_t label) const {
        const char *links = reinterpret_cast<const char *>(hnsw.neighbors.data() + hnsw.offsets[size_t(label)]);
        const size_t bytes = size_t(hnsw.cum_nneighbor_per_level[1]) * sizeof(int32_t);
        for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(links + offset);
    }
    /// Starts loading a vector's first cache lines while earlier distances are computed.
    void prefetch(int32_t label) const {
        const char *row = reinterpret_cast<const char *>(rows.row(label));
        __builtin_prefetch(row);
        __builtin_prefetch(row + 64);
    }
};

/// Greedy descent through one upper layer: move to any closer neighbour until none is closer.
void descend(const faiss::HNSW &hnsw, const Distance &distance, int level, int32_t &nearest, float &best) {
    const int begin = hnsw.cum_nneighbor_per_level[level];
    const int end = hnsw.cum_nneighbor_per_level[level + 1];
    for (bool moved = true; moved;) {
        moved = false;
        const size_t offset = hnsw.offsets[size_t(nearest)];
        for (int j = begin; j < end; j++) {
            const int32_t neighbour = hnsw.neighbors[offset + size_t(j)];
            if (neighbour < 0) break;
            const float dist = distance(neighbour);
            if (dist < best) {
                best = dist;
                nearest = neighbour;
                moved = true;
            }
        }
    }
}

} // namespace

std::vector<std::pair<float, int64_t>> searchGraph(
    const faiss::HNSW &hnsw, const VectorRows &rows, const float *query, int32_t k, int32_t ef,
    const LabelFilter *filter, faiss::VisitedTable &visited) {
    std::vector<std::pair<float, int64_t>> hits;
    if (hnsw.entry_point < 0) return hits;
    thread_local PreparedQuery prepared;
    prepared.prepare(rows, query);
    const Distance distance{rows, prepared};

    int32_t nearest = hnsw.entry_point;
    float best = distance(nearest);
    for (int level = hnsw.max_level; level >= 1; level--) {
        descend(hnsw, distance, level, nearest, best);
    }

    // Bottom layer: best-first expansion bounded by the ef nearest allowed nodes found so far.
    const size_t width = size_t(std::max(ef, k));
    const int bottomEnd = hnsw.cum_nneighbor_per_level[1];
    auto allowed = [filter](int32_t label) { return filter == nullptr || filter->accepts(label); };
    // Heaps and the neighbour buffer live per thread: a search allocates nothing once its thread has searched.
    thread_local std::vector<Node> candidates; // min-heap: nearest on top
    thread_local std::vector<Node> results;    // max-heap: farthest on top
    thread_local std::vector<int32_t> fresh;
    candidates.clear();
    results.clear();
    fresh.resize(size_t(std::max(bottomEnd, 1)));
    thread_local std::vector<float> freshDistances;
    freshDistances.resize(fresh.size());
    const std::greater<Node> nearerFirst;
    const std::less<Node> fartherFirst;
    auto pushResult = [&](Node node) {
        results.push_back(node);
        std::push_heap(results.begin(), results.end(), fartherFirst);
    };
    auto popResult = [&] {
        std::pop_heap(results.begin(), results.end(), fartherFirst);
        results.pop_back();
    };

    candidates.emplace_back(best, nearest);
    if (allowed(nearest)) pushResult({best, nearest});
    visited.set(nearest);
    float bound = results.empty() ? HUGE_VALF : results.front().first;

    while (!candidates.empty()) {
        const Node current = candidates.front();
        if (current.first > bound && results.size() >= width) break;
        std::pop_heap(candidates.begin(), candidates.end(), nearerFirst);
        candidates.pop_back();
        // The next node to expand is usually the new top: its link list loads while this node's distances run.
        if (!candidates.empty()) distance.prefetchLinks(hnsw, candidates.front().second);
        // Unvisited neighbours first, their vectors prefetched, then the distances.
        const size_t offset = hnsw.offsets[size_t(current.second)];
        int count = 0;
        for (int j = 0; j < bottomEnd; j++) {
            const int32_t neighbour = hnsw.neighbors[offset + size_t(j)];
            if (neighbour < 0) break;
            if (visited.get(neighbour)) continue;
            visited.set(neighbour);
            distance.prefetch(neighbour);
            fresh[size_t(count++)] = neighbour;
        }
        // Distances four rows at a time (one pass over the query, the four rows' loads overlapping).
        distance.many(fresh.data(), count, freshDistances.data());
        for (int i = 0; i < count; i++) {
            const int32_t neighbour = fresh[size_t(i)];
            const float dist = freshDistances[size_t(i)];
            if (results.size() < width || dist < bound) {
                candidates.emplace_back(dist, neighbour);
                std::push_heap(candidates.begin(), candidates.end(), nearerFirst);
                if (allowed(neighbour)) {
                    pushResult({dist, neighbour});
                    if (results.size() > width) popResult();
                }
                if (!results.empty()) bound = results.front().first;
            }
        }
    }

    std::sort_heap(results.begin(), results.end(), fartherFirst); // nearest first
    const size_t kept = std::min(results.size(), size_t(k));
    hits.resize(kept);
    for (size_t i = 0; i < kept; i++) hits[i] = {results[i].first, int64_t(results[i].second)};
    return hits;
}

std::vector<std::pair<float, int64_t>> scanLabels(
    const VectorRows &rows, const float *query, int32_t k, const std::vector<int64_t> &labels) {
    std::vector<std::pair<float, int64_t>> hits; // max-heap of the k nearest: farthest on top
    hits.reserve(size_t(k) + 1);
    thread_local PreparedQuery prepared;
    prepared.prepare(rows, query);
    for (size_t i = 0; i < labels.size(); i++) {
        const int64_t label = labels[i];
        if (i + 1 < labels.size()) __builtin_prefetch(rows.row(labels[i + 1]));
        const float dist = -prepared.similarity(rows, label);
        if (hits.size() < size_t(k)) {
            hits.emplace_back(dist, label);
            std::push_heap(hits.begin(), hits.end());
        } else if (dist < hits.front().first) {
            std::pop_heap(hits.begin(), hits.end());
            hits.back() = {dist, label};
            std::push_heap(hits.begin(), hits.end());
        }
    }
    std::sort_heap(hits.begin(), hits.end()); // nearest first
    return hits;
}

} // namespace glimpse
