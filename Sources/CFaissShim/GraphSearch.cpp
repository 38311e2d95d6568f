#include "GraphSearch.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace glimpse {
namespace {

using Node = std::pair<float, int32_t>; // (distance, label)

/// Greedy descent through one upper layer: move to any closer neighbour until none is closer.
void descend(const faiss::HNSW &hnsw, faiss::DistanceComputer &distance, int level, int32_t &nearest, float &best) {
    const int begin = hnsw.cum_nneighbor_per_level[level];
    const int end = hnsw.cum_nneighbor_per_level[level + 1];
    for (bool moved = true; moved;) {
        moved = false;
        const size_t offset = hnsw.offsets[size_t(nearest)];
        for (int j = begin; j < end; j++) {
            const int32_t neighbour = hnsw.neighbors[offset + size_t(j)];
            if (neighbour < 0) break;
            const float d = distance(neighbour);
            if (d < best) {
                best = d;
                nearest = neighbour;
                moved = true;
            }
        }
    }
}

} // namespace

std::vector<std::pair<float, int64_t>> searchGraph(
    const faiss::HNSW &hnsw, faiss::DistanceComputer &distance, int32_t k, int32_t ef,
    const ExcludedLabels *excluded, faiss::VisitedTable &visited) {
    std::vector<std::pair<float, int64_t>> hits;
    if (hnsw.entry_point < 0) return hits;

    int32_t nearest = hnsw.entry_point;
    float best = distance(nearest);
    for (int level = hnsw.max_level; level >= 1; level--) {
        descend(hnsw, distance, level, nearest, best);
    }

    // Bottom layer: best-first expansion bounded by the ef nearest allowed nodes found so far.
    const size_t width = size_t(std::max(ef, k));
    const int bottomEnd = hnsw.cum_nneighbor_per_level[1];
    auto allowed = [excluded](int32_t label) { return excluded == nullptr || excluded->is_member(label); };
    std::priority_queue<Node, std::vector<Node>, std::greater<Node>> candidates; // nearest on top
    std::priority_queue<Node> results;                                            // farthest on top
    candidates.emplace(best, nearest);
    if (allowed(nearest)) results.emplace(best, nearest);
    visited.set(nearest);
    float bound = results.empty() ? HUGE_VALF : results.top().first;

    while (!candidates.empty()) {
        const Node current = candidates.top();
        if (current.first > bound && results.size() >= width) break;
        candidates.pop();
        const size_t offset = hnsw.offsets[size_t(current.second)];
        for (int j = 0; j < bottomEnd; j++) {
            const int32_t neighbour = hnsw.neighbors[offset + size_t(j)];
            if (neighbour < 0) break;
            if (visited.get(neighbour)) continue;
            visited.set(neighbour);
            const float d = distance(neighbour);
            if (results.size() < width || d < bound) {
                candidates.emplace(d, neighbour);
                if (allowed(neighbour)) {
                    results.emplace(d, neighbour);
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
