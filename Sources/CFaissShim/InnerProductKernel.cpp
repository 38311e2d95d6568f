#include "InnerProductKernel.h"

#include <immintrin.h>

#include <string>

#include <faiss/utils/distances.h>

namespace glimpse {
namespace {

// Four independent accumulators hide the FMA latency; 384-d vectors are 12 iterations of 32 floats.
__attribute__((target("avx2,fma"))) float innerProductAVX2(const float *a, const float *b, size_t d) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= d; i += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), acc3);
    }
    for (; i + 8 <= d; i += 8) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    }
    __m256 sum = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    half = _mm_add_ss(half, _mm_shuffle_ps(half, half, 1));
    float result = _mm_cvtss_f32(half);
    for (; i < d; i++) {
        result += a[i] * b[i];
    }
    return result;
}

// AVX-512: 384-d vectors are 6 iterations of 64 floats; four accumulators hide the FMA latency.
__attribute__((target("avx512f"))) float innerProductAVX512(const float *a, const float *b, size_t d) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 64 <= d; i += 64) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
        acc2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), acc2);
        acc3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), acc3);
    }
    for (; i + 16 <= d; i += 16) acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    if (i < d) {
        // The last 1–15 values through a masked load: no scalar tail.
        const __mmask16 mask = __mmask16((1u << (d - i)) - 1u);
        acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i), acc1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

// Four rows against one query in one pass (FAISS's distances_batch_4 idea): each query load serves four rows, and
// the four rows' cache misses overlap instead of following one another. Two accumulators per row.
__attribute__((target("avx512f"))) void innerProduct4AVX512(
    const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t d, float *out) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps(), b2 = _mm512_setzero_ps(), b3 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= d; i += 32) {
        const __m512 x = _mm512_loadu_ps(q + i), y = _mm512_loadu_ps(q + i + 16);
        a0 = _mm512_fmadd_ps(x, _mm512_loadu_ps(r0 + i), a0);
        a1 = _mm512_fmadd_ps(x, _mm512_loadu_ps(r1 + i), a1);
        a2 = _mm512_fmadd_ps(x, _mm512_loadu_ps(r2 + i), a2);
        a3 = _mm512_fmadd_ps(x, _mm512_loadu_ps(r3 + i), a3);
        b0 = _mm512_fmadd_ps(y, _mm512_loadu_ps(r0 + i + 16), b0);
        b1 = _mm512_fmadd_ps(y, _mm512_loadu_ps(r1 + i + 16), b1);
        b2 = _mm512_fmadd_ps(y, _mm512_loadu_ps(r2 + i + 16), b2);
        b3 = _mm512_fmadd_ps(y, _mm512_loadu_ps(r3 + i + 16), b3);
    }
    for (; i < d; i += 16) {
        // 1–16 values left: a masked load reads nothing past the row.
        const size_t left = d - i;
        const __mmask16 mask = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1u);
        const __m512 x = _mm512_maskz_loadu_ps(mask, q + i);
        a0 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask, r0 + i), a0);
        a1 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask, r1 + i), a1);
        a2 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask, r2 + i), a2);
        a3 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask, r3 + i), a3);
    }
    out[0] = _mm512_reduce_add_ps(_mm512_add_ps(a0, b0));
    out[1] = _mm512_reduce_add_ps(_mm512_add_ps(a1, b1));
    out[2] = _mm512_reduce_add_ps(_mm512_add_ps(a2, b2));
    out[3] = _mm512_reduce_add_ps(_mm512_add_ps(a3, b3));
}

