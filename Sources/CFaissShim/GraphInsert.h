// Our own HNSW insertion into a FAISS graph.
//
// FAISS 1.7.3's hnsw_add_vertices reaches distances through two virtual calls (its negating wrapper around our
// computer), allocates a lock and a visited byte per indexed vector on every add (an API add of one item cost
// time proportional to the whole index), and builds 1.3–2× slower than faiss-cpu 1.15 or hnswlib. This
// insertion follows the same algorithm (levels from hnsw.rng, nodes inserted highest level first in random
// order, efConstruction-wide candidate search, FAISS's neighbour-selection heuristic, reverse links pruned the
// same way) on the same arrays, so snapshots are unchanged; it calls our kernel directly, reuses per-thread
// visited tables, stripes its locks, and splits large adds over `threads` threads. An add that at least doubles
// the index (a bulk build or rebuild) computes its distances on a transient half-precision copy of the rows, half
// the bytes loaded per distance (construction is bound by row loads); stored vectors stay float32.
#pragma once

#include <cstdint>
#include <vector>

#include <faiss/impl/HNSW.h>

#include "VectorRows.h"

namespace glimpse {

/// Links nodes n0 ..< n0 + n into `hnsw`; their vectors must already be in `rows`.
/// Sets `dirty[node]` (sized n0 + n by the caller) for every node whose links changed, for incremental snapshots.
/// `background` runs the work on threads of the lowest scheduling priority (nice 19) while the caller waits, so
/// a rebuild yields the cores to searches.
void insertNodes(
    faiss::HNSW &hnsw, const VectorRows &rows, int64_t n0, int64_t n, int threads,
    bool background, std::vector<uint8_t> &dirty);

} // namespace glimpse
