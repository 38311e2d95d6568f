// The C entry points: each validates its arguments, takes the handle's lock, and converts any C++ exception
// into a status code and message.
#include "CFaissShim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <faiss/IndexHNSW.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/HNSW.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <faiss/utils/Heap.h>
#include <zlib.h>

#include "IndexHandle.h"
#include "ShimErrors.h"
#include "GraphInsert.h"
#include "GraphSearch.h"
#include "InnerProductKernel.h"
#include "InnerProductStorage.h"
#include "LabelFilter.h"
#include "LevelGenerator.h"
#include "VisitedTablePool.h"

using namespace glimpse_shim;

namespace {

/// faiss::IOReader over a borrowed byte range; short reads make FAISS throw.
struct ByteSpanReader final : faiss::IOReader {
    const uint8_t *bytes;
    size_t length;
    size_t position = 0;

    ByteSpanReader(const uint8_t *bytes, size_t length) : bytes(bytes), length(length) { name = "snapshot"; }

    size_t operator()(void *destination, size_t size, size_t nitems) override {
        if (size == 0 || nitems == 0) return 0;
        size_t available = (length - position) / size;
        size_t items = std::min(nitems, available);
        std::memcpy(destination, bytes + position, items * size);
        position += items * size;
        return items;
    }
};

/// Below this many allowed vectors per unit of the widened ef, an exact scan of the allowed vectors beats the
/// filtered graph search. `glimpse-bench index` at 20k × 384 (load 10–12): a graph search at ef 128 cost as much
/// as scanning ~7,000 vectors and at ef 640 ~29,000, i.e. 45–55 per unit of ef; 48 sits in between.
constexpr int exactScanFactor = 48;

/// FAISS stores vector ids as 32-bit ints inside the graph.
constexpr int64_t maxVectors = INT32_MAX - 1;

void useKernelStorage(GlimpseHNSW &handle, bool stock) {
    faiss::IndexHNSW &index = *handle.index;
    auto *current = dynamic_cast<faiss::IndexFlat *>(index.storage);
    requireSound(current != nullptr, "storage is not flat");
    handle.stockSearch = stock;
    if (stock) {
        handle.storage = current;
        handle.searchKernel = glimpse::stockInnerProduct;
        return;
    }
    auto replacement = std::make_unique<glimpse::KernelFlatIP>(index.d, glimpse::bestInnerProductKernel());
    replacement->codes.swap(current->codes);
    replacement->ntotal = current->ntotal;
    if (index.own_fields) delete current;
    index.storage = replacement.release();
    index.own_fields = true;
    handle.storage = static_cast<faiss::IndexFlat *>(index.storage);
    handle.searchKernel = glimpse::bestInnerProductKernel();
}

/// sq8: the reconstruction offset and scale per dimension from FAISS's QT_8bit ranges (value = vmin + (code +
/// 0.5) / 255 · vdiff, FAISS's Codec8bit).
void refreshRanges(GlimpseHNSW &handle) {
    const size_t d = size_t(handle.index->d);
    const std::vector<float> &trained = handle.quantizer->sq.trained;
    requireSound(trained.size() == 2 * d, "sq8 ranges have the wrong size");
    handle.offset.resize(d);
    handle.scale.resize(d);
    for (size_t i = 0; i < d; i++) {
        handle.scale[i] = trained[d + i] / 255.0f;
        handle.offset[i] = trained[i] + 0.5f * handle.scale[i];
    }
}

void useQuantizedStorage(GlimpseHNSW &handle) {
    auto *quantizer = dynamic_cast<faiss::IndexScalarQuantizer *>(handle.index->storage);
    requireSound(quantizer != nullptr && quantizer->sq.qtype == faiss::ScalarQuantizer::QT_8bit &&
                     quantizer->code_size == size_t(handle.index->d),
                 "storage is not 8-bit scalar-quantised");
    handle.quantizer = quantizer;
    handle.storage = quantizer;
    handle.searchKernel = glimpse::bestInnerProductKernel();
    if (quantizer->is_trained) refreshRanges(handle);
}

/// Fewer vectors than this in the first add give no useful per-dimension range: use [-1, 1] (unit vectors).
constexpr int64_t minimumTrainingVectors = 1000;

/// The first add to an sq8 index sets its per-dimension ranges: min/max of the vectors, or [-1, 1].
void trainRanges(GlimpseHNSW &handle, int64_t count, const float *vectors) {
    const size_t d = size_t(handle.index->d);
    std::vector<float> low(d, -1.0f), high(d, 1.0f);
    if (count >= minimumTrainingVectors) {
        std::fill(low.begin(), low.end(), HUGE_VALF);
        std::fill(high.begin(), high.end(), -HUGE_VALF);
        for (int64_t v = 0; v < count; v++) {
            const float *row = vectors + size_t(v) * d;
            for (size_t i = 0; i < d; i++) {
                low[i] = std::min(low[i], row[i]);
                high[i] = std::max(high[i], row[i]);
            }
        }
    }
    std::vector<float> &trained = handle.quantizer->sq.trained;
    trained.resize(2 * d);
    for (size_t i = 0; i < d; i++) {
        require(std::isfinite(low[i]) && std::isfinite(high[i]), "vectors must be finite");
        trained[i] = low[i];
        // A constant dimension still needs a non-zero width (FAISS's encoder divides by it).
        trained[d + i] = std::max(high[i] - low[i], 1e-6f);
    }
    handle.quantizer->is_trained = true;
    handle.index->is_trained = true;
    refreshRanges(handle);
}

/// One search pass; returns (negated score, label) pairs, nearest first.
std::vector<std::pair<float, int64_t>> searchOnce(
    const GlimpseHNSW &handle, const float *query, int32_t k, int32_t ef, const glimpse::LabelFilter *filter,
    faiss::VisitedTable &visited) {
    const faiss::IndexHNSW &index = *handle.index;
    if (!handle.stockSearch) {
        return glimpse::searchGraph(index.hnsw, glimpse::rowsOf(handle), query, k, ef, filter, visited);
    }
    const auto *base = reinterpret_cast<const float *>(handle.storage->codes.data());
    glimpse::KernelDistanceComputer distance(base, size_t(index.d), handle.searchKernel, true);
    distance.set_query(query);

    // FAISS's own search: hnsw.efSearch (fixed at ef_search_max) sizes the candidate heap and
    // params.efSearch only decides when to stop, so per-call ef works without touching shared state.
    faiss::SearchParametersHNSW params;
    params.efSearch = std::max(ef, k);
    params.sel = const_cast<glimpse::LabelFilter *>(filter);
    std::vector<float> distances(static_cast<size_t>(k));
    std::vector<faiss::Index::idx_t> labels(static_cast<size_t>(k));
    faiss::maxheap_heapify(size_t(k), distances.data(), labels.data());
    index.hnsw.search(distance, k, labels.data(), distances.data(), visited, &params);

    std::vector<std::pair<float, int64_t>> hits;
    hits.reserve(size_t(k));
    for (int32_t i = 0; i < k; i++) {
        if (labels[size_t(i)] >= 0) hits.emplace_back(distances[size_t(i)], labels[size_t(i)]);
    }
    std::sort(hits.begin(), hits.end());
    return hits;
}

} // namespace

