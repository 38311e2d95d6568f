// Int8 × int8 → int32 matrix products for fp32 models run with dynamically quantised linear layers (PyTorch's
// `quantize_dynamic` recipe, finer: one symmetric scale per weight row and one per activation row).
//
// Weights are packed once in panels of 16 output rows: for each group of 4 consecutive inputs ("quad") a panel
// holds 64 bytes, byte 4i+j = w[16p+i, 4q+j], so one 512-bit load (or two 256-bit ones) feeds 16 output lanes.
// Activations are stored as unsigned bytes q+128 because dpbusd multiplies unsigned by signed bytes; the kernel
// subtracts 128·Σw per row afterwards. The AVX2 path (no VNNI) multiplies |w| by sign(w)·q instead (maddubs pairs
// stay within ±32258, no int16 saturation). Every path computes the same exact int32 sums and then the same float
// operations, so all give bit-identical results.
#include "CQuantKernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define CQ_X86 1
#endif

int cq_i8_padded_columns(int columns) { return (columns + 3) & ~3; }

int cq_i8_panels(int rows) { return (rows + CQ_I8_PANEL - 1) / CQ_I8_PANEL; }

void cq_i8_pack_weights(const float *w, int rows, int columns, int8_t *packed, float *scales, int32_t *sums) {
    int padded = cq_i8_padded_columns(columns), panels = cq_i8_panels(rows);
    memset(packed, 0, (size_t)panels * CQ_I8_PANEL * padded);
    for (int r = 0; r < panels * CQ_I8_PANEL; r++) {
        if (r >= rows) {
            scales[r] = 0.f;
            sums[r] = 0;
            continue;
        }
        const float *row = w + (size_t)r * columns;
        float amax = 0.f;
        for (int c = 0; c < columns; c++) amax = fmaxf(amax, fabsf(row[c]));
        float scale = amax / 127.f;
        int32_t sum = 0;
        int8_t *panel = packed + (size_t)(r / CQ_I8_PANEL) * CQ_I8_PANEL * padded;
        int lane = r % CQ_I8_PANEL;
        for (int c = 0; c < columns; c++) {
            long q = scale > 0.f ? lrintf(row[c] / scale) : 0;
            q = q > 127 ? 127 : (q < -127 ? -127 : q);
            panel[(size_t)(c / 4) * (4 * CQ_I8_PANEL) + 4 * lane + c % 4] = (int8_t)q;
            sum += (int32_t)q;
        }
        scales[r] = scale;
        sums[r] = sum;
    }
}

// MARK: - Activation rows

static void quantise_row_portable(const float *x, int columns, int padded, uint8_t *q, float *scale) {
    float amax = 0.f;
    for (int c = 0; c < columns; c++) amax = fmaxf(amax, fabsf(x[c]));
    float d = amax / 127.f, id = d > 0.f ? 1.f / d : 0.f;
    for (int c = 0; c < columns; c++) {
        long v = lrintf(x[c] * id);
        v = v > 127 ? 127 : (v < -127 ? -127 : v);
        q[c] = (uint8_t)(v + 128);
    }
    for (int c = columns; c < padded; c++) q[c] = 128;
    *scale = d;
}

