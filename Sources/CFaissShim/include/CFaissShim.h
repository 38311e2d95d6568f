// C interface to the FAISS HNSW index used by GlimpseIndex.
//
// Debian's FAISS ships only libfaiss.a without its C API, so this shim wraps the C++ classes behind an opaque
// handle. No FAISS (or OpenMP) header is visible here: Swift's importer only ever sees this file.
//
// Every entry point catches C++ exceptions and reports them as a status code plus a message written into the
// caller's buffer; nothing throws across this boundary. All functions taking a handle are thread-safe: the
// handle carries a reader–writer lock, searches/snapshots share it, adds take it exclusively.
#ifndef CFAISS_SHIM_H
#define CFAISS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GLIMPSE_SHIM_OK = 0,
    /// An argument was out of range (caller bug or bad input).
    GLIMPSE_SHIM_INVALID_ARGUMENT = 1,
    /// Serialized index bytes were not a usable HNSW inner-product index.
    GLIMPSE_SHIM_CORRUPT = 2,
    /// FAISS (or the C++ runtime) raised an error, e.g. out of memory.
    GLIMPSE_SHIM_FAILURE = 3,
} GlimpseShimStatus;

/// Length of the error-message buffers the caller passes in.
#define GLIMPSE_SHIM_MESSAGE_CAPACITY 512

/// An HNSW graph over flat inner-product storage plus the map from FAISS's sequential labels to catalog ids.
typedef struct GlimpseHNSW GlimpseHNSW;

/// A consistent copy of an index taken under the read lock: the id map and FAISS's serialized bytes.
typedef struct GlimpseHNSWSnapshot GlimpseHNSWSnapshot;

/// How an index stores its vectors (`vector_encoding` arguments).
#define GLIMPSE_VECTORS_FLOAT32 0
/// One byte per dimension, per-dimension ranges trained by the first add of at least 1,000 vectors (else
/// [-1, 1]); values outside the range are clipped until a rebuild retrains it.
#define GLIMPSE_VECTORS_SQ8 1

/// Creates an empty index. `use_stock_distance` selects FAISS's own distance code and HNSW search instead of
/// ours (only the benchmark compares the two; float32 only); indexes loaded from snapshots always use ours.
GlimpseShimStatus glimpse_hnsw_create(
    int32_t dimension, int32_t m, int32_t ef_construction, int32_t ef_search_max, int32_t use_stock_distance,
    int32_t vector_encoding, GlimpseHNSW **out_index, char *message);

/// The index's GLIMPSE_VECTORS_* encoding.
int32_t glimpse_hnsw_vector_encoding(GlimpseHNSW *index);

/// Bytes of vector storage per indexed vector (4·d for float32, d for sq8).
int64_t glimpse_hnsw_bytes_per_vector(GlimpseHNSW *index);

void glimpse_hnsw_free(GlimpseHNSW *index);

/// Adds `count` vectors (row-major, count × dimension floats). Ids must be new to the index.
GlimpseShimStatus glimpse_hnsw_add(
    GlimpseHNSW *index, int64_t count, const int64_t *ids, const float *vectors, char *message);

/// Nearest neighbours by inner product, best first. Writes up to `k` hits and their count. Ids marked deleted
/// and ids in `excluded` are never returned. With `allowed_count` >= 0 only ids in `allowed` are returned
/// (a filtered search): a small allowed set is scanned exactly, a large one is searched in the graph with ef
/// widened by 1 / selectivity. `allowed_count` < 0 means no filter. `ef` above ef_search_max is clamped to it.
GlimpseShimStatus glimpse_hnsw_search(
    GlimpseHNSW *index, const float *query, int32_t k, int32_t ef, const int64_t *excluded, int64_t excluded_count,
    const int64_t *allowed, int64_t allowed_count, int64_t *out_ids, float *out_scores, int32_t *out_count,
    char *message);

/// Marks ids deleted (`deleted` non-zero) or live again; searches never return deleted ids. Unknown ids are
/// remembered and apply when they are added. The marks are not part of snapshots.
GlimpseShimStatus glimpse_hnsw_mark_deleted(
    GlimpseHNSW *index, const int64_t *ids, int64_t count, int32_t deleted, char *message);

/// How filtered searches run: 0 chooses by selectivity (the default), 1 always searches the graph, 2 always
/// scans the allowed vectors exactly (the benchmark and tests compare the two).
void glimpse_hnsw_set_filter_strategy(GlimpseHNSW *index, int32_t strategy);

/// Number of vectors in the index marked deleted.
int64_t glimpse_hnsw_deleted_count(GlimpseHNSW *index);

int64_t glimpse_hnsw_count(GlimpseHNSW *index);

/// How later adds insert: on up to `threads` threads (large adds only), and with `background` non-zero on
/// lowest-priority threads the caller waits for (for rebuilds running beside searches).
void glimpse_hnsw_set_insertion(GlimpseHNSW *index, int32_t threads, int32_t background);

