// Our own best-first search over a FAISS HNSW graph.
//
// FAISS 1.7.3's HNSW::search sizes its candidate heap by the index-wide hnsw.efSearch and only uses the
// per-call SearchParametersHNSW::efSearch as a stopping rule, and the heap's pop/count are linear scans over
// that whole heap. Sizing the shared heap for the largest ef (hnsw.efSearch cannot be changed while other
// threads search) made ef 32–64 searches 1.6–2.3× slower than FAISS's own ef-sized search. This search
// reads the same graph arrays but sizes its lists by the call's ef, so per-call ef costs what it says.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/HNSW.h>

#include "LabelFilter.h"
#include "VectorRows.h"

namespace glimpse {

/// Up to `k` (distance, label) pairs, nearest first, over labels `filter` accepts (may be null: all); distance is
/// the negated inner product of `query` with the stored `rows` (float32 or sq8), computed by our kernels called
/// directly (no virtual distance computer). Rejected nodes are still traversed, and the result
/// list keeps filling past them (hnswlib's filtered search), so k hits come back whenever the graph reaches k
/// allowed nodes. The caller ends the visited table's round (`VisitedScope`).
std::vector<std::pair<float, int64_t>> searchGraph(
    const faiss::HNSW &hnsw, const VectorRows &rows, const float *query, int32_t k, int32_t ef, const LabelFilter *filter, faiss::VisitedTable &visited);

/// Exact top `k` over `labels` (a filtered search's allowed set when it is small): no graph, no recall loss.
std::vector<std::pair<float, int64_t>> scanLabels(
    const VectorRows &rows, const float *query, int32_t k, const std::vector<int64_t> &labels);

} // namespace glimpse
