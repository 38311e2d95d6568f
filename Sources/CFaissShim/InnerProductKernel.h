// Inner-product kernels for the flat vector storage, picked once at run time by CPU features.
#pragma once

#include <cstddef>
#include <cstdint>

namespace glimpse {

using InnerProductKernel = float (*)(const float *a, const float *b, size_t d);
/// Four inner products of `q` with rows r0…r3, written to out[0…3], in one pass over the query.
using InnerProduct4Kernel = void (*)(
    const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t d, float *out);
/// Σ a_i · codes_i over `d` floats and bytes (sq8 rows against a prepared query).
using QuantizedInnerProductKernel = float (*)(const float *a, const uint8_t *codes, size_t d);

/// Σ a_i · half_i over `d` floats and IEEE half-precision values (a bulk build's transient half-precision rows).
using HalfInnerProductKernel = float (*)(const float *a, const uint16_t *half, size_t d);
/// Four half-precision rows against one float query, written to out[0…3].
using HalfInnerProduct4Kernel = void (*)(
    const float *q, const uint16_t *r0, const uint16_t *r1, const uint16_t *r2, const uint16_t *r3, size_t d,
    float *out);
/// Writes `d` floats as IEEE half-precision values (round to nearest).
using HalfEncoder = void (*)(const float *in, uint16_t *out, size_t d);
/// Reads `d` half-precision values back as floats.
using HalfDecoder = void (*)(const uint16_t *in, float *out, size_t d);

/// The fastest kernel this CPU supports: AVX-512, else AVX2+FMA, else a portable loop.
InnerProductKernel bestInnerProductKernel();
const char *bestInnerProductKernelName();
/// The four-row kernel matching `bestInnerProductKernel` (AVX-512 or AVX2+FMA); null on CPUs with neither.
InnerProduct4Kernel bestInnerProduct4Kernel();
/// A kernel by name ("avx512", "avx2-fma", "portable"), null when unknown or this CPU lacks it: tests compare
/// every level this CPU runs against each other.
InnerProductKernel innerProductKernelNamed(const char *name);
InnerProduct4Kernel innerProduct4KernelNamed(const char *name);

/// The float × uint8 kernel: AVX2+FMA when available, otherwise a portable loop.
QuantizedInnerProductKernel bestQuantizedInnerProductKernel();

/// The half-precision kernel and converters: AVX2+FMA+F16C only; null when the CPU lacks them (callers then keep
/// float32 rows).
HalfInnerProductKernel halfInnerProductKernel();
/// The four-row half-precision kernel: AVX-512 only; null otherwise (callers then make four single calls).
HalfInnerProduct4Kernel halfInnerProduct4Kernel();
HalfEncoder halfEncoder();
HalfDecoder halfDecoder();

/// FAISS's own fvec_inner_product, for the benchmark's stock-distance comparison.
float stockInnerProduct(const float *a, const float *b, size_t d);

} // namespace glimpse
