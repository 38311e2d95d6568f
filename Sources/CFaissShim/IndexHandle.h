// The index handle behind the C API's opaque pointer (private to the shim's C++ files).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexScalarQuantizer.h>

#include "InnerProductKernel.h"
#include "LabelFilter.h"
#include "VectorRows.h"

struct GlimpseHNSW {
    /// IndexHNSWFlat (float32 rows) or IndexHNSWSQ with QT_8bit (sq8 rows).
    std::unique_ptr<faiss::IndexHNSW> index;
    /// The row storage inside `index` (owned by it): IndexFlat or IndexScalarQuantizer.
    faiss::IndexFlatCodes *storage = nullptr;
    /// The sq8 storage (null for float32); its ranges are trained by the first add.
    faiss::IndexScalarQuantizer *quantizer = nullptr;
    /// sq8: value_i = offset[i] + scale[i] · code_i, from the quantizer's trained vmin/vdiff.
    std::vector<float> offset, scale;
    /// sq8: the last full snapshot holds the trained ranges (deltas carry rows, not ranges).
    bool rangesPersisted = false;
    /// FAISS label (insertion order) → catalog id.
    std::vector<int64_t> ids;
    /// Catalog id → FAISS label, to turn excluded catalog ids into labels.
    std::unordered_map<int64_t, int64_t> labels;
    /// Labels whose catalog ids were deleted or replaced (HNSW cannot remove a node): never returned by a search.
    /// Marked under the exclusive lock; not part of snapshots (the catalog knows its tombstones).
    glimpse::LabelBitmap deleted;
    int64_t deletedCount = 0;
    /// Ids marked deleted before they were added (a replay can add a vector whose deletion is already known).
    std::unordered_set<int64_t> deletedBeforeAdd;
    /// Filtered searches: 0 choose by selectivity, 1 graph only, 2 exact scan only.
    int filterStrategy = 0;
    glimpse::InnerProductKernel searchKernel = nullptr;
    /// Benchmark baseline: FAISS's distance code, HNSW insertion and HNSW::search instead of ours.
    bool stockSearch = false;
    /// Threads one large add may use (small adds run on the caller's thread alone).
    int insertThreads = int(std::max(1u, std::thread::hardware_concurrency()));
    /// Inserts on lowest-priority threads (a rebuild that must not starve searches).
    bool backgroundInsert = false;
    int32_t efSearchMax = 0;
    /// Set when an add failed half-way; the graph may then be inconsistent with `ids`.
    bool damaged = false;
    /// Nodes below `persistedCount` whose links changed since the last snapshot or delta (one byte per node,
    /// written by adds under the exclusive lock, read and cleared under the shared lock plus `deltaLock`).
    std::vector<uint8_t> dirty;
    /// Vectors the last snapshot or delta covered.
    int64_t persistedCount = 0;
    /// Serializes snapshots and deltas, which share `lock` with searches but reset the fields above.
    std::mutex deltaLock;
    /// Searches and snapshots share it; adds hold it exclusively (FAISS's add is not safe alongside search).
    std::shared_mutex lock;
};

namespace glimpse {
/// How `handle` stores its rows, for the graph code.
inline VectorRows rowsOf(const GlimpseHNSW &handle) {
    VectorRows rows;
    rows.codes = handle.storage->codes.data();
    rows.d = size_t(handle.index->d);
    rows.rowBytes = handle.storage->code_size;
    rows.kernel = handle.searchKernel;
    // The four-row kernel only beside our own single-row one (the stock-distance comparison keeps FAISS's).
    if (handle.searchKernel == bestInnerProductKernel()) rows.kernel4 = bestInnerProduct4Kernel();
    if (handle.quantizer != nullptr) {
        rows.offset = handle.offset.data();
        rows.scale = handle.scale.data();
        rows.quantizedKernel = bestQuantizedInnerProductKernel();
    }
    return rows;
}
} // namespace glimpse

struct GlimpseHNSWSnapshot {
    std::vector<int64_t> ids;
    std::vector<uint8_t> bytes;
};

