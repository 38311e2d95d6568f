// Incremental snapshots: what changed in the graph since the last snapshot, as bytes, and applying them back.
//
// Layout (native little-endian):
//   i64 first label (the count the delta starts from)   i64 added count a   i32 entry point   i32 max level
//   i64 changed count c
//   a × i64 catalog ids   a × i32 levels (FAISS's level + 1)   a × dimension × f32 vectors
//   a link blocks (each node's whole neighbours range, all its levels)
//   c × i32 labels of older nodes whose links changed, then their c link blocks
// A reload applies the blocks verbatim, so the graph (and every search) is exactly the one that was saved.
#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "CFaissShim.h"
#include "IndexHandle.h"
#include "LevelGenerator.h"
#include "ShimErrors.h"

struct GlimpseHNSWDelta {
    std::vector<uint8_t> bytes;
    int64_t added = 0;
};

using namespace glimpse_shim;

namespace {

struct ByteWriter {
    std::vector<uint8_t> &out;
    template <typename T>
    void put(const T *values, size_t count) {
        const auto *raw = reinterpret_cast<const uint8_t *>(values);
        out.insert(out.end(), raw, raw + count * sizeof(T));
    }
    template <typename T>
    void put(T value) { put(&value, 1); }
};

struct ByteReader {
    const uint8_t *bytes;
    size_t length;
    size_t position = 0;

    template <typename T>
    void get(T *values, size_t count) {
        size_t size = count * sizeof(T);
        if (count != 0 && size / count != sizeof(T)) fail(GLIMPSE_SHIM_CORRUPT, "delta sizes overflow");
        if (size > length - position) fail(GLIMPSE_SHIM_CORRUPT, "delta is truncated");
        std::memcpy(values, bytes + position, size);
        position += size;
    }
    template <typename T>
    T get() {
        T value;
        get(&value, 1);
        return value;
    }
};

void putLinks(ByteWriter &writer, const faiss::HNSW &hnsw, int64_t label) {
    size_t begin = hnsw.offsets[size_t(label)], end = hnsw.offsets[size_t(label) + 1];
    writer.put(hnsw.neighbors.data() + begin, end - begin);
}

void requireDelta(bool condition, const std::string &what) {
    if (!condition) fail(GLIMPSE_SHIM_CORRUPT, "delta does not fit the index: " + what);
}

} // namespace

