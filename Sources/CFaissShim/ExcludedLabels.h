// Search filter over FAISS's sequential labels: a bitmap of the labels whose catalog ids are excluded.
#pragma once

#include <cstdint>
#include <vector>

#include <faiss/impl/IDSelector.h>

namespace glimpse {

struct ExcludedLabels final : faiss::IDSelector {
    std::vector<uint64_t> bits;
    int64_t count = 0;

    explicit ExcludedLabels(int64_t ntotal) : bits(size_t((ntotal + 63) / 64), 0) {}

    void exclude(int64_t label) {
        uint64_t mask = uint64_t(1) << (label & 63);
        uint64_t &word = bits[size_t(label >> 6)];
        if (!(word & mask)) {
            word |= mask;
            count++;
        }
    }

    bool is_member(idx_t label) const override {
        return !((bits[size_t(label >> 6)] >> (label & 63)) & 1);
    }
};

} // namespace glimpse
