// Flat inner-product storage whose distance computer uses our kernel instead of FAISS's.
#pragma once

#include <faiss/IndexFlat.h>
#include <faiss/impl/DistanceComputer.h>

#include "InnerProductKernel.h"

namespace glimpse {

/// Inner product of the query with stored vector i, using `kernel`. `negated` turns similarity into the
/// smaller-is-better distance HNSW::search expects.
struct KernelDistanceComputer final : faiss::DistanceComputer {
    const float *base;
    size_t d;
    InnerProductKernel kernel;
    bool negated;
    const float *query = nullptr;

    KernelDistanceComputer(const float *base, size_t d, InnerProductKernel kernel, bool negated)
        : base(base), d(d), kernel(kernel), negated(negated) {}

    void set_query(const float *x) override { query = x; }

    float operator()(idx_t i) override {
        float ip = kernel(query, base + i * d, d);
        return negated ? -ip : ip;
    }

    float symmetric_dis(idx_t i, idx_t j) override {
        float ip = kernel(base + i * d, base + j * d, d);
        return negated ? -ip : ip;
    }
};

/// IndexFlatIP with the fast kernel for graph construction. FAISS's build wraps this computer in its own
/// negation for inner product, so it returns plain similarities. Being an IndexFlat subclass, write_index
/// serializes it as an ordinary IndexFlatIP.
struct KernelFlatIP final : faiss::IndexFlatIP {
    InnerProductKernel kernel;

    KernelFlatIP(idx_t d, InnerProductKernel kernel) : faiss::IndexFlatIP(d), kernel(kernel) {}

    faiss::DistanceComputer *get_distance_computer() const override {
        return new KernelDistanceComputer(reinterpret_cast<const float *>(codes.data()), size_t(d), kernel, false);
    }
};

} // namespace glimpse