// The same four-row pass for CPUs with AVX2 only.
__attribute__((target("avx2,fma"))) void innerProduct4AVX2(
    const float *q, const float *r0, const float *r1, const float *r2, const float *r3, size_t d, float *out) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps(), b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= d; i += 16) {
        const __m256 x = _mm256_loadu_ps(q + i), y = _mm256_loadu_ps(q + i + 8);
        a0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r0 + i), a0);
        a1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r1 + i), a1);
        a2 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r2 + i), a2);
        a3 = _mm256_fmadd_ps(x, _mm256_loadu_ps(r3 + i), a3);
        b0 = _mm256_fmadd_ps(y, _mm256_loadu_ps(r0 + i + 8), b0);
        b1 = _mm256_fmadd_ps(y, _mm256_loadu_ps(r1 + i + 8), b1);
        b2 = _mm256_fmadd_ps(y, _mm256_loadu_ps(r2 + i + 8), b2);
        b3 = _mm256_fmadd_ps(y, _mm256_loadu_ps(r3 + i + 8), b3);
    }
    const __m256 s[4] = {_mm256_add_ps(a0, b0), _mm256_add_ps(a1, b1), _mm256_add_ps(a2, b2), _mm256_add_ps(a3, b3)};
    const float *rows[4] = {r0, r1, r2, r3};
    for (int r = 0; r < 4; r++) {
        __m128 half = _mm_add_ps(_mm256_castps256_ps128(s[r]), _mm256_extractf128_ps(s[r], 1));
        half = _mm_add_ps(half, _mm_movehl_ps(half, half));
        half = _mm_add_ss(half, _mm_shuffle_ps(half, half, 1));
        float result = _mm_cvtss_f32(half);
        for (size_t j = i; j < d; j++) result += q[j] * rows[r][j];
        out[r] = result;
    }
}

// Eight independent sums let the compiler use SSE without reassociation flags.
float innerProductPortable(const float *a, const float *b, size_t d) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= d; i += 8) {
        for (size_t j = 0; j < 8; j++) {
            s[j] += a[i + j] * b[i + j];
        }
    }
    float result = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < d; i++) {
        result += a[i] * b[i];
    }
    return result;
}

// Eight bytes widened to eight floats per step, two accumulators.
__attribute__((target("avx2,fma"))) float quantizedInnerProductAVX2(const float *a, const uint8_t *codes, size_t d) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= d; i += 16) {
        __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i *>(codes + i));
        __m256 low = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
        __m256 high = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(bytes, 8)));
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), low, acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), high, acc1);
    }
    for (; i + 8 <= d; i += 8) {
        __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(codes + i));
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes)), acc0);
    }
    __m256 sum = _mm256_add_ps(acc0, acc1);
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    half = _mm_add_ss(half, _mm_shuffle_ps(half, half, 1));
    float result = _mm_cvtss_f32(half);
    for (; i < d; i++) {
        result += a[i] * float(codes[i]);
    }
    return result;
}

float quantizedInnerProductPortable(const float *a, const uint8_t *codes, size_t d) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= d; i += 8) {
        for (size_t j = 0; j < 8; j++) {
            s[j] += a[i + j] * float(codes[i + j]);
        }
    }
    float result = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < d; i++) {
        result += a[i] * float(codes[i]);
    }
    return result;
}

// innerProductAVX2 with each 8 stored values widened from half precision (one vcvtph2ps per 8).
__attribute__((target("avx2,fma,f16c"))) float halfInnerProductAVX2(const float *a, const uint16_t *b, size_t d) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
#define GLIMPSE_LOAD_HALF8(i) _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(b + (i))))
    size_t i = 0;
    for (; i + 32 <= d; i += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), GLIMPSE_LOAD_HALF8(i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), GLIMPSE_LOAD_HALF8(i + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), GLIMPSE_LOAD_HALF8(i + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), GLIMPSE_LOAD_HALF8(i + 24), acc3);
    }
    for (; i + 8 <= d; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), GLIMPSE_LOAD_HALF8(i), acc0);
    __m256 sum = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    half = _mm_add_ss(half, _mm_shuffle_ps(half, half, 1));
    float result = _mm_cvtss_f32(half);
#undef GLIMPSE_LOAD_HALF8
    for (; i < d; i++) result += a[i] * _cvtsh_ss(b[i]);
    return result;
}

// Four half-precision rows against one float query in one pass (the four-row kernel for a bulk build's rows).
__attribute__((target("avx512f"))) void halfInnerProduct4AVX512(
    const float *q, const uint16_t *r0, const uint16_t *r1, const uint16_t *r2, const uint16_t *r3, size_t d,
    float *out) {
#define GLIMPSE_LOAD_HALF16(row, i) _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>((row) + (i))))
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= d; i += 16) {
        const __m512 x = _mm512_loadu_ps(q + i);
        a0 = _mm512_fmadd_ps(x, GLIMPSE_LOAD_HALF16(r0, i), a0);
        a1 = _mm512_fmadd_ps(x, GLIMPSE_LOAD_HALF16(r1, i), a1);
        a2 = _mm512_fmadd_ps(x, GLIMPSE_LOAD_HALF16(r2, i), a2);
        a3 = _mm512_fmadd_ps(x, GLIMPSE_LOAD_HALF16(r3, i), a3);
    }
