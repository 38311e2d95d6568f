// Which of FAISS's sequential labels a search may return: not deleted (the handle's persistent tombstones),
// not excluded by this call, and, for a filtered search, in the call's allowed set.
#pragma once

#include <cstdint>
#include <vector>

#include <faiss/impl/IDSelector.h>

namespace glimpse {

/// One bit per label.
struct LabelBitmap {
    std::vector<uint64_t> bits;

    void resize(int64_t labels) { bits.resize(size_t((labels + 63) / 64), 0); }
    bool contains(int64_t label) const {
        size_t word = size_t(label >> 6);
        return word < bits.size() && ((bits[word] >> (label & 63)) & 1);
    }
    /// Returns true when the bit was newly set.
    bool insert(int64_t label) {
        uint64_t mask = uint64_t(1) << (label & 63);
        uint64_t &word = bits[size_t(label >> 6)];
        if (word & mask) return false;
        word |= mask;
        return true;
    }
    /// Returns true when the bit was set before.
    bool erase(int64_t label) {
        size_t index = size_t(label >> 6);
        if (index >= bits.size()) return false;
        uint64_t mask = uint64_t(1) << (label & 63);
        bool was = bits[index] & mask;
        bits[index] &= ~mask;
        return was;
    }
};

/// The search's view of the three sets; any pointer may be null (no deletions, no exclusions, no filter).
/// As a FAISS IDSelector it also filters FAISS's stock search.
struct LabelFilter final : faiss::IDSelector {
    const LabelBitmap *deleted = nullptr;
    const LabelBitmap *excluded = nullptr;
    const LabelBitmap *allowed = nullptr;

    bool accepts(int64_t label) const {
        if (deleted != nullptr && deleted->contains(label)) return false;
        if (excluded != nullptr && excluded->contains(label)) return false;
        return allowed == nullptr || allowed->contains(label);
    }
    bool is_member(idx_t label) const override { return accepts(label); }
};

} // namespace glimpse
