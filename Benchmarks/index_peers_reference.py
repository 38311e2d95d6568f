"""Peers for `glimpse-bench index`: faiss-cpu's IndexHNSWFlat and hnswlib on the vectors the bench wrote.

Usage: index_peers_reference.py FOLDER DIMENSION EF,EF,... ROUNDS
FOLDER holds vectors.f32 and queries.f32 (row-major float32) and truth.i64 (exact top-10 ids per query).
Prints one JSON object per line: each peer's build time (all cores, as the peer builds by default) and, per ef,
recall@10 and the best-of-ROUNDS seconds for the queries searched one at a time on one thread (as glimpse is).
Same graph parameters as glimpse: M 32 (64 links on the bottom layer), efConstruction 200, inner product.
"""
import json
import os
import sys
import time
from importlib.metadata import version

import numpy as np

folder, d, efs, rounds = sys.argv[1], int(sys.argv[2]), [int(e) for e in sys.argv[3].split(",")], int(sys.argv[4])
x = np.fromfile(os.path.join(folder, "vectors.f32"), dtype=np.float32).reshape(-1, d)
q = np.fromfile(os.path.join(folder, "queries.f32"), dtype=np.float32).reshape(-1, d)
truth = np.fromfile(os.path.join(folder, "truth.i64"), dtype=np.int64).reshape(len(q), -1)[:, :10]


def recall(labels):
    return float(np.mean([len(set(labels[i][:10].tolist()) & set(truth[i].tolist())) / 10.0 for i in range(len(q))]))


def emit(**row):
    print(json.dumps(row), flush=True)


def best_seconds(search):
    """Best of ROUNDS passes over the queries, one query per call (as glimpse's search is called)."""
    best = None
    for _ in range(rounds):
        started = time.perf_counter()
        for i in range(len(q)):
            search(q[i : i + 1])
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


import faiss  # noqa: E402

name = "faiss-cpu " + version("faiss-cpu")
index = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
index.hnsw.efConstruction = 200
started = time.perf_counter()
index.add(x)
emit(peer=name, kind="build", seconds=time.perf_counter() - started, threads=faiss.omp_get_max_threads())
faiss.omp_set_num_threads(1)
for ef in efs:
    index.hnsw.efSearch = ef
    _, labels = index.search(q, 10)
    emit(peer=name, kind="search", ef=ef, recall=recall(labels), seconds=best_seconds(lambda v: index.search(v, 10)))
del index

import hnswlib  # noqa: E402

name = "hnswlib " + version("hnswlib")
index = hnswlib.Index(space="ip", dim=d)
index.init_index(max_elements=len(x), M=32, ef_construction=200, random_seed=100)
started = time.perf_counter()
index.add_items(x, np.arange(len(x)), num_threads=os.cpu_count())
emit(peer=name, kind="build", seconds=time.perf_counter() - started, threads=os.cpu_count())
index.set_num_threads(1)
for ef in efs:
    index.set_ef(ef)
    labels, _ = index.knn_query(q, k=10, num_threads=1)
    emit(peer=name, kind="search", ef=ef, recall=recall(labels),
         seconds=best_seconds(lambda v: index.knn_query(v, k=10, num_threads=1)))