#undef GLIMPSE_LOAD_HALF16
    out[0] = _mm512_reduce_add_ps(a0);
    out[1] = _mm512_reduce_add_ps(a1);
    out[2] = _mm512_reduce_add_ps(a2);
    out[3] = _mm512_reduce_add_ps(a3);
    const uint16_t *rows[4] = {r0, r1, r2, r3};
    for (int r = 0; r < 4; r++) {
        for (size_t j = i; j < d; j++) out[r] += q[j] * _cvtsh_ss(rows[r][j]);
    }
}

__attribute__((target("avx2,f16c"))) void encodeHalfF16C(const float *in, uint16_t *out, size_t d) {
    size_t i = 0;
    for (; i + 8 <= d; i += 8) {
        _mm_storeu_si128(reinterpret_cast<__m128i *>(out + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < d; i++) out[i] = _cvtss_sh(in[i], _MM_FROUND_TO_NEAREST_INT);
}

__attribute__((target("avx2,f16c"))) void decodeHalfF16C(const uint16_t *in, float *out, size_t d) {
    size_t i = 0;
    for (; i + 8 <= d; i += 8) {
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(in + i))));
    }
    for (; i < d; i++) out[i] = _cvtsh_ss(in[i]);
}

bool cpuHasAVX2FMA() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool cpuHasAVX512F() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

} // namespace

InnerProductKernel bestInnerProductKernel() {
    static const InnerProductKernel kernel =
        cpuHasAVX512F() ? innerProductAVX512 : (cpuHasAVX2FMA() ? innerProductAVX2 : innerProductPortable);
    return kernel;
}

InnerProduct4Kernel bestInnerProduct4Kernel() {
    static const InnerProduct4Kernel kernel =
        cpuHasAVX512F() ? innerProduct4AVX512 : (cpuHasAVX2FMA() ? innerProduct4AVX2 : nullptr);
    return kernel;
}

InnerProductKernel innerProductKernelNamed(const char *name) {
    const std::string wanted(name);
    if (wanted == "avx512" && cpuHasAVX512F()) return innerProductAVX512;
    if (wanted == "avx2-fma" && cpuHasAVX2FMA()) return innerProductAVX2;
    if (wanted == "portable") return innerProductPortable;
    return nullptr;
}

InnerProduct4Kernel innerProduct4KernelNamed(const char *name) {
    const std::string wanted(name);
    if (wanted == "avx512" && cpuHasAVX512F()) return innerProduct4AVX512;
    if (wanted == "avx2-fma" && cpuHasAVX2FMA()) return innerProduct4AVX2;
    return nullptr;
}

QuantizedInnerProductKernel bestQuantizedInnerProductKernel() {
    static const QuantizedInnerProductKernel kernel =
        cpuHasAVX2FMA() ? quantizedInnerProductAVX2 : quantizedInnerProductPortable;
    return kernel;
}

static bool cpuHasF16C() {
    return cpuHasAVX2FMA() && __builtin_cpu_supports("f16c");
}

HalfInnerProductKernel halfInnerProductKernel() {
    return cpuHasF16C() ? halfInnerProductAVX2 : nullptr;
}

HalfInnerProduct4Kernel halfInnerProduct4Kernel() {
    return cpuHasF16C() && cpuHasAVX512F() ? halfInnerProduct4AVX512 : nullptr;
}

HalfEncoder halfEncoder() {
    return cpuHasF16C() ? encodeHalfF16C : nullptr;
}

HalfDecoder halfDecoder() {
    return cpuHasF16C() ? decodeHalfF16C : nullptr;
}

const char *bestInnerProductKernelName() {
    const InnerProductKernel kernel = bestInnerProductKernel();
    return kernel == innerProductAVX512 ? "avx512" : (kernel == innerProductAVX2 ? "avx2-fma" : "portable");
}

float stockInnerProduct(const float *a, const float *b, size_t d) {
    return faiss::fvec_inner_product(a, b, d);
}

} // namespace glimpse
