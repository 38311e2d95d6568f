#include "GraphSearch.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <vector>

namespace glimpse {
namespace {

using Node = std::pair<float, int32_t>; // (distance, label)

struct Distance {
    const float *base;
    size_t d;
    InnerProductKernel kernel;
    const float *query;
    float operator()(int32_t label) const { return -kernel(query, base + size_t(label) * d, d); }
    /// Starts loading a vector's first cache lines while earlier distances are computed.
    void prefetch(int32_t label) const {
        const char *row = reinterpret_cast<const char *>(base + size_t(label) * d);
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
    const faiss::HNSW &hnsw, const float *base, size_t d, InnerProductKernel kernel, const float *query, int32_t k,
    int32_t ef, const ExcludedLabels *excluded, faiss::VisitedTable &visited) {
    std::vector<std::pair<float, int64_t>> hits;
    if (hnsw.entry_point < 0) return hits;
    const Distance distance{base, d, kernel, query};

    int32_t nearest = hnsw.entry_point;
    float best = distance(nearest);
    for (int level = hnsw.max_level; level >= 1; level--) {
        descend(hnsw, distance, level, nearest, best);
    }

    // Bottom layer: best-first expansion bounded by the ef nearest allowed nodes found so far.
    const size_t width = size_t(std::max(ef, k));
    const int bottomEnd = hnsw.cum_nneighbor_per_level[1];
    auto allowed = [excluded](int32_t label) { return excluded == nullptr || excluded->is_member(label); };
    std::vector<Node> candidateStorage, resultStorage;
    candidateStorage.reserve(width * 2);
    resultStorage.reserve(width + 1);
    std::priority_queue<Node, std::vector<Node>, std::greater<Node>> candidates(
        std::greater<Node>(), std::move(candidateStorage)); // nearest on top
    std::priority_queue<Node> results(std::less<Node>(), std::move(resultStorage)); // farthest on top
    candidates.emplace(best, nearest);
    if (allowed(nearest)) results.emplace(best, nearest);
    visited.set(nearest);
    float bound = results.empty() ? HUGE_VALF : results.top().first;

    std::vector<int32_t> fresh(size_t(std::max(bottomEnd, 1)));
    while (!candidates.empty()) {
        const Node current = candidates.top();
        if (current.first > bound && results.size() >= width) break;
        candidates.pop();
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
        for (int i = 0; i < count; i++) {
            const int32_t neighbour = fresh[size_t(i)];
            const float dist = distance(neighbour);
            if (results.size() < width || dist < bound) {
                candidates.emplace(dist, neighbour);
                if (allowed(neighbour)) {
                    results.emplace(dist, neighbour);
                    if (results.size() > width) results.pop();
                }
                if (!results.empty()) bound = results.top().first;
            }
        }
    }

    while (results.size() > size_t(k)) results.pop();
    hits.resize(results.size());
    for (size_t i = hits.size(); i-- > 0;) {
        hits[i] = {results.top().first, int64_t(results.top().second)};
        results.pop();
    }
    return hits;
}

} // namespace glimpse