#if CQ_X86
__attribute__((target("avx2,fma"))) static void quantise_row_avx2(const float *x, int columns, int padded, uint8_t *q,
                                                                  float *scale) {
    const __m256 sign = _mm256_set1_ps(-0.f);
    __m256 m = _mm256_setzero_ps();
    int c = 0;
    for (; c + 8 <= columns; c += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + c)));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float amax = _mm_cvtss_f32(m4);
    for (; c < columns; c++) amax = fmaxf(amax, fabsf(x[c]));
    float d = amax / 127.f, id = d > 0.f ? 1.f / d : 0.f;
    const __m256 vid = _mm256_set1_ps(id);
    const __m256i hi = _mm256_set1_epi32(127), lo = _mm256_set1_epi32(-127), offset = _mm256_set1_epi32(128);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    c = 0;
    for (; c + 32 <= columns; c += 32) {
        __m256i v[4];
        for (int k = 0; k < 4; k++) {
            // cvtps rounds to nearest even under the default MXCSR, as lrintf does.
            __m256i i = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + c + 8 * k), vid));
            v[k] = _mm256_add_epi32(_mm256_max_epi32(_mm256_min_epi32(i, hi), lo), offset);
        }
        // 1..255 fit both the signed 16-bit and the unsigned 8-bit packs.
        __m256i p = _mm256_packus_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
        _mm256_storeu_si256((__m256i *)(q + c), _mm256_permutevar8x32_epi32(p, order));
    }
    for (; c < columns; c++) {
        long v = lrintf(x[c] * id);
        v = v > 127 ? 127 : (v < -127 ? -127 : v);
        q[c] = (uint8_t)(v + 128);
    }
    for (c = columns; c < padded; c++) q[c] = 128;
    *scale = d;
}
#endif

void cq_i8_quantise_rows(const float *x, int rows, int columns, int ldx, uint8_t *q, float *scales) {
    cq_i8_quantise_rows_at_level(cq_supported_level(), x, rows, columns, ldx, q, scales);
}

void cq_i8_quantise_rows_at_level(int level, const float *x, int rows, int columns, int ldx, uint8_t *q,
                                  float *scales) {
    int padded = cq_i8_padded_columns(columns);
#if CQ_X86
    if (cq_clamped_level(level) >= CQ_LEVEL_AVX2) {
        for (int r = 0; r < rows; r++)
            quantise_row_avx2(x + (size_t)r * ldx, columns, padded, q + (size_t)r * padded, scales + r);
        return;
    }
#endif
    for (int r = 0; r < rows; r++)
        quantise_row_portable(x + (size_t)r * ldx, columns, padded, q + (size_t)r * padded, scales + r);
}

// MARK: - Matrix product

/// y = (Σ q·w) · (scale_a · scale_w) + bias, the same single rounding (fmaf = vfmadd) on every path.
static inline float dequantised(int32_t dot, float scale_a, float scale_w, const float *bias, int r) {
    return fmaf((float)dot, scale_a * scale_w, bias ? bias[r] : 0.f);
}

static void matmul_portable(const int8_t *w, const float *ws, const int32_t *wsum, const uint8_t *a, const float *as,
                            int tokens, int padded, const float *bias, float *y, int ldy, int rows, int panel_begin,
                            int panel_end) {
    (void)wsum;
    for (int p = panel_begin; p < panel_end; p++) {
        const int8_t *panel = w + (size_t)p * CQ_I8_PANEL * padded;
        for (int t = 0; t < tokens; t++) {
            const uint8_t *at = a + (size_t)t * padded;
            for (int lane = 0; lane < CQ_I8_PANEL; lane++) {
                int r = p * CQ_I8_PANEL + lane;
                if (r >= rows) break;
                int32_t dot = 0;
                for (int c = 0; c < padded; c++)
                    dot += ((int32_t)at[c] - 128) * panel[(size_t)(c / 4) * (4 * CQ_I8_PANEL) + 4 * lane + c % 4];
                y[(size_t)t * ldy + r] = dequantised(dot, as[t], ws[r], bias, r);
            }
        }
    }
}

#if CQ_X86
/// Stores 8 finished lanes of token row `yt` starting at output row r (fewer at the matrix's last rows).
__attribute__((target("avx2,fma"))) static inline void store8(__m256i dot, float scale_a, const float *ws,
                                                              const float *bias, float *yt, int r, int rows) {
    __m256 scale = _mm256_mul_ps(_mm256_set1_ps(scale_a), _mm256_loadu_ps(ws + r));
    __m256 b = bias && r + 8 <= rows ? _mm256_loadu_ps(bias + r) : _mm256_setzero_ps();
    if (bias && r + 8 > rows) {
        float tail[8] = {0};
        for (int i = 0; i < 8 && r + i < rows; i++) tail[i] = bias[r + i];
        b = _mm256_loadu_ps(tail);
    }
    __m256 v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, b);
    if (r + 8 <= rows) {
        _mm256_storeu_ps(yt + r, v);
    } else {
        float tail[8];
        _mm256_storeu_ps(tail, v);
        for (int i = 0; r + i < rows; i++) yt[r + i] = tail[i];
    }
}

