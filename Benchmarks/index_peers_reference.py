"""Peers for `glimpse-bench index`: faiss-cpu's IndexHNSWFlat and hnswlib on the vectors the bench wrote.

Usage: index_peers_reference.py FOLDER DIMENSION EF,EF,...
FOLDER holds vectors.f32 and queries.f32 (row-major float32) and truth.i64 (exact top-10 ids per query).
Builds both peers (all cores, as each builds by default) and prints one JSON object per line: each peer's build
time, then its recall@10 per ef, then {"kind": "ready"}. Then it times search passes on request, so the bench can
interleave its own passes with the peers' (the shared machine's cache and load then hit every implementation
alike): each stdin line "PEER EF" (PEER is "faiss" or "hnswlib") runs one pass over the queries, one query per call
on one thread (as glimpse's search is called), and prints {"kind": "pass", "peer": NAME, "ef": EF, "seconds": S};
"quit" or end of input exits.
Same graph parameters as glimpse: M 32 (64 links on the bottom layer), efConstruction 200, inner product.
"""
import json
import os
import sys
import time
from importlib.metadata import version

import numpy as np

folder, d, efs = sys.argv[1], int(sys.argv[2]), [int(e) for e in sys.argv[3].split(",")]
x = np.fromfile(os.path.join(folder, "vectors.f32"), dtype=np.float32).reshape(-1, d)
q = np.fromfile(os.path.join(folder, "queries.f32"), dtype=np.float32).reshape(-1, d)
truth = np.fromfile(os.path.join(folder, "truth.i64"), dtype=np.int64).reshape(len(q), -1)[:, :10]


def recall(labels):
    return float(np.mean([len(set(labels[i][:10].tolist()) & set(truth[i].tolist())) / 10.0 for i in range(len(q))]))


def emit(**row):
    print(json.dumps(row), flush=True)


def one_pass(search):
    """Seconds for one pass over the queries, one query per call."""
    started = time.perf_counter()
    for i in range(len(q)):
        search(q[i : i + 1])
    return time.perf_counter() - started


import faiss  # noqa: E402
import hnswlib  # noqa: E402

faiss_name = "faiss-cpu " + version("faiss-cpu")
faiss_index = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
faiss_index.hnsw.efConstruction = 200
started = time.perf_counter()
faiss_index.add(x)
emit(peer=faiss_name, kind="build", seconds=time.perf_counter() - started, threads=faiss.omp_get_max_threads())
faiss.omp_set_num_threads(1)
for ef in efs:
    faiss_index.hnsw.efSearch = ef
    _, labels = faiss_index.search(q, 10)
    emit(peer=faiss_name, kind="recall", ef=ef, recall=recall(labels))

hnswlib_name = "hnswlib " + version("hnswlib")
hnswlib_index = hnswlib.Index(space="ip", dim=d)
hnswlib_index.init_index(max_elements=len(x), M=32, ef_construction=200, random_seed=100)
started = time.perf_counter()
hnswlib_index.add_items(x, np.arange(len(x)), num_threads=os.cpu_count())
emit(peer=hnswlib_name, kind="build", seconds=time.perf_counter() - started, threads=os.cpu_count())
hnswlib_index.set_num_threads(1)
for ef in efs:
    hnswlib_index.set_ef(ef)
    labels, _ = hnswlib_index.knn_query(q, k=10, num_threads=1)
    emit(peer=hnswlib_name, kind="recall", ef=ef, recall=recall(labels))
emit(kind="ready")


def faiss_pass(ef):
    faiss_index.hnsw.efSearch = ef
    return faiss_name, one_pass(lambda v: faiss_index.search(v, 10))


def hnswlib_pass(ef):
    hnswlib_index.set_ef(ef)
    return hnswlib_name, one_pass(lambda v: hnswlib_index.knn_query(v, k=10, num_threads=1))


passes = {"faiss": faiss_pass, "hnswlib": hnswlib_pass}
for line in sys.stdin:
    words = line.split()
    if not words or words[0] == "quit":
        break
    name, seconds = passes[words[0]](int(words[1]))
    emit(peer=name, kind="pass", ef=int(words[1]), seconds=seconds)
