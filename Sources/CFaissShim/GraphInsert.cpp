#include "GraphInsert.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <queue>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "VisitedTablePool.h"

namespace glimpse {
namespace {

using Node = std::pair<float, int32_t>; // (distance = -inner product, label)

/// Node locks by stripe: a lock per node would cost 40 bytes per vector on every add. Nobody holds two
/// stripes at once, so two nodes sharing one cannot deadlock.
struct StripedLocks {
    static constexpr size_t count = 4096;
    std::array<std::mutex, count> locks;
    std::mutex &of(int32_t node) { return locks[size_t(node) & (count - 1)]; }
};

struct Inserter {
    faiss::HNSW &hnsw;
    const VectorRows &rows;
    StripedLocks &locks;
    /// Guards hnsw.entry_point and hnsw.max_level.
    std::mutex &entryLock;
    /// One byte per node, written under that node's stripe lock.
    std::vector<uint8_t> &dirty;

    float distance(const PreparedQuery &query, int32_t node) const { return -query.similarity(rows, node); }

    /// A stored row as a query: its floats (sq8 and half precision: decoded into `decoded`) prepared for the rows.
    struct RowQuery {
        std::vector<float> decoded;
        PreparedQuery query;
    };
    void prepareRow(int32_t node, RowQuery &out) const {
        if (rows.plainFloats()) {
            out.query.prepare(rows, reinterpret_cast<const float *>(rows.row(node)));
            return;
        }
        out.decoded.resize(rows.d);
        rows.decode(node, out.decoded.data());
        out.query.prepare(rows, out.decoded.data());
    }

    /// hnsw.neighbor_range, inlined (it is an out-of-line call in libfaiss, made for every node the search expands).
    void range(int32_t node, int level, size_t &begin, size_t &end) const {
        const size_t offset = hnsw.offsets[size_t(node)];
        begin = offset + size_t(hnsw.cum_nneighbor_per_level[size_t(level)]);
        end = offset + size_t(hnsw.cum_nneighbor_per_level[size_t(level) + 1]);
    }

    /// Copies a node's links on one level under its lock (another thread may be rewriting them).
    void links(int32_t node, int level, std::vector<int32_t> &out) {
        size_t begin, end;
        range(node, level, begin, end);
        out.clear();
        std::lock_guard<std::mutex> guard(locks.of(node));
        for (size_t i = begin; i < end; i++) {
            int32_t neighbour = hnsw.neighbors[i];
            if (neighbour < 0) break;
            out.push_back(neighbour);
        }
    }

    void greedy(const PreparedQuery &query, int level, int32_t &nearest, float &best, std::vector<int32_t> &buffer) {
        for (bool moved = true; moved;) {
            moved = false;
            links(nearest, level, buffer);
            for (int32_t neighbour : buffer) {
                float dist = distance(query, neighbour);
                if (dist < best) {
                    best = dist;
                    nearest = neighbour;
                    moved = true;
                }
            }
        }
    }

    /// The efConstruction nearest nodes found from `entry` on `level`, nearest first.
    std::vector<Node> searchLayer(const PreparedQuery &query, int32_t entry, float entryDistance, int level,
                                  std::vector<int32_t> &buffer) {
        VisitedScope visited(int64_t(hnsw.levels.size()));
        const size_t width = size_t(std::max(hnsw.efConstruction, 1));
        std::priority_queue<Node, std::vector<Node>, std::greater<Node>> candidates; // nearest on top
        std::priority_queue<Node> results;                                            // farthest on top
        candidates.emplace(entryDistance, entry);
        results.emplace(entryDistance, entry);
        visited.table.set(entry);
        while (!candidates.empty()) {
            const Node current = candidates.top();
            if (current.first > results.top().first) break;
            candidates.pop();
            links(current.second, level, buffer);
            // Only unvisited neighbours are scored: the first line of each is requested at once, then whole rows
            // ahead of their use (10% faster on 20,000 × 384 than first lines only).
            size_t count = 0;
            for (int32_t neighbour : buffer) {
                if (visited.table.get(neighbour)) continue;
                visited.table.set(neighbour);
                buffer[count++] = neighbour;
            }
            buffer.resize(count);
            for (int32_t neighbour : buffer) __builtin_prefetch(rows.row(neighbour));
            // Four rows per kernel call where the rows allow it (one pass over the query, loads overlapping),
            // the next four rows prefetched whole meanwhile; the last 0–3 one by one.
            thread_local std::vector<float> distances;
            distances.resize(count);
            query.distances(rows, buffer.data(), count, distances.data());
            for (size_t i = 0; i < count; i++) {
                const int32_t neighbour = buffer[i];
                const float dist = distances[i];
                if (results.size() < width || dist < results.top().first) {
                    candidates.emplace(dist, neighbour);
                    results.emplace(dist, neighbour);
                    if (results.size() > width) results.pop();
                }
            }
        }
        std::vector<Node> nearestFirst(results.size());
        for (size_t i = nearestFirst.size(); i-- > 0;) {
            nearestFirst[i] = results.top();
            results.pop();
        }
        return nearestFirst;
    }

