// Vectorised exp and GELU, and fp32 attention for short segments. The AVX2 paths compute exactly the operations
// of the portable ones (fmaf = vfmadd), so both give the same floats.
#include "CQuantKernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define CQ_X86 1
#endif

// Cephes expf: e^x = 2^n · e^r with n = round(x·log2 e), r = x - n·ln 2 (ln 2 split in two for accuracy), and a
// degree-5 polynomial for e^r on |r| ≤ ln2/2. Inputs are clamped to [-87.3, 88.3] (no overflow, no denormals).
#define EXP_HI 88.3762626647949f
#define EXP_LO -87.3365447504f
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO -2.12194440e-4f
#define EXP_P0 1.9875691500e-4f
#define EXP_P1 1.3981999507e-3f
#define EXP_P2 8.3334519073e-3f
#define EXP_P3 4.1665795894e-2f
#define EXP_P4 1.6666665459e-1f
#define EXP_P5 5.0000001201e-1f

static inline float exp_portable(float x) {
    x = fminf(fmaxf(x, EXP_LO), EXP_HI);
    float n = nearbyintf(x * LOG2E);
    float r = fmaf(n, -LN2_HI, x);
    r = fmaf(n, -LN2_LO, r);
    float p = EXP_P0;
    p = fmaf(p, r, EXP_P1);
    p = fmaf(p, r, EXP_P2);
    p = fmaf(p, r, EXP_P3);
    p = fmaf(p, r, EXP_P4);
    p = fmaf(p, r, EXP_P5);
    p = fmaf(p, r * r, r + 1.f);
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

// Abramowitz–Stegun 7.1.26: erf(|x|) = 1 - (a1 t + … + a5 t^5) e^{-x²}, t = 1 / (1 + p|x|).
#define ERF_P 0.3275911f
#define ERF_A1 0.254829592f
#define ERF_A2 -0.284496739f
#define ERF_A3 1.421413741f
#define ERF_A4 -1.453152027f
#define ERF_A5 1.061405429f
#define SQRT1_2 0.70710678118654752440f

static inline float gelu_portable(float x) {
    float z = x * SQRT1_2, a = fabsf(z);
    float t = 1.f / fmaf(ERF_P, a, 1.f);
    float poly = ERF_A5;
    poly = fmaf(poly, t, ERF_A4);
    poly = fmaf(poly, t, ERF_A3);
    poly = fmaf(poly, t, ERF_A2);
    poly = fmaf(poly, t, ERF_A1);
    poly *= t;
    float erfAbs = fmaf(-poly, exp_portable(-(a * a)), 1.f);
    uint32_t bits, sign;  // erf = erfAbs with z's sign bit or-ed in, exactly as the AVX2 path does
    memcpy(&bits, &erfAbs, 4);
    memcpy(&sign, &z, 4);
    bits |= sign & 0x80000000u;
    float erf;
    memcpy(&erf, &bits, 4);
    return 0.5f * x * (1.f + erf);
}

#if CQ_X86
__attribute__((target("avx2,fma"))) static inline __m256 exp_avx2(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(EXP_LO)), _mm256_set1_ps(EXP_HI));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-LN2_HI), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(-LN2_LO), r);
    __m256 p = _mm256_set1_ps(EXP_P0);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P5));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.f)));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

__attribute__((target("avx2,fma"))) static inline __m256 gelu_avx2(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.f);
    __m256 z = _mm256_mul_ps(x, _mm256_set1_ps(SQRT1_2));
    __m256 a = _mm256_andnot_ps(sign, z);
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1.f), _mm256_fmadd_ps(_mm256_set1_ps(ERF_P), a, _mm256_set1_ps(1.f)));
    __m256 poly = _mm256_set1_ps(ERF_A5);
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(ERF_A4));
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(ERF_A3));
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(ERF_A2));
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(ERF_A1));
    poly = _mm256_mul_ps(poly, t);
    __m256 e = exp_avx2(_mm256_xor_ps(_mm256_mul_ps(a, a), sign));
    __m256 erfAbs = _mm256_fnmadd_ps(poly, e, _mm256_set1_ps(1.f));
    __m256 erf = _mm256_or_ps(erfAbs, _mm256_and_ps(z, sign));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1.f), erf));
}

__attribute__((target("avx2,fma"))) static void gelu_run_avx2(float *x, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(x + i, gelu_avx2(_mm256_loadu_ps(x + i)));
    for (; i < count; i++) x[i] = gelu_portable(x[i]);
}

__attribute__((target("avx2,fma"))) static void exp_run_avx2(float *x, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(x + i, exp_avx2(_mm256_loadu_ps(x + i)));
    for (; i < count; i++) x[i] = exp_portable(x[i]);
}
#endif

void cq_gelu(float *x, size_t count) { cq_gelu_at_level(cq_supported_level(), x, count); }

