// Inner-product kernels for the flat vector storage, picked once at run time by CPU features.
#pragma once

#include <cstddef>

namespace glimpse {

using InnerProductKernel = float (*)(const float *a, const float *b, size_t d);

/// The fastest kernel this CPU supports: AVX2+FMA when available, otherwise a portable loop.
InnerProductKernel bestInnerProductKernel();
const char *bestInnerProductKernelName();

/// FAISS's own fvec_inner_product, for the benchmark's stock-distance comparison.
float stockInnerProduct(const float *a, const float *b, size_t d);

} // namespace glimpse
