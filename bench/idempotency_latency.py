#!/usr/bin/env python3
"""Latency an Idempotency-Key adds in a cluster.

Against a running cluster (`scripts/run`): sequential echo tasks over one
kept-alive connection to one node, in rounds that alternate three kinds:
no key, a fresh key per request, and a replay of a key already stored. A fresh
key is kept by a node chosen by hashing, usually another one (2 of 3 in
scripts/run's cluster), so most fresh keys cost a round trip to the keeper
before the task and one after. Prints p50/p90/p99 per kind; with --client
(the API key's id) and --nodes, fresh keys are also split by whether the
asked node keeps them (the same rendezvous hash as cluster/rendezvous.cpp).
The default rate-limit tier allows 1,000 requests a minute: keep 3 x
--requests under it, or give the key a larger tier.

    NZL_API_KEY=... bench/idempotency_latency.py [--port 8081] [--requests 300]
        [--client k_... --nodes us-east,eu-west,asia-east --self us-east]

Only 127.0.0.1 is ever contacted.
"""
import argparse
import http.client
import json
import os
import statistics
import time
import uuid


def run(conn, key, headers_extra, body):
    headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
    headers.update(headers_extra)
    t0 = time.perf_counter()
    conn.request("POST", "/v3/tasks", body=body, headers=headers)
    res = conn.getresponse()
    res.read()
    dt = (time.perf_counter() - t0) * 1000
    if res.status != 200:
        raise SystemExit(f"HTTP {res.status}")
    return dt, res.getheader("Idempotent-Replayed") == "true"


M64 = (1 << 64) - 1


def stable_hash(text):
    h = 0xcbf29ce484222325
    for c in text.encode():
        h = ((h ^ c) * 0x100000001b3) & M64
    return h


def mix(x):
    x ^= x >> 30
    x = (x * 0xbf58476d1ce4e5b9) & M64
    x ^= x >> 27
    x = (x * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)


def keeper(item, nodes):
    return max(sorted(nodes), key=lambda n: mix(stable_hash(item + "\0" + n)))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--requests", type=int, default=300, help="per kind")
    ap.add_argument("--client", help="the API key's id (keys are scoped to it)")
    ap.add_argument("--nodes", help="every node of the cluster, comma-separated")
    ap.add_argument("--self", dest="self_node", help="the node asked")
    args = ap.parse_args()
    key = os.environ["NZL_API_KEY"]
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
    body = json.dumps({"type": "echo", "payload": {"bench": "idempotency"}})
    stored = "bench-replay-" + uuid.uuid4().hex
    run(conn, key, {"Idempotency-Key": stored}, body)
    times = {"no key": [], "fresh key": [], "replayed key": []}
    split = args.client and args.nodes and args.self_node
    if split:
        times["fresh key kept here"] = []
        times["fresh key kept elsewhere"] = []
    for _ in range(args.requests):
        times["no key"].append(run(conn, key, {}, body)[0])
        fresh = "bench-" + uuid.uuid4().hex
        dt = run(conn, key, {"Idempotency-Key": fresh}, body)[0]
        times["fresh key"].append(dt)
        if split:
            here = keeper(args.client + "\n" + fresh, args.nodes.split(",")) == args.self_node
            times["fresh key kept here" if here else "fresh key kept elsewhere"].append(dt)
        dt, replayed = run(conn, key, {"Idempotency-Key": stored}, body)
        if not replayed:
            raise SystemExit("the stored key was not replayed")
        times["replayed key"].append(dt)
    for kind, xs in times.items():
        print(json.dumps({"kind": kind, "requests": len(xs),
                          "p50_ms": round(pct(xs, 50), 3), "p90_ms": round(pct(xs, 90), 3),
                          "p99_ms": round(pct(xs, 99), 3),
                          "mean_ms": round(statistics.fmean(xs), 3)}))


if __name__ == "__main__":
    main()