    /// FAISS's (and the HNSW paper's) heuristic: walk candidates nearest first and keep one only if no kept
    /// node is closer to it than the query is. Lists shorter than `limit` are kept whole, as FAISS does.
    void select(std::vector<Node> &nearestFirst, size_t limit) {
        if (nearestFirst.size() < limit) return;
        std::vector<Node> kept;
        kept.reserve(limit);
        // Each kept node is prepared as a query once (sq8: decoded once), not once per pair.
        thread_local std::vector<RowQuery> keptRows;
        if (keptRows.size() < limit) keptRows.resize(limit);
        for (const Node &candidate : nearestFirst) {
            bool good = true;
            for (size_t j = 0; j < kept.size(); j++) {
                if (distance(keptRows[j].query, candidate.second) < candidate.first) {
                    good = false;
                    break;
                }
            }
            if (good) {
                prepareRow(candidate.second, keptRows[kept.size()]);
                kept.push_back(candidate);
                if (kept.size() >= limit) break;
            }
        }
        nearestFirst.swap(kept);
    }

    /// Adds dest to src's links on `level`; a full list is re-selected among its links and dest. Caller holds
    /// src's lock.
    void link(int32_t src, int32_t dest, int level) {
        dirty[size_t(src)] = 1;
        size_t begin, end;
        range(src, level, begin, end);
        if (hnsw.neighbors[end - 1] == -1) {
            size_t i = end;
            while (i > begin && hnsw.neighbors[i - 1] == -1) i--;
            hnsw.neighbors[i] = dest;
            return;
        }
        std::vector<Node> list;
        list.reserve(end - begin + 1);
        thread_local RowQuery source;
        prepareRow(src, source);
        list.emplace_back(distance(source.query, dest), dest);
        for (size_t i = begin; i < end; i++) {
            list.emplace_back(distance(source.query, hnsw.neighbors[i]), hnsw.neighbors[i]);
        }
        std::sort(list.begin(), list.end());
        select(list, end - begin);
        size_t i = begin;
        for (const Node &node : list) hnsw.neighbors[i++] = node.second;
        while (i < end) hnsw.neighbors[i++] = -1;
    }