/// Highest graph level any node has (-1 when empty); tests use it to check that levels keep being drawn.
int32_t glimpse_hnsw_max_level(GlimpseHNSW *index);

GlimpseShimStatus glimpse_hnsw_snapshot(GlimpseHNSW *index, GlimpseHNSWSnapshot **out_snapshot, char *message);
const int64_t *glimpse_hnsw_snapshot_ids(const GlimpseHNSWSnapshot *snapshot, int64_t *out_count);
const uint8_t *glimpse_hnsw_snapshot_bytes(const GlimpseHNSWSnapshot *snapshot, uint64_t *out_length);
void glimpse_hnsw_snapshot_free(GlimpseHNSWSnapshot *snapshot);

/// The changes since the last snapshot or delta, serialized: the vectors added since (ids, levels, vectors, links)
/// and the complete link lists of older nodes whose links changed. Taking a delta starts the next one, so a
/// caller that fails to store it must write a full snapshot next. Indexes created with FAISS's stock
/// implementation cannot produce deltas (INVALID_ARGUMENT).
typedef struct GlimpseHNSWDelta GlimpseHNSWDelta;
GlimpseShimStatus glimpse_hnsw_take_delta(GlimpseHNSW *index, GlimpseHNSWDelta **out_delta, char *message);
const uint8_t *glimpse_hnsw_delta_bytes(const GlimpseHNSWDelta *delta, uint64_t *out_length);
/// Number of vectors the delta adds.
int64_t glimpse_hnsw_delta_added(const GlimpseHNSWDelta *delta);
void glimpse_hnsw_delta_free(GlimpseHNSWDelta *delta);

/// Zero when the next write must be a full snapshot: an sq8 index whose ranges were trained after its last
/// full snapshot (a delta holds rows, not the ranges they were encoded with).
int32_t glimpse_hnsw_can_take_delta(GlimpseHNSW *index);

/// Applies a delta taken from an index in exactly this index's state (it must start at this index's count).
/// A delta that does not fit is CORRUPT and leaves the index unchanged.
GlimpseShimStatus glimpse_hnsw_apply_delta(GlimpseHNSW *index, const uint8_t *bytes, uint64_t length, char *message);

/// Rebuilds an index from a snapshot's parts. Checks that the bytes hold an HNSW inner-product index (flat
/// float32 or sq8 storage) of `dimension`, M `m` and efConstruction `ef_construction` with exactly `id_count`
/// vectors. `expected_encoding` >= 0 also requires that encoding (CORRUPT, naming both, when the bytes hold the
/// other); < 0 accepts either.
GlimpseShimStatus glimpse_hnsw_load(
    const uint8_t *bytes, uint64_t length, const int64_t *ids, int64_t id_count, int32_t dimension, int32_t m,
    int32_t ef_construction, int32_t ef_search_max, int32_t expected_encoding, GlimpseHNSW **out_index,
    char *message);

/// zlib's CRC-32 (initial value 0), continued from `crc`.
uint32_t glimpse_crc32(uint32_t crc, const uint8_t *bytes, uint64_t length);

/// Name of the inner-product kernel picked for this CPU ("avx512", "avx2-fma" or "portable").
const char *glimpse_distance_kernel_name(void);

/// The inner product of `a` and `b` (`d` floats) by the kernel named `kernel` ("avx512", "avx2-fma", "portable"),
/// and the four-row form into out[0…3] when `rows` holds 4 row pointers. Returns 0 when this CPU lacks the kernel.
/// For tests that hold every level this CPU runs to one reference.
int32_t glimpse_inner_product_with_kernel(
    const char *kernel, const float *a, const float *const *rows, int32_t row_count, uint64_t d, float *out);

/// 1 when the index stores sq8 vectors whose per-dimension ranges were trained from data, i.e. differ from the
/// [-1, 1] an add of fewer than 1,000 vectors leaves; 0 for float32, an empty sq8 index or [-1, 1] ranges. Read
/// from the ranges themselves, which FAISS serialises with the index, so it survives snapshots.
int32_t glimpse_hnsw_ranges_trained_from_data(GlimpseHNSW *index);

/// Copies the stored vectors of the catalog ids `ids` into `out_vectors` (count × dimension floats, row-major) as
/// the index holds them: float32 rows exactly, sq8 rows decoded (offset + scale · code). `out_found[i]` is 1 when
/// ids[i] is in the index (its row is written; ids marked deleted included) and 0 when not (its row is left as
/// it was). Lets a search re-score its hits without reading their vectors back from the catalog.
GlimpseShimStatus glimpse_hnsw_vectors(
    GlimpseHNSW *index, const int64_t *ids, int64_t count, float *out_vectors, uint8_t *out_found, char *message);

#ifdef __cplusplus
}
#endif

#endif
