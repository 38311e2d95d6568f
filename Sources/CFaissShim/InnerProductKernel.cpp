#include "InnerProductKernel.h"

#include <immintrin.h>

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

} // namespace

InnerProductKernel bestInnerProductKernel() {
    static const InnerProductKernel kernel = cpuHasAVX2FMA() ? innerProductAVX2 : innerProductPortable;
    return kernel;
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

HalfEncoder halfEncoder() {
    return cpuHasF16C() ? encodeHalfF16C : nullptr;
}

HalfDecoder halfDecoder() {
    return cpuHasF16C() ? decodeHalfF16C : nullptr;
}

const char *bestInnerProductKernelName() {
    return bestInnerProductKernel() == innerProductAVX2 ? "avx2-fma" : "portable";
}

float stockInnerProduct(const float *a, const float *b, size_t d) {
    return faiss::fvec_inner_product(a, b, d);
}

} // namespace glimpse
