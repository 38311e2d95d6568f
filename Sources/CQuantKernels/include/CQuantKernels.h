// Q4 × Q8 integer matrix kernels, vectorised GELU and fp32 attention for the quantised encoders (ggml-style: the
// kernels know nothing about models). x86-64 AVX2 / AVX-VNNI paths are chosen at run time; the quantisation,
// matrix-product and GELU paths give bit-identical results to the portable C ones, so tests compare them exactly.
#ifndef CQUANTKERNELS_H
#define CQUANTKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Weights per Q4_0 / Q8 block, and the kernels' group: 4 blocks (128 weights) handled by one pass of 4 vectors.
#define CQ_BLOCK 32
#define CQ_GROUP 128
/// Bytes of one repacked Q4 group: 64 bytes of nibbles and 4 fp32 block scales.
#define CQ_Q4_GROUP_BYTES 80
/// Bytes of one quantised activation group: 128 int8 values, 8 lane scales and 8 lane offset corrections (fp32).
#define CQ_Q8_GROUP_BYTES 192

/// Kernel levels: the functions below use the best one the CPU supports; the `_at_level` variants take a level
/// (run as `cq_clamped_level(level)`) so tests can compare paths without global state.
/// AVX512VNNI uses 256-bit vectors too (EVEX encoding for its 32 registers), so no wide-vector clock penalty.
enum { CQ_LEVEL_PORTABLE = 0, CQ_LEVEL_AVX2 = 1, CQ_LEVEL_AVXVNNI = 2, CQ_LEVEL_AVX512VNNI = 3 };

/// The best level this CPU supports.
int cq_supported_level(void);

/// Whether this CPU runs `level`'s kernels. The levels are not nested: AMD Zen 4 has AVX-512 VNNI but not the
/// VEX-encoded AVX-VNNI, so a CPU may support a level above one it lacks.
int cq_level_is_supported(int level);

/// `level` if this CPU supports it, else the nearest supported level below it: what every `_at_level` function runs.
int cq_clamped_level(int level);

/// Groups (of 128 weights) per row of `columns` weights; a partial last group is padded with zero-scale blocks.
int cq_groups(int columns);

/// Repacks `rows` Q4_0 rows (18-byte blocks: little-endian fp16 scale d, 16 bytes of nibbles, byte j holding
/// weight j in its low and weight j+16 in its high nibble; value (nibble - 8) * d) of `columns` weights
/// (a multiple of 32) into `rows * cq_groups(columns) * CQ_Q4_GROUP_BYTES` bytes at `dst`.
void cq_q4_repack(const uint8_t *src, int rows, int columns, uint8_t *dst);

/// Quantises `rows` fp32 rows of `columns` values (row stride `ldx`) to Q8 blocks of 32 (scale max|x|/127, round
/// to nearest even), written as `rows * cq_groups(columns) * CQ_Q8_GROUP_BYTES` bytes at `dst`.
void cq_q8_quantise(const float *x, int rows, int columns, int ldx, uint8_t *dst);
void cq_q8_quantise_at_level(int level, const float *x, int rows, int columns, int ldx, uint8_t *dst);

/// y[t * ldy + r] = bias[r] + Σ w[r, :] · a[t, :] for output rows r in [row_begin, row_end) and tokens t in
/// [0, tokens), with `w` from `cq_q4_repack` and `a` from `cq_q8_quantise` (both `groups` groups per row).
/// `bias` may be NULL.
void cq_q4q8_matmul(const uint8_t *w, const uint8_t *a, int groups, int tokens, const float *bias, float *y,
                    int ldy, int row_begin, int row_end);
void cq_q4q8_matmul_at_level(int level, const uint8_t *w, const uint8_t *a, int groups, int tokens,
                             const float *bias, float *y, int ldy, int row_begin, int row_end);

/// Exact-form GELU 0.5·x·(1 + erf(x/√2)) in place, erf from Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7).
void cq_gelu(float *x, size_t count);
void cq_gelu_at_level(int level, float *x, size_t count);

/// e^x for every value in place (|relative error| ≲ 2e-7 for x in [-87, 88]).
void cq_exp(float *x, size_t count);

/// Scaled dot-product self-attention of heads [head_begin, head_end) over one segment of `length` tokens whose
/// fused query/key/value rows start at `qkv` (row stride `ldqkv`: queries at 0, keys at `hidden`, values at
/// 2·`hidden`), writing each head's context into `context` (row stride `ldcontext`). `scores` must hold `length`
/// floats.
void cq_attention(const float *qkv, int ldqkv, int hidden, int head_count, int length, int head_begin,
                  int head_end, float *context, int ldcontext, float *scores);

// MARK: - Int8 × int8 linear layers (int8_kernels.c)

/// Output rows per packed weight panel.
#define CQ_I8_PANEL 16

/// Columns rounded up to a multiple of 4 (one "quad" of bytes per int32 lane); padding is zero weight and zero
/// activation, so it adds nothing.
int cq_i8_padded_columns(int columns);
/// Panels of CQ_I8_PANEL rows for `rows` output rows (the last one padded with zero rows).
int cq_i8_panels(int rows);

/// Quantises fp32 weights [rows, columns] per row (symmetric, scale max|w|/127, round to nearest even, ±127) into
/// `cq_i8_panels(rows) * CQ_I8_PANEL * cq_i8_padded_columns(columns)` packed bytes, with per-row scales and sums of
/// the int8 values (`cq_i8_panels(rows) * CQ_I8_PANEL` entries each; padding rows get 0).
void cq_i8_pack_weights(const float *w, int rows, int columns, int8_t *packed, float *scales, int32_t *sums);

/// Quantises each of `rows` fp32 rows (stride `ldx`) symmetrically (scale max|x|/127, round to nearest even) into
/// `cq_i8_padded_columns(columns)` bytes per row holding q + 128, and its scale.
void cq_i8_quantise_rows(const float *x, int rows, int columns, int ldx, uint8_t *q, float *scales);
void cq_i8_quantise_rows_at_level(int level, const float *x, int rows, int columns, int ldx, uint8_t *q,
                                  float *scales);

/// y[t * ldy + r] = (Σ_c qa[t, c] · qw[r, c]) · scale_a[t] · scale_w[r] + bias[r] (one fma) for tokens t in
/// [0, tokens) and the output rows of panels [panel_begin, panel_end) below `rows`; `w`, `ws`, `wsum` from
/// `cq_i8_pack_weights`, `a`, `as` from `cq_i8_quantise_rows` (both of `columns` columns). `bias` may be NULL.
void cq_i8_matmul(const int8_t *w, const float *ws, const int32_t *wsum, const uint8_t *a, const float *as, int tokens,
                  int columns, const float *bias, float *y, int ldy, int rows, int panel_begin, int panel_end);
void cq_i8_matmul_at_level(int level, const int8_t *w, const float *ws, const int32_t *wsum, const uint8_t *a,
                           const float *as, int tokens, int columns, const float *bias, float *y, int ldy, int rows,
                           int panel_begin, int panel_end);

/// OpenAI CLIP's x · σ(1.702 x) in place (e^ from `cq_exp`).
void cq_quick_gelu(float *x, size_t count);

#ifdef __cplusplus
}
#endif

#endif
