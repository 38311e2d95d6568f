// One visited table per thread, reused across searches (hnswlib's visited_list_pool idea): a search no longer
// allocates and zeroes a table the size of the index. The table grows to the largest index the thread has
// searched; a mark is a round number, so clearing costs one memset every 249 searches instead of one per search.
#pragma once

#include <cstdint>

#include <faiss/impl/AuxIndexStructures.h>

namespace glimpse {

/// This thread's table, at least `size` entries long. Use through `VisitedScope` so every search ends its round.
inline faiss::VisitedTable &threadVisitedTable(int64_t size) {
    thread_local faiss::VisitedTable table(0);
    // New entries are 0, never a live round number (rounds are 1...249), so growing keeps the table clean.
    if (table.visited.size() < size_t(size)) table.visited.resize(size_t(size), 0);
    return table;
}

/// Ends the search's round on every exit path (a search that threw would otherwise leave its marks behind
/// for the thread's next search). An extra advance is harmless.
struct VisitedScope {
    faiss::VisitedTable &table;
    explicit VisitedScope(int64_t size) : table(threadVisitedTable(size)) {}
    ~VisitedScope() { table.advance(); }
    VisitedScope(const VisitedScope &) = delete;
    VisitedScope &operator=(const VisitedScope &) = delete;
};

} // namespace glimpse