extern "C" {

GlimpseShimStatus glimpse_hnsw_take_delta(GlimpseHNSW *index, GlimpseHNSWDelta **out_delta, char *message) {
    return guarded(message, [&] {
        require(index != nullptr && out_delta != nullptr, "missing index or output");
        require(!index->stockSearch, "incremental snapshots need glimpse's own insertion");
        std::shared_lock<std::shared_mutex> guard(index->lock);
        if (index->damaged) fail(GLIMPSE_SHIM_FAILURE, "index is damaged by an earlier failed add");
        std::lock_guard<std::mutex> deltaGuard(index->deltaLock);
        const faiss::HNSW &hnsw = index->index->hnsw;
        const int64_t first = index->persistedCount, total = index->index->ntotal;
        const int64_t added = total - first;
        require(index->quantizer == nullptr || index->rangesPersisted || added == 0,
                "sq8 ranges trained since the last full snapshot: write a full snapshot");
        std::vector<int32_t> changed;
        for (int64_t label = 0; label < first; label++) {
            if (index->dirty[size_t(label)]) changed.push_back(int32_t(label));
        }

        auto delta = std::make_unique<GlimpseHNSWDelta>();
        delta->added = added;
        ByteWriter writer{delta->bytes};
        writer.put<int64_t>(first);
        writer.put<int64_t>(added);
        writer.put<int32_t>(hnsw.entry_point);
        writer.put<int32_t>(hnsw.max_level);
        writer.put<int64_t>(int64_t(changed.size()));
        writer.put(index->ids.data() + first, size_t(added));
        writer.put(hnsw.levels.data() + first, size_t(added));
        // Rows as stored (float32 or sq8 codes): an sq8 delta applies to an index holding the same ranges.
        const size_t rowBytes = index->storage->code_size;
        writer.put(index->storage->codes.data() + size_t(first) * rowBytes, size_t(added) * rowBytes);
        for (int64_t label = first; label < total; label++) putLinks(writer, hnsw, label);
        writer.put(changed.data(), changed.size());
        for (int32_t label : changed) putLinks(writer, hnsw, label);

        std::fill(index->dirty.begin(), index->dirty.end(), 0);
        index->persistedCount = total;
        *out_delta = delta.release();
    });
}

int32_t glimpse_hnsw_can_take_delta(GlimpseHNSW *index) {
    if (index == nullptr) return 0;
    std::shared_lock<std::shared_mutex> guard(index->lock);
    std::lock_guard<std::mutex> deltaGuard(index->deltaLock); // snapshots write rangesPersisted under it
    return index->quantizer == nullptr || index->rangesPersisted || index->index->ntotal == index->persistedCount;
}

const uint8_t *glimpse_hnsw_delta_bytes(const GlimpseHNSWDelta *delta, uint64_t *out_length) {
    *out_length = uint64_t(delta->bytes.size());
    return delta->bytes.data();
}

int64_t glimpse_hnsw_delta_added(const GlimpseHNSWDelta *delta) {
    return delta->added;
}

void glimpse_hnsw_delta_free(GlimpseHNSWDelta *delta) {
    delete delta;
}

GlimpseShimStatus glimpse_hnsw_apply_delta(GlimpseHNSW *index, const uint8_t *bytes, uint64_t length, char *message) {
    return guarded(message, [&] {
        require(index != nullptr && bytes != nullptr, "missing index or bytes");
        require(!index->stockSearch, "incremental snapshots need glimpse's own insertion");
        std::unique_lock<std::shared_mutex> guard(index->lock);
        if (index->damaged) fail(GLIMPSE_SHIM_FAILURE, "index is damaged by an earlier failed add");
        faiss::HNSW &hnsw = index->index->hnsw;
        const int64_t total = index->index->ntotal;
        const size_t rowBytes = index->storage->code_size;

        // Everything is read and checked before the index changes, so a bad delta leaves it as it was.
        ByteReader reader{bytes, size_t(length)};
        const int64_t first = reader.get<int64_t>(), added = reader.get<int64_t>();
        const int32_t entryPoint = reader.get<int32_t>(), maxLevel = reader.get<int32_t>();
        const int64_t changedCount = reader.get<int64_t>();
        requireDelta(first == total, "it starts at " + std::to_string(first) + ", the index holds " + std::to_string(total));
        requireDelta(added >= 0 && added <= int64_t(length / (12 + rowBytes)) && total + added <= INT32_MAX - 1,
                     "bad added count");
        requireDelta(changedCount >= 0 && changedCount <= total, "bad changed count");
        const int64_t newTotal = total + added;
        std::vector<int64_t> ids(static_cast<size_t>(added));
        std::vector<int> levels(static_cast<size_t>(added));
        std::vector<uint8_t> rows(size_t(added) * rowBytes);
        reader.get(ids.data(), ids.size());
        reader.get(levels.data(), levels.size());
        reader.get(rows.data(), rows.size());
        const int levelLimit = int(hnsw.cum_nneighbor_per_level.size()) - 1;
        std::vector<size_t> offsets{hnsw.offsets.back()};
        for (int level : levels) {
            requireDelta(level >= 1 && level <= levelLimit, "node level out of range");
            offsets.push_back(offsets.back() + size_t(hnsw.cum_nb_neighbors(level)));
        }
        auto validLinks = [&](const std::vector<faiss::HNSW::storage_idx_t> &links) {
            for (auto link : links) requireDelta(link >= -1 && link < newTotal, "link out of range");
        };
        std::vector<faiss::HNSW::storage_idx_t> newLinks(offsets.back() - offsets.front());
        reader.get(newLinks.data(), newLinks.size());
        validLinks(newLinks);
        std::vector<int32_t> changed(static_cast<size_t>(changedCount));
        reader.get(changed.data(), changed.size());
        size_t changedSize = 0;
        for (int32_t label : changed) {
            requireDelta(label >= 0 && label < total, "changed node out of range");
            changedSize += hnsw.offsets[size_t(label) + 1] - hnsw.offsets[size_t(label)];
        }
        std::vector<faiss::HNSW::storage_idx_t> changedLinks(changedSize);
        reader.get(changedLinks.data(), changedLinks.size());
        validLinks(changedLinks);
        requireDelta(reader.position == reader.length, "trailing bytes");
        requireDelta(newTotal == 0 || (entryPoint >= 0 && entryPoint < newTotal), "entry point out of range");
        requireDelta(maxLevel >= -1 && maxLevel < levelLimit, "max level out of range");
        std::unordered_map<int64_t, int64_t> fresh;
        for (int64_t i = 0; i < added; i++) {
            requireDelta(index->labels.find(ids[size_t(i)]) == index->labels.end() &&
                             fresh.emplace(ids[size_t(i)], total + i).second,
                         "id " + std::to_string(ids[size_t(i)]) + " repeats");
        }

        requireDelta(index->quantizer == nullptr || index->quantizer->is_trained || added == 0,
                     "sq8 rows for an index without ranges");
        index->storage->codes.insert(index->storage->codes.end(), rows.begin(), rows.end());
        index->storage->ntotal += added;
        index->index->ntotal = index->storage->ntotal;
        hnsw.levels.insert(hnsw.levels.end(), levels.begin(), levels.end());
        hnsw.offsets.insert(hnsw.offsets.end(), offsets.begin() + 1, offsets.end());
        hnsw.neighbors.insert(hnsw.neighbors.end(), newLinks.begin(), newLinks.end());
        size_t cursor = 0;
        for (int32_t label : changed) {
            size_t begin = hnsw.offsets[size_t(label)], end = hnsw.offsets[size_t(label) + 1];
            std::copy(changedLinks.begin() + long(cursor), changedLinks.begin() + long(cursor + end - begin),
                      hnsw.neighbors.begin() + long(begin));
            cursor += end - begin;
        }
        hnsw.entry_point = entryPoint;
        hnsw.max_level = maxLevel;
        index->ids.insert(index->ids.end(), ids.begin(), ids.end());
        index->labels.insert(fresh.begin(), fresh.end());
        if (!index->deletedBeforeAdd.empty()) {
            index->deleted.resize(newTotal);
            for (const auto &[id, label] : fresh) {
                if (index->deletedBeforeAdd.erase(id) && index->deleted.insert(label)) index->deletedCount++;
            }
        }
        index->dirty.assign(size_t(newTotal), 0);
        index->persistedCount = newTotal;
        glimpse::reseedLevelGenerator(hnsw, newTotal);
    });
}

} // extern "C"