// TM tokens × TP panels, each panel as two 256-bit halves (8 rows each). DOT accumulates one quad: the exact
// int32 sum over its 4 bytes per lane.
#define CQ_DEFINE_I8_TILE256(NAME, TARGET, SETUP, DOT, FINISH)                                                        \
    __attribute__((target(TARGET))) static inline __attribute__((always_inline)) void NAME(                       \
        const int8_t *w, const float *ws, const int32_t *wsum, const uint8_t *a, const float *as, int padded,      \
        const float *bias, float *y, int ldy, int rows, int t0, int p0, const int TM, const int TP) {              \
        SETUP;                                                                                                     \
        __m256i acc[TM][2 * TP];                                                                                   \
        for (int t = 0; t < TM; t++)                                                                               \
            for (int h = 0; h < 2 * TP; h++) acc[t][h] = _mm256_setzero_si256();                                   \
        const int quads = padded / 4;                                                                              \
        for (int q = 0; q < quads; q++) {                                                                          \
            __m256i wv[2 * TP];                                                                                    \
            for (int p = 0; p < TP; p++) {                                                                         \
                const int8_t *src = w + (size_t)(p0 + p) * CQ_I8_PANEL * padded + (size_t)q * 4 * CQ_I8_PANEL;     \
                wv[2 * p] = _mm256_loadu_si256((const __m256i *)src);                                             \
                wv[2 * p + 1] = _mm256_loadu_si256((const __m256i *)(src + 32));                                  \
            }                                                                                                      \
            for (int t = 0; t < TM; t++) {                                                                         \
                int32_t bytes;                                                                                     \
                memcpy(&bytes, a + (size_t)(t0 + t) * padded + 4 * q, 4);                                          \
                __m256i av = _mm256_set1_epi32(bytes);                                                             \
                for (int h = 0; h < 2 * TP; h++) acc[t][h] = DOT(acc[t][h], av, wv[h]);                            \
            }                                                                                                      \
        }                                                                                                          \
        for (int t = 0; t < TM; t++) {                                                                             \
            float *yt = y + (size_t)(t0 + t) * ldy;                                                                \
            for (int h = 0; h < 2 * TP; h++) {                                                                     \
                int r = (p0 + h / 2) * CQ_I8_PANEL + 8 * (h % 2);                                                  \
                if (r >= rows) continue;                                                                           \
                store8(FINISH(acc[t][h], wsum + r), as[t0 + t], ws, bias, yt, r, rows);                            \
            }                                                                                                      \
        }                                                                                                          \
    }

// AVX2: activations back to signed (q = byte - 128), |w| · (sign(w) · q) in maddubs, pairs summed by madd.
#define CQ_I8_SETUP_AVX2                                                                                           \
    const __m256i flip = _mm256_set1_epi8((char)0x80);                                                             \
    const __m256i ones = _mm256_set1_epi16(1)
#define CQ_I8_DOT_AVX2(acc, av, wv)                                                                                \
    _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(wv),                              \
                                                                 _mm256_sign_epi8(_mm256_xor_si256(av, flip), wv)), \
                                            ones))
#define CQ_I8_FINISH_SIGNED(acc, sums) (acc)
// VNNI: Σ (q+128)·w, minus 128·Σw per row.
#define CQ_I8_SETUP_VNNI ((void)0)
#define CQ_I8_DOT_AVXVNNI(acc, av, wv) _mm256_dpbusd_avx_epi32(acc, av, wv)
#define CQ_I8_DOT_VNNI256(acc, av, wv) _mm256_dpbusd_epi32(acc, av, wv)
#define CQ_I8_FINISH_UNSIGNED(acc, sums)                                                                           \
    _mm256_sub_epi32(acc, _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(sums)), 7))

