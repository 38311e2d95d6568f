// Inner-product kernels for the flat vector storage, picked once at run time by CPU features.
#pragma once

#include <cstddef>
#include <cstdint>

namespace glimpse {

using InnerProductKernel = float (*)(const float *a, const float *b, size_t d);
/// Σ a_i · codes_i over `d` floats and bytes (sq8 rows against a prepared query).
using QuantizedInnerProductKernel = float (*)(const float *a, const uint8_t *codes, size_t d);

/// The fastest kernel this CPU supports: AVX2+FMA when available, otherwise a portable loop.
InnerProductKernel bestInnerProductKernel();
const char *bestInnerProductKernelName();

/// The float × uint8 kernel: AVX2+FMA when available, otherwise a portable loop.
QuantizedInnerProductKernel bestQuantizedInnerProductKernel();

/// FAISS's own fvec_inner_product, for the benchmark's stock-distance comparison.
float stockInnerProduct(const float *a, const float *b, size_t d);

} // namespace glimpse
