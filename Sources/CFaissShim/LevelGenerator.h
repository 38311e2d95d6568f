// The random level of each new HNSW node. FAISS seeds hnsw.rng with a fixed 12345 in the HNSW constructor and
// does not serialize it, so after every snapshot load the levels of the next insertions repeated the first
// levels ever drawn: with frequent restarts no node inserted after a restart reached a level above the ones
// drawn in the first few hundred insertions (max_level stayed at 1 over 20,000 inserts with a reload every
// 200). Seeding from the vector count keeps levels reproducible for a given history yet never repeats them.
#pragma once

#include <cstdint>

#include <faiss/impl/HNSW.h>
#include <faiss/utils/random.h>

namespace glimpse {

/// Reseeds the level generator for an index that already holds `ntotal` vectors (SplitMix64 of the count).
inline void reseedLevelGenerator(faiss::HNSW &hnsw, int64_t ntotal) {
    uint64_t z = uint64_t(ntotal) + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    hnsw.rng = faiss::RandomGenerator(int64_t(z >> 1));
}

} // namespace glimpse