CQ_DEFINE_I8_TILE256(i8_tile_avx2, "avx2,fma", CQ_I8_SETUP_AVX2, CQ_I8_DOT_AVX2, CQ_I8_FINISH_SIGNED)
CQ_DEFINE_I8_TILE256(i8_tile_avxvnni, "avx2,fma,avxvnni", CQ_I8_SETUP_VNNI, CQ_I8_DOT_AVXVNNI, CQ_I8_FINISH_UNSIGNED)

/// Token tiles of TM_WIDE and panel tiles of TP_WIDE, with single tokens / single panels at the edges. Panels
/// outer: a thread's panel tile (TP·16 rows of weights) stays in cache while all token rows pass over it.
#define CQ_DEFINE_I8_MATMUL(NAME, TARGET, TILE, TM_WIDE, TP_WIDE)                                                  \
    __attribute__((target(TARGET))) static void NAME(const int8_t *w, const float *ws, const int32_t *wsum,        \
                                                     const uint8_t *a, const float *as, int tokens, int padded,   \
                                                     const float *bias, float *y, int ldy, int rows,              \
                                                     int panel_begin, int panel_end) {                            \
        int p = panel_begin;                                                                                       \
        for (; p < panel_end; p += (panel_end - p >= TP_WIDE ? TP_WIDE : 1)) {                                     \
            int t = 0;                                                                                             \
            if (panel_end - p >= TP_WIDE) {                                                                        \
                for (; t + TM_WIDE <= tokens; t += TM_WIDE)                                                        \
                    TILE(w, ws, wsum, a, as, padded, bias, y, ldy, rows, t, p, TM_WIDE, TP_WIDE);                  \
                for (; t < tokens; t++) TILE(w, ws, wsum, a, as, padded, bias, y, ldy, rows, t, p, 1, TP_WIDE);    \
            } else {                                                                                               \
                for (; t + TM_WIDE <= tokens; t += TM_WIDE)                                                        \
                    TILE(w, ws, wsum, a, as, padded, bias, y, ldy, rows, t, p, TM_WIDE, 1);                        \
                for (; t < tokens; t++) TILE(w, ws, wsum, a, as, padded, bias, y, ldy, rows, t, p, 1, 1);          \
            }                                                                                                      \
        }                                                                                                          \
    }

// 16 ymm registers: 2 tokens × 2 panels = 8 accumulators + 4 weight vectors + temporaries.
CQ_DEFINE_I8_MATMUL(i8_matmul_avx2, "avx2,fma", i8_tile_avx2, 2, 2)
CQ_DEFINE_I8_MATMUL(i8_matmul_avxvnni, "avx2,fma,avxvnni", i8_tile_avxvnni, 3, 2)