    void insert(int32_t node) {
        const int nodeLevel = hnsw.levels[size_t(node)] - 1;
        int32_t nearest;
        int topLevel;
        {
            std::lock_guard<std::mutex> guard(entryLock);
            nearest = hnsw.entry_point;
            topLevel = hnsw.max_level;
            if (nearest < 0) {
                hnsw.entry_point = node;
                hnsw.max_level = nodeLevel;
                return;
            }
        }
        // The new node's own vector is the query (decoded once for sq8).
        thread_local RowQuery own;
        prepareRow(node, own);
        const PreparedQuery &query = own.query;
        std::vector<int32_t> buffer;
        float best = distance(query, nearest);
        int level = topLevel;
        for (; level > nodeLevel; level--) greedy(query, level, nearest, best, buffer);
        for (; level >= 0; level--) {
            std::vector<Node> chosen = searchLayer(query, nearest, best, level, buffer);
            // The next level down starts from the nearest node found here (hnswlib does the same; FAISS 1.7.3
            // restarted every level from the upper layers' greedy result).
            nearest = chosen.front().second;
            best = chosen.front().first;
            select(chosen, size_t(hnsw.nb_neighbors(level)));
            {
                size_t begin, end;
                range(node, level, begin, end);
                std::lock_guard<std::mutex> guard(locks.of(node));
                size_t i = begin;
                for (const Node &target : chosen) {
                    if (target.second != node && i < end) hnsw.neighbors[i++] = target.second;
                }
            }
            for (const Node &target : chosen) {
                if (target.second == node) continue;
                std::lock_guard<std::mutex> guard(locks.of(target.second));
                link(target.second, node, level);
            }
        }
        std::lock_guard<std::mutex> guard(entryLock);
        if (nodeLevel > hnsw.max_level) {
            hnsw.max_level = nodeLevel;
            hnsw.entry_point = node;
        }
    }
};

/// The largest transient half-precision copy a bulk add makes (1 GB of float32 rows, e.g. 666,000 × 384).
constexpr size_t halfCopyBudget = size_t(512) << 20;

/// For an add that at least doubles the index, a half-precision copy of every row to build the graph from, or
/// an empty vector. Construction is bound by loading rows from memory (perf at 30,000 × 384: most cycles stall on
/// row loads); half the bytes per row is the cheapest way to halve that, and half precision (11 significant bits)
/// changes inner products of unit vectors by ~1e-4, far below the gaps the neighbour selection compares. The
/// graph is the only output: stored vectors, snapshots and searches keep float32. Small adds keep float32 rows
/// (copying the whole index for a few vectors would cost more than it saves).
std::vector<uint16_t> halfPrecisionCopy(const VectorRows &rows, int64_t n0, int64_t n) {
    std::vector<uint16_t> copy;
    const HalfEncoder encode = halfEncoder();
    const size_t total = size_t(n0 + n);
    if (!rows.plainFloats() || encode == nullptr || halfInnerProductKernel() == nullptr || n < 1000 || n < n0 ||
        total * rows.d * sizeof(uint16_t) > halfCopyBudget) {
        return copy;
    }
    copy.resize(total * rows.d);
    for (size_t i = 0; i < total; i++) {
        encode(reinterpret_cast<const float *>(rows.row(int64_t(i))), copy.data() + i * rows.d, rows.d);
    }
    return copy;
}

} // namespace

void insertNodes(
    faiss::HNSW &hnsw, const VectorRows &storedRows, int64_t n0, int64_t n, int threads, bool background,
    std::vector<uint8_t> &dirty) {
    if (n <= 0) return;
    const std::vector<uint16_t> halfRows = halfPrecisionCopy(storedRows, n0, n);
    VectorRows rows = storedRows;
    if (!halfRows.empty()) {
        rows.codes = reinterpret_cast<const uint8_t *>(halfRows.data());
        rows.rowBytes = rows.d * sizeof(uint16_t);
        rows.halfKernel = halfInnerProductKernel();
        rows.halfKernel4 = halfInnerProduct4Kernel();
        rows.halfDecoder = halfDecoder();
    }
    hnsw.prepare_level_tab(size_t(n), false);

    // Highest level first, random order within a level (FAISS's order: upper layers are built before the
    // bottom one fills up, and input order does not bias the graph).
    std::vector<std::vector<int32_t>> byLevel;
    for (int64_t i = 0; i < n; i++) {
        size_t level = size_t(hnsw.levels[size_t(n0 + i)] - 1);
        if (byLevel.size() <= level) byLevel.resize(level + 1);
        byLevel[level].push_back(int32_t(n0 + i));
    }
    std::mt19937_64 shuffle(uint64_t(n0) * 0x9E3779B97F4A7C15ull + uint64_t(n));

    auto locks = std::make_unique<StripedLocks>();
    std::mutex entryLock;
    Inserter inserter{hnsw, rows, *locks, entryLock, dirty};
    for (size_t level = byLevel.size(); level-- > 0;) {
        std::vector<int32_t> &nodes = byLevel[level];
        std::shuffle(nodes.begin(), nodes.end(), shuffle);
        const int workers = nodes.size() > 100 ? std::max(1, threads) : 1;
        std::atomic<size_t> next{0};
        std::exception_ptr failure;
        std::mutex failureLock;
        auto work = [&] {
            try {
                for (size_t i = next++; i < nodes.size(); i = next++) inserter.insert(nodes[i]);
            } catch (...) {
                std::lock_guard<std::mutex> guard(failureLock);
                if (!failure) failure = std::current_exception();
                next = nodes.size();
            }
        };
        // On Linux the nice value is per thread: only these helpers run at the lowest priority.
        auto backgroundWork = [&] {
            setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), 19);
            work();
        };
        std::vector<std::thread> helpers;
        for (int t = background ? 0 : 1; t < workers; t++) {
            try {
                if (background) {
                    helpers.emplace_back(backgroundWork);
                } else {
                    helpers.emplace_back(work);
                }
            } catch (const std::system_error &) {
                break; // no more threads available: the remaining workers share the level
            }
        }
        if (!background || helpers.empty()) work();
        for (std::thread &helper : helpers) helper.join();
        if (failure) std::rethrow_exception(failure);
    }
}

} // namespace glimpse