extern "C" {

GlimpseShimStatus glimpse_hnsw_create(
    int32_t dimension, int32_t m, int32_t ef_construction, int32_t ef_search_max, int32_t use_stock_distance,
    int32_t vector_encoding, GlimpseHNSW **out_index, char *message) {
    return guarded(message, [&] {
        require(out_index != nullptr, "missing output handle");
        require(dimension > 0, "dimension must be positive");
        require(m >= 2, "M must be at least 2");
        require(ef_construction >= 1, "efConstruction must be positive");
        require(ef_search_max >= 1, "efSearch maximum must be positive");
        require(vector_encoding == GLIMPSE_VECTORS_FLOAT32 || vector_encoding == GLIMPSE_VECTORS_SQ8,
                "unknown vector encoding " + std::to_string(vector_encoding));
        const bool quantized = vector_encoding == GLIMPSE_VECTORS_SQ8;
        require(!quantized || use_stock_distance == 0, "FAISS's stock search is only available for float32 vectors");
        auto handle = std::make_unique<GlimpseHNSW>();
        if (quantized) {
            handle->index = std::make_unique<faiss::IndexHNSWSQ>(
                dimension, faiss::ScalarQuantizer::QT_8bit, m, faiss::METRIC_INNER_PRODUCT);
        } else {
            handle->index = std::make_unique<faiss::IndexHNSWFlat>(dimension, m, faiss::METRIC_INNER_PRODUCT);
        }
        handle->index->hnsw.efConstruction = ef_construction;
        handle->index->hnsw.efSearch = ef_search_max;
        handle->efSearchMax = ef_search_max;
        if (quantized) {
            useQuantizedStorage(*handle);
        } else {
            useKernelStorage(*handle, use_stock_distance != 0);
        }
        *out_index = handle.release();
    });
}

void glimpse_hnsw_free(GlimpseHNSW *index) {
    delete index;
}

int32_t glimpse_hnsw_vector_encoding(GlimpseHNSW *index) {
    if (index == nullptr) return GLIMPSE_VECTORS_FLOAT32;
    return index->quantizer != nullptr ? GLIMPSE_VECTORS_SQ8 : GLIMPSE_VECTORS_FLOAT32;
}

int64_t glimpse_hnsw_bytes_per_vector(GlimpseHNSW *index) {
    if (index == nullptr) return 0;
    return int64_t(index->storage->code_size);
}

GlimpseShimStatus glimpse_hnsw_add(
    GlimpseHNSW *index, int64_t count, const int64_t *ids, const float *vectors, char *message) {
    return guarded(message, [&] {
        require(index != nullptr, "missing index");
        require(count >= 0, "negative vector count");
        if (count == 0) return;
        require(ids != nullptr && vectors != nullptr, "missing ids or vectors");
        std::unique_lock<std::shared_mutex> guard(index->lock);
        if (index->damaged) fail(GLIMPSE_SHIM_FAILURE, "index is damaged by an earlier failed add");
        int64_t ntotal = index->index->ntotal;
        require(count <= maxVectors - ntotal, "index would exceed FAISS's 32-bit vector limit");

        std::unordered_map<int64_t, int64_t> fresh;
        fresh.reserve(size_t(count));
        for (int64_t i = 0; i < count; i++) {
            require(index->labels.find(ids[i]) == index->labels.end(),
                    "id " + std::to_string(ids[i]) + " is already in the index");
            require(fresh.emplace(ids[i], ntotal + i).second,
                    "id " + std::to_string(ids[i]) + " appears twice in one add");
        }
        index->ids.reserve(size_t(ntotal + count));
        index->labels.reserve(size_t(ntotal + count));

        try {
            if (index->stockSearch) {
                index->index->add(count, vectors);
            } else {
                if (index->quantizer != nullptr && !index->quantizer->is_trained) {
                    trainRanges(*index, count, vectors);
                }
                index->dirty.resize(size_t(ntotal + count), 0);
                index->storage->add(count, vectors);
                index->index->ntotal = index->storage->ntotal;
                glimpse::insertNodes(
                    index->index->hnsw, glimpse::rowsOf(*index), ntotal, count, index->insertThreads,
                    index->backgroundInsert, index->dirty);
            }
        } catch (...) {
            index->damaged = index->index->ntotal != ntotal || index->storage->ntotal != ntotal ||
                             index->index->hnsw.levels.size() != size_t(ntotal);
            throw;
        }
        index->ids.insert(index->ids.end(), ids, ids + count);
        index->labels.insert(fresh.begin(), fresh.end());
        if (!index->deletedBeforeAdd.empty()) {
            index->deleted.resize(ntotal + count);
            for (const auto &[id, label] : fresh) {
                if (index->deletedBeforeAdd.erase(id) && index->deleted.insert(label)) index->deletedCount++;
            }
        }
    });
}

GlimpseShimStatus glimpse_hnsw_search(
    GlimpseHNSW *index, const float *query, int32_t k, int32_t ef, const int64_t *excluded, int64_t excluded_count,
    const int64_t *allowed, int64_t allowed_count, int64_t *out_ids, float *out_scores, int32_t *out_count,
    char *message) {
    return guarded(message, [&] {
        require(index != nullptr && query != nullptr, "missing index or query");
        require(out_ids != nullptr && out_scores != nullptr && out_count != nullptr, "missing output buffers");
        require(k >= 1, "k must be positive");
        require(ef >= 1, "ef must be positive");
        require(excluded_count >= 0 && (excluded_count == 0 || excluded != nullptr), "bad exclusion list");
        require(allowed_count <= 0 || allowed != nullptr, "bad allowed list");
        *out_count = 0;
        std::shared_lock<std::shared_mutex> guard(index->lock);
        if (index->damaged) fail(GLIMPSE_SHIM_FAILURE, "index is damaged by an earlier failed add");
        int64_t ntotal = index->index->ntotal;
        if (ntotal == 0) return;

        glimpse::LabelFilter filter;
        if (index->deletedCount > 0) filter.deleted = &index->deleted;
        // The per-call bitmaps are only worth allocating when the call excludes or filters something.
        glimpse::LabelBitmap exclusions;
        int64_t excludedLive = 0;
        if (excluded_count > 0) {
            exclusions.resize(ntotal);
            for (int64_t i = 0; i < excluded_count; i++) {
                auto found = index->labels.find(excluded[i]);
                if (found == index->labels.end() || !filter.accepts(found->second)) continue;
                if (exclusions.insert(found->second)) excludedLive++;
            }
            if (excludedLive > 0) filter.excluded = &exclusions;
        }
        int64_t candidates = ntotal - index->deletedCount - excludedLive;
        int32_t effective = std::min(ef, index->efSearchMax);

        std::vector<std::pair<float, int64_t>> hits;
        glimpse::LabelBitmap allowedBits;
        bool scanned = false;
        if (allowed_count >= 0) {
            allowedBits.resize(ntotal);
            std::vector<int64_t> allowedLabels;
            allowedLabels.reserve(size_t(std::min(allowed_count, ntotal)));
            for (int64_t i = 0; i < allowed_count; i++) {
                auto found = index->labels.find(allowed[i]);
                if (found == index->labels.end() || !filter.accepts(found->second)) continue;
                if (allowedBits.insert(found->second)) allowedLabels.push_back(found->second);
            }
            candidates = int64_t(allowedLabels.size());
            if (candidates == 0) return;
            // A filter that keeps a fraction s of the graph leaves about ef·s allowed nodes within a plain
            // search's reach, so ef grows by 1/s (up to the maximum), as in hnswlib's and Qdrant's filtered search.
            double selectivity = double(candidates) / double(ntotal);
            int64_t widened = int64_t(std::ceil(double(effective) / selectivity));
            effective = int32_t(std::min<int64_t>(std::max<int64_t>(widened, effective), index->efSearchMax));
            // A small allowed set is cheaper to scan exactly than to search in the graph, and the scan is exact.
            bool scan = index->filterStrategy == 2 ||
                        (index->filterStrategy == 0 && candidates <= int64_t(exactScanFactor) * effective);
            if (scan) {
                hits = glimpse::scanLabels(glimpse::rowsOf(*index), query, k, allowedLabels);
                scanned = true;
            } else {
                filter.allowed = &allowedBits;
            }
        }
        if (!scanned) {
            int64_t wanted = std::min<int64_t>(k, candidates);
            if (wanted <= 0) return;
            const glimpse::LabelFilter *active =
                (filter.deleted || filter.excluded || filter.allowed) ? &filter : nullptr;
            // Exclusions can leave fewer than k allowed hits within ef; widen ef until k are found or the
            // maximum is reached.
            while (true) {
                glimpse::VisitedScope visited(ntotal);
                hits = searchOnce(*index, query, k, effective, active, visited.table);
                if (int64_t(hits.size()) >= wanted || effective >= index->efSearchMax) break;
                effective = std::min(effective * 2, index->efSearchMax);
            }
        }
        for (size_t i = 0; i < hits.size(); i++) {
            out_ids[i] = index->ids[size_t(hits[i].second)];
            out_scores[i] = -hits[i].first;
        }
        *out_count = int32_t(hits.size());
    });
}

GlimpseShimStatus glimpse_hnsw_mark_deleted(
    GlimpseHNSW *index, const int64_t *ids, int64_t count, int32_t deleted, char *message) {
    return guarded(message, [&] {
        require(index != nullptr, "missing index");
        require(count >= 0 && (count == 0 || ids != nullptr), "bad id list");
        std::unique_lock<std::shared_mutex> guard(index->lock);
        index->deleted.resize(index->index->ntotal);
        for (int64_t i = 0; i < count; i++) {
            auto found = index->labels.find(ids[i]);
            if (found == index->labels.end()) {
                if (deleted) {
                    index->deletedBeforeAdd.insert(ids[i]);
                } else {
                    index->deletedBeforeAdd.erase(ids[i]);
                }
            } else if (deleted) {
                if (index->deleted.insert(found->second)) index->deletedCount++;
            } else if (index->deleted.erase(found->second)) {
                index->deletedCount--;
            }
        }
    });
}

void glimpse_hnsw_set_filter_strategy(GlimpseHNSW *index, int32_t strategy) {
    if (index == nullptr) return;
    std::unique_lock<std::shared_mutex> guard(index->lock);
    index->filterStrategy = std::clamp(int(strategy), 0, 2);
}

int64_t glimpse_hnsw_deleted_count(GlimpseHNSW *index) {
    if (index == nullptr) return 0;
    std::shared_lock<std::shared_mutex> guard(index->lock);
    return index->deletedCount;
}

int64_t glimpse_hnsw_count(GlimpseHNSW *index) {
    if (index == nullptr) return 0;
    std::shared_lock<std::shared_mutex> guard(index->lock);
    return int64_t(index->ids.size());
}

void glimpse_hnsw_set_insertion(GlimpseHNSW *index, int32_t threads, int32_t background) {
    if (index == nullptr) return;
    std::unique_lock<std::shared_mutex> guard(index->lock);
    index->insertThreads = std::max(1, int(threads));
    index->backgroundInsert = background != 0;
}

int32_t glimpse_hnsw_max_level(GlimpseHNSW *index) {
    if (index == nullptr) return -1;
    std::shared_lock<std::shared_mutex> guard(index->lock);
    return int32_t(index->index->hnsw.max_level);
}

GlimpseShimStatus glimpse_hnsw_snapshot(GlimpseHNSW *index, GlimpseHNSWSnapshot **out_snapshot, char *message) {
    return guarded(message, [&] {
        require(index != nullptr && out_snapshot != nullptr, "missing index or output");
        auto snapshot = std::make_unique<GlimpseHNSWSnapshot>();
        std::shared_lock<std::shared_mutex> guard(index->lock);
        if (index->damaged) fail(GLIMPSE_SHIM_FAILURE, "index is damaged by an earlier failed add");
        std::lock_guard<std::mutex> deltaGuard(index->deltaLock);
        faiss::VectorIOWriter writer;
        faiss::write_index(index->index.get(), &writer);
        snapshot->bytes.swap(writer.data);
        snapshot->ids = index->ids;
        // The next delta starts from here.
        std::fill(index->dirty.begin(), index->dirty.end(), 0);
        index->persistedCount = index->index->ntotal;
        index->rangesPersisted = index->quantizer != nullptr && index->quantizer->is_trained;
        *out_snapshot = snapshot.release();
    });
}

const int64_t *glimpse_hnsw_snapshot_ids(const GlimpseHNSWSnapshot *snapshot, int64_t *out_count) {
    *out_count = int64_t(snapshot->ids.size());
    return snapshot->ids.data();
}

const uint8_t *glimpse_hnsw_snapshot_bytes(const GlimpseHNSWSnapshot *snapshot, uint64_t *out_length) {
    *out_length = uint64_t(snapshot->bytes.size());
    return snapshot->bytes.data();
}

void glimpse_hnsw_snapshot_free(GlimpseHNSWSnapshot *snapshot) {
    delete snapshot;
}

GlimpseShimStatus glimpse_hnsw_load(
    const uint8_t *bytes, uint64_t length, const int64_t *ids, int64_t id_count, int32_t dimension, int32_t m,
    int32_t ef_construction, int32_t ef_search_max, int32_t expected_encoding, GlimpseHNSW **out_index,
    char *message) {
    return guarded(message, [&] {
        require(bytes != nullptr && out_index != nullptr, "missing bytes or output");
        require(id_count >= 0 && (id_count == 0 || ids != nullptr), "bad id list");
        require(ef_search_max >= 1, "efSearch maximum must be positive");
        ByteSpanReader reader(bytes, size_t(length));
        std::unique_ptr<faiss::Index> loaded;
        try {
            loaded.reset(faiss::read_index(&reader));
        } catch (const faiss::FaissException &error) {
            fail(GLIMPSE_SHIM_CORRUPT, std::string("index bytes unreadable: ") + error.what());
        }
        requireSound(reader.position == reader.length, "trailing bytes after the index");
        auto *hnsw = dynamic_cast<faiss::IndexHNSW *>(loaded.get());
        const bool quantized = dynamic_cast<faiss::IndexHNSWSQ *>(loaded.get()) != nullptr;
        requireSound(hnsw != nullptr && (quantized || dynamic_cast<faiss::IndexHNSWFlat *>(loaded.get()) != nullptr),
                     "not an HNSW index over float32 or sq8 vectors");
        if (expected_encoding >= 0 && quantized != (expected_encoding == GLIMPSE_VECTORS_SQ8)) {
            fail(GLIMPSE_SHIM_CORRUPT, std::string("snapshot holds ") + (quantized ? "sq8" : "float32") +
                                           " vectors but the index is configured for " +
                                           (quantized ? "float32" : "sq8"));
        }
        loaded.release();
        auto handle = std::make_unique<GlimpseHNSW>();
        handle->index.reset(hnsw);

        requireSound(hnsw->metric_type == faiss::METRIC_INNER_PRODUCT, "metric is not inner product");
        requireSound(hnsw->d == dimension, "dimension " + std::to_string(hnsw->d) + " instead of " +
                                               std::to_string(dimension));
        requireSound(hnsw->ntotal == id_count, std::to_string(hnsw->ntotal) + " vectors but " +
                                                   std::to_string(id_count) + " ids");
        requireSound(hnsw->ntotal <= maxVectors, "too many vectors");
        requireSound(hnsw->hnsw.nb_neighbors(1) == m, "M differs from the header");
        requireSound(hnsw->hnsw.efConstruction == ef_construction, "efConstruction differs from the header");
        requireSound(hnsw->storage != nullptr && hnsw->storage->ntotal == hnsw->ntotal, "storage size mismatch");
        requireSound(hnsw->hnsw.levels.size() == size_t(hnsw->ntotal) &&
                         hnsw->hnsw.offsets.size() == size_t(hnsw->ntotal) + 1,
                     "graph size mismatch");
        requireSound(hnsw->hnsw.entry_point >= -1 && hnsw->hnsw.entry_point < hnsw->ntotal,
                     "entry point out of range");
        if (quantized) {
            useQuantizedStorage(*handle);
            requireSound(handle->quantizer->is_trained || hnsw->ntotal == 0, "sq8 ranges missing");
            handle->rangesPersisted = handle->quantizer->is_trained;
        } else {
            useKernelStorage(*handle, false);
        }
        requireSound(handle->storage->codes.size() == size_t(hnsw->ntotal) * handle->storage->code_size,
                     "vector storage size mismatch");

        handle->ids.assign(ids, ids + id_count);
        handle->labels.reserve(size_t(id_count));
        for (int64_t i = 0; i < id_count; i++) {
            requireSound(handle->labels.emplace(ids[i], i).second, "id " + std::to_string(ids[i]) + " repeats");
        }
        hnsw->hnsw.efSearch = ef_search_max;
        glimpse::reseedLevelGenerator(hnsw->hnsw, hnsw->ntotal);
        handle->dirty.assign(size_t(hnsw->ntotal), 0);
        handle->persistedCount = hnsw->ntotal;
        handle->efSearchMax = ef_search_max;
        *out_index = handle.release();
    });
}

uint32_t glimpse_crc32(uint32_t crc, const uint8_t *bytes, uint64_t length) {
    return uint32_t(crc32_z(crc, bytes, size_t(length)));
}

const char *glimpse_distance_kernel_name(void) {
    return glimpse::bestInnerProductKernelName();
}

int32_t glimpse_inner_product_with_kernel(
    const char *kernel, const float *a, const float *const *rows, int32_t row_count, uint64_t d, float *out) {
    if (kernel == nullptr || a == nullptr || rows == nullptr || out == nullptr) return 0;
    if (row_count == 4) {
        const glimpse::InnerProduct4Kernel four = glimpse::innerProduct4KernelNamed(kernel);
        if (four == nullptr) return 0;
        four(a, rows[0], rows[1], rows[2], rows[3], size_t(d), out);
        return 1;
    }
    const glimpse::InnerProductKernel single = glimpse::innerProductKernelNamed(kernel);
    if (single == nullptr || row_count != 1) return 0;
    out[0] = single(a, rows[0], size_t(d));
    return 1;
}

int32_t glimpse_hnsw_ranges_trained_from_data(GlimpseHNSW *index) {
    if (index == nullptr) return 0;
    std::shared_lock<std::shared_mutex> guard(index->lock);
    if (index->quantizer == nullptr || !index->quantizer->is_trained) return 0;
    // trainRanges stores [-1, 1] as low -1 and width 2 exactly; any other value came from data.
    const size_t d = size_t(index->index->d);
    const std::vector<float> &trained = index->quantizer->sq.trained;
    for (size_t i = 0; i < d && 2 * d == trained.size(); i++) {
        if (trained[i] != -1.0f || trained[d + i] != 2.0f) return 1;
    }
    return 0;
}

GlimpseShimStatus glimpse_hnsw_vectors(
    GlimpseHNSW *index, const int64_t *ids, int64_t count, float *out_vectors, uint8_t *out_found, char *message) {
    return guarded(message, [&] {
        require(index != nullptr, "missing index");
        require(count >= 0, "count must not be negative");
        if (count == 0) return;
        require(ids != nullptr && out_vectors != nullptr && out_found != nullptr, "missing ids or output buffers");
        std::shared_lock<std::shared_mutex> guard(index->lock);
        if (index->damaged) fail(GLIMPSE_SHIM_FAILURE, "index is damaged by an earlier failed add");
        const glimpse::VectorRows rows = glimpse::rowsOf(*index);
        const size_t d = size_t(index->index->d);
        const int64_t ntotal = index->index->ntotal;
        for (int64_t i = 0; i < count; i++) {
            auto found = index->labels.find(ids[i]);
            bool present = found != index->labels.end() && found->second >= 0 && found->second < ntotal;
            out_found[i] = present ? 1 : 0;
            if (present) rows.decode(found->second, out_vectors + size_t(i) * d);
        }
    });
}

} // extern "C"