// AVX-512 VNNI: whole 16-row panels in one 512-bit register; 32 registers hold a 6 tokens × 4 panels tile
// (24 accumulators, 4 weight vectors, one broadcast).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) static inline __attribute__((always_inline)) void
i8_tile_vnni512(const int8_t *w, const float *ws, const int32_t *wsum, const uint8_t *a, const float *as, int padded,
                const float *bias, float *y, int ldy, int rows, int t0, int p0, const int TM, const int TP) {
    __m512i acc[TM][TP];
    for (int t = 0; t < TM; t++)
        for (int p = 0; p < TP; p++) acc[t][p] = _mm512_setzero_si512();
    const int quads = padded / 4;
    const int8_t *panels[TP];
    for (int p = 0; p < TP; p++) panels[p] = w + (size_t)(p0 + p) * CQ_I8_PANEL * padded;
    const uint8_t *rowsA = a + (size_t)t0 * padded;
    for (int q = 0; q < quads; q++) {
        __m512i wv[TP];
        for (int p = 0; p < TP; p++) wv[p] = _mm512_loadu_si512((const void *)(panels[p] + (size_t)q * 64));
        for (int t = 0; t < TM; t++) {
            int32_t bytes;
            memcpy(&bytes, rowsA + (size_t)t * padded + 4 * q, 4);
            __m512i av = _mm512_set1_epi32(bytes);
            for (int p = 0; p < TP; p++) acc[t][p] = _mm512_dpbusd_epi32(acc[t][p], av, wv[p]);
        }
    }
    for (int p = 0; p < TP; p++) {
        int r = (p0 + p) * CQ_I8_PANEL;
        __m512i correction = _mm512_slli_epi32(_mm512_loadu_si512((const void *)(wsum + r)), 7);
        __m512 scale_w = _mm512_loadu_ps(ws + r);
        __mmask16 valid = r + 16 <= rows ? (__mmask16)0xFFFF : (__mmask16)((1u << (rows - r)) - 1);
        __m512 b = bias ? _mm512_maskz_loadu_ps(valid, bias + r) : _mm512_setzero_ps();
        for (int t = 0; t < TM; t++) {
            __m512 scale = _mm512_mul_ps(_mm512_set1_ps(as[t0 + t]), scale_w);
            __m512 v = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc[t][p], correction)), scale, b);
            _mm512_mask_storeu_ps(y + (size_t)(t0 + t) * ldy + r, valid, v);
        }
    }
}

CQ_DEFINE_I8_MATMUL(i8_matmul_vnni512, "avx512f,avx512bw,avx512vl,avx512vnni", i8_tile_vnni512, 6, 4)
#endif

void cq_i8_matmul(const int8_t *w, const float *ws, const int32_t *wsum, const uint8_t *a, const float *as, int tokens,
                  int columns, const float *bias, float *y, int ldy, int rows, int panel_begin, int panel_end) {
    cq_i8_matmul_at_level(cq_supported_level(), w, ws, wsum, a, as, tokens, columns, bias, y, ldy, rows, panel_begin,
                          panel_end);
}

void cq_i8_matmul_at_level(int level, const int8_t *w, const float *ws, const int32_t *wsum, const uint8_t *a,
                           const float *as, int tokens, int columns, const float *bias, float *y, int ldy, int rows,
                           int panel_begin, int panel_end) {
    int padded = cq_i8_padded_columns(columns);
#if CQ_X86
    switch (cq_clamped_level(level)) {
    case CQ_LEVEL_AVX512VNNI:
        i8_matmul_vnni512(w, ws, wsum, a, as, tokens, padded, bias, y, ldy, rows, panel_begin, panel_end);
        return;
    case CQ_LEVEL_AVXVNNI:
        i8_matmul_avxvnni(w, ws, wsum, a, as, tokens, padded, bias, y, ldy, rows, panel_begin, panel_end);
        return;
    case CQ_LEVEL_AVX2:
        i8_matmul_avx2(w, ws, wsum, a, as, tokens, padded, bias, y, ldy, rows, panel_begin, panel_end);
        return;
    default: break;
    }
#endif
    matmul_portable(w, ws, wsum, a, as, tokens, padded, bias, y, ldy, rows, panel_begin, panel_end);
}

// MARK: - quick_gelu

void cq_quick_gelu(float *x, size_t count) {
    // x · σ(1.702 x) = x / (1 + e^{-1.702 x}), e^ from the vectorised cq_exp in chunks.
    float e[256];
    for (size_t start = 0; start < count; start += 256) {
        size_t n = count - start < 256 ? count - start : 256;
        for (size_t i = 0; i < n; i++) e[i] = -1.702f * x[start + i];
        cq_exp(e, n);
        for (size_t i = 0; i < n; i++) x[start + i] = x[start + i] / (1.f + e[i]);
    }
}