void cq_gelu_at_level(int level, float *x, size_t count) {
#if CQ_X86
    if (level >= CQ_LEVEL_AVX2 && cq_supported_level() >= CQ_LEVEL_AVX2) { gelu_run_avx2(x, count); return; }
#endif
    for (size_t i = 0; i < count; i++) x[i] = gelu_portable(x[i]);
}

void cq_exp(float *x, size_t count) {
#if CQ_X86
    if (cq_supported_level() >= CQ_LEVEL_AVX2) { exp_run_avx2(x, count); return; }
#endif
    for (size_t i = 0; i < count; i++) x[i] = exp_portable(x[i]);
}

// MARK: - Attention

static void attention_portable(const float *qkv, int ldqkv, int hidden, int head_count, int length, int head_begin,
                               int head_end, float *context, int ldcontext, float *scores) {
    int hd = hidden / head_count;
    float scale = 1.f / sqrtf((float)hd);
    for (int head = head_begin; head < head_end; head++) {
        for (int i = 0; i < length; i++) {
            const float *q = qkv + (size_t)i * ldqkv + head * hd;
            float maximum = -INFINITY;
            for (int j = 0; j < length; j++) {
                const float *k = qkv + (size_t)j * ldqkv + hidden + head * hd;
                float d = 0.f;
                for (int e = 0; e < hd; e++) d = fmaf(q[e], k[e], d);
                scores[j] = d * scale;
                maximum = fmaxf(maximum, scores[j]);
            }
            float sum = 0.f;
            for (int j = 0; j < length; j++) scores[j] -= maximum;
            cq_exp(scores, (size_t)length);
            for (int j = 0; j < length; j++) sum += scores[j];
            float inverse = 1.f / sum;
            float *c = context + (size_t)i * ldcontext + head * hd;
            for (int e = 0; e < hd; e++) c[e] = 0.f;
            for (int j = 0; j < length; j++) {
                const float *v = qkv + (size_t)j * ldqkv + 2 * hidden + head * hd;
                float p = scores[j] * inverse;
                for (int e = 0; e < hd; e++) c[e] = fmaf(p, v[e], c[e]);
            }
        }
    }
}

#if CQ_X86
/// Head size a multiple of 8: dot products in 8-wide FMAs.
__attribute__((target("avx2,fma"))) static void attention_avx2(const float *qkv, int ldqkv, int hidden,
                                                               int head_count, int length, int head_begin,
                                                               int head_end, float *context, int ldcontext,
                                                               float *scores) {
    int hd = hidden / head_count;
    float scale = 1.f / sqrtf((float)hd);
    for (int head = head_begin; head < head_end; head++) {
        for (int i = 0; i < length; i++) {
            const float *q = qkv + (size_t)i * ldqkv + head * hd;
            float maximum = -INFINITY;
            for (int j = 0; j < length; j++) {
                const float *k = qkv + (size_t)j * ldqkv + hidden + head * hd;
                __m256 acc = _mm256_setzero_ps();
                for (int e = 0; e < hd; e += 8)
                    acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + e), _mm256_loadu_ps(k + e), acc);
                __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
                s = _mm_add_ps(s, _mm_movehl_ps(s, s));
                s = _mm_add_ss(s, _mm_movehdup_ps(s));
                scores[j] = _mm_cvtss_f32(s) * scale;
                maximum = fmaxf(maximum, scores[j]);
            }
            for (int j = 0; j < length; j++) scores[j] -= maximum;
            exp_run_avx2(scores, (size_t)length);
            float sum = 0.f;
            for (int j = 0; j < length; j++) sum += scores[j];
            __m256 inverse = _mm256_set1_ps(1.f / sum);
            float *c = context + (size_t)i * ldcontext + head * hd;
            for (int e = 0; e < hd; e += 8) {
                __m256 acc = _mm256_setzero_ps();
                for (int j = 0; j < length; j++) {
                    const float *v = qkv + (size_t)j * ldqkv + 2 * hidden + head * hd;
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(scores[j]), _mm256_loadu_ps(v + e), acc);
                }
                _mm256_storeu_ps(c + e, _mm256_mul_ps(acc, inverse));
            }
        }
    }
}
#endif

void cq_attention(const float *qkv, int ldqkv, int hidden, int head_count, int length, int head_begin,
                  int head_end, float *context, int ldcontext, float *scores) {
#if CQ_X86
    if (cq_supported_level() >= CQ_LEVEL_AVX2 && (hidden / head_count) % 8 == 0) {
        attention_avx2(qkv, ldqkv, hidden, head_count, length, head_begin, head_end, context, ldcontext, scores);
        return;
    }
#endif
    attention_portable(qkv, ldqkv, hidden, head_count, length, head_begin, head_end, context, ldcontext, scores);
}
