// The stored vectors as the graph code reads them: float32 rows, 8-bit scalar-quantised rows (sq8), or a bulk
// build's transient half-precision copy of float32 rows (see GraphInsert.cpp).
//
// sq8 keeps FAISS's QT_8bit layout (one byte per dimension, per-dimension vmin/vdiff in the ScalarQuantizer's
// `trained` array), so snapshots stay ordinary FAISS IndexHNSWSQ files, but distances are ours: a stored value is
// offset_i + scale_i·code_i, so IP(q, x) = Σ q_i·offset_i + Σ (q_i·scale_i)·code_i. A query is prepared once
// (q∘scale and the constant), then each row costs one float×uint8 dot product.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "InnerProductKernel.h"

namespace glimpse {

struct VectorRows {
    /// Row-major rows, `rowBytes` each.
    const uint8_t *codes = nullptr;
    size_t d = 0;
    size_t rowBytes = 0;
    /// float32 rows: the float × float kernel, and its four-row form (null: four single calls).
    InnerProductKernel kernel = nullptr;
    InnerProduct4Kernel kernel4 = nullptr;
    /// sq8 rows (null for float32): value_i = offset[i] + scale[i] · code_i.
    const float *offset = nullptr;
    const float *scale = nullptr;
    QuantizedInnerProductKernel quantizedKernel = nullptr;
    /// Half-precision rows (null otherwise): 2 bytes per dimension.
    HalfInnerProductKernel halfKernel = nullptr;
    HalfInnerProduct4Kernel halfKernel4 = nullptr;
    HalfDecoder halfDecoder = nullptr;

    bool quantized() const { return scale != nullptr; }
    bool halfPrecision() const { return halfKernel != nullptr; }
    /// Rows are float32 and can serve as queries as they are.
    bool plainFloats() const { return !quantized() && !halfPrecision(); }
    const uint8_t *row(int64_t label) const { return codes + size_t(label) * rowBytes; }
    /// Asks for row `label`'s cache lines from byte `from` on: the graph code is bound by loading rows.
    void prefetch(int64_t label, size_t from = 0) const {
        const char *start = reinterpret_cast<const char *>(row(label));
        for (size_t offset = from; offset < rowBytes; offset += 64) __builtin_prefetch(start + offset);
    }

    /// Writes row `label` as floats into `out` (d floats).
    void decode(int64_t label, float *out) const {
        if (halfPrecision()) {
            halfDecoder(reinterpret_cast<const uint16_t *>(row(label)), out, d);
            return;
        }
        if (!quantized()) {
            const float *source = reinterpret_cast<const float *>(row(label));
            for (size_t i = 0; i < d; i++) out[i] = source[i];
            return;
        }
        const uint8_t *source = row(label);
        for (size_t i = 0; i < d; i++) out[i] = offset[i] + scale[i] * float(source[i]);
    }
};

/// A query in the form its rows need: the query itself for float32 and half-precision rows, q∘scale plus
/// Σ q·offset for sq8.
/// Owns its buffer, so one per thread can be reused.
struct PreparedQuery {
    const float *vector = nullptr;
    float constant = 0;
    std::vector<float> scaled;

    void prepare(const VectorRows &rows, const float *query) {
        if (!rows.quantized()) {
            vector = query;
            constant = 0;
            return;
        }
        scaled.resize(rows.d);
        double sum = 0;
        for (size_t i = 0; i < rows.d; i++) {
            scaled[i] = query[i] * rows.scale[i];
            sum += double(query[i]) * double(rows.offset[i]);
        }
        vector = scaled.data();
        constant = float(sum);
    }

    /// Inner product of the prepared query with row `label`.
    float similarity(const VectorRows &rows, int64_t label) const {
        if (rows.halfPrecision()) {
            return rows.halfKernel(vector, reinterpret_cast<const uint16_t *>(rows.row(label)), rows.d);
        }
        if (!rows.quantized()) return rows.kernel(vector, reinterpret_cast<const float *>(rows.row(label)), rows.d);
        return constant + rows.quantizedKernel(vector, rows.row(label), rows.d);
    }

    /// The inner products with four rows at once; one pass over the query when the rows are float32.
    void similarity4(const VectorRows &rows, const int32_t *labels, float *out) const {
        if (rows.kernel4 != nullptr && rows.plainFloats()) {
            rows.kernel4(vector, reinterpret_cast<const float *>(rows.row(labels[0])),
                         reinterpret_cast<const float *>(rows.row(labels[1])),
                         reinterpret_cast<const float *>(rows.row(labels[2])),
                         reinterpret_cast<const float *>(rows.row(labels[3])), rows.d, out);
            return;
        }
        if (rows.halfKernel4 != nullptr && rows.halfPrecision()) {
            rows.halfKernel4(vector, reinterpret_cast<const uint16_t *>(rows.row(labels[0])),
                             reinterpret_cast<const uint16_t *>(rows.row(labels[1])),
                             reinterpret_cast<const uint16_t *>(rows.row(labels[2])),
                             reinterpret_cast<const uint16_t *>(rows.row(labels[3])), rows.d, out);
            return;
        }
        for (int i = 0; i < 4; i++) out[i] = similarity(rows, labels[i]);
    }

    /// Distances (negated similarities) of labels[0..<count] into out: four rows per kernel call, while the next four
    /// rows are prefetched whole; the last 0–3 one by one, each prefetched one ahead. The caller has asked for each
    /// row's first cache line.
    void distances(const VectorRows &rows, const int32_t *labels, size_t count, float *out) const {
        const size_t grouped = count & ~size_t(3);
        for (size_t j = 0; j < std::min<size_t>(4, count); j++) rows.prefetch(labels[j], 64);
        for (size_t i = 0; i < grouped; i += 4) {
            for (size_t j = i + 4; j < std::min(i + 8, count); j++) rows.prefetch(labels[j], 64);
            similarity4(rows, labels + i, out + i);
            for (size_t j = i; j < i + 4; j++) out[j] = -out[j];
        }
        for (size_t i = grouped; i < count; i++) {
            if (i + 1 < count) rows.prefetch(labels[i + 1], 64);
            out[i] = -similarity(rows, labels[i]);
        }
    }
};

} // namespace glimpse
