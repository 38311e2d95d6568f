#!/usr/bin/env python3
"""Raw-socket cases for scripts/fuzz-api.sh: what an HTTP fuzzer will not send.

Each case opens its own connection straight to glimpsed's Unix socket, sends bytes no well-behaved client would
(a body or headers trickled at 1 byte/s, an HTTP/2 preface, bare LF line ends, a NUL in a header, Content-Length
together with Transfer-Encoding, an over-long URL, HTTP/1.0 without keep-alive), reads until the daemon closes the
connection, and records the answer's status, whether an error answer carried the JSON error envelope, and how long
the connection stayed open. Every case runs --rounds times; the slow ones all at once, on threads of their own.
Prints one summary line and writes the figures as JSON to --stats-file; exits 1 when an answer was a 5xx, an error
answer was not JSON, or a connection was still open after --limit seconds.
"""

import argparse
import json
import socket
import statistics
import sys
import threading
import time

GET_HEALTH = b"GET /v1/health HTTP/1.1\r\nHost: glimpse\r\n\r\n"

# Sent whole: (name, bytes). Each must be answered (4xx, or 200 for HTTP/1.0) and the connection closed.
MALFORMED = [
    ("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    ("bare-lf", b"GET /v1/health HTTP/1.1\nHost: glimpse\n\n"),
    ("nul-in-header", b"GET /v1/health HTTP/1.1\r\nHost: glimpse\r\nX-Bad: a\x00b\r\n\r\n"),
    (
        "cl-and-te",
        b"POST /v1/items HTTP/1.1\r\nHost: glimpse\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
    ("long-url", b"GET /v1/search?q=" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: glimpse\r\n\r\n"),
    ("garbage-line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
    ("http10", b"GET /v1/health HTTP/1.0\r\n\r\n"),
]


def slow_body():
    head = (
        b"POST /v1/items HTTP/1.1\r\nHost: glimpse\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000\r\n\r\n"
    )
    return head, b" " * 1_000_000


def slow_headers():
    return b"", b"GET /v1/health HTTP/1.1\r\nHost: glimpse\r\nX-Pad: " + b"a" * 10_000 + b"\r\n\r\n"


def connect(path):
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    return connection


def status_of(data):
    """The status of the first answer in data, and whether its body is a JSON error envelope (None: no answer)."""
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        return None, False
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ")[1])
    except (IndexError, ValueError):
        return None, False
    # Only this answer's body: a 403 sent before the body arrived may be followed by the 408 that ends it.
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            body = body[: int(value.strip())]
    try:
        envelope = "code" in json.loads(body.decode("utf-8"))["error"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        envelope = False
    return status, envelope


def read_until_closed(connection, deadline):
    """Reads until EOF or deadline; returns (data, closed)."""
    data = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, False
        connection.settimeout(left)
        try:
            chunk = connection.recv(65536)
        except socket.timeout:
            return data, False
        except (ConnectionResetError, BrokenPipeError):
            return data, True
        if not chunk:
            return data, True
        data += chunk


def run_case(path, name, head, trickled, interval, limit, results, lock):
    started = time.monotonic()
    deadline = started + limit
    try:
        connection = connect(path)
    except OSError as error:
        with lock:
            results.append({"case": name, "status": None, "closed": False, "seconds": 0.0, "error": str(error)})
        return
    stop = threading.Event()

    def trickle():
        try:
            if head:
                connection.sendall(head)
            for index in range(len(trickled)):
                if stop.is_set():
                    return
                connection.sendall(trickled[index : index + 1])
                if interval:
                    stop.wait(interval)
        except OSError:
            pass  # the daemon closed the connection: that is the point

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    data, closed = read_until_closed(connection, deadline)
    seconds = time.monotonic() - started
    stop.set()
    connection.close()
    status, envelope = status_of(data)
    with lock:
        results.append(
            {"case": name, "status": status, "json": envelope, "closed": closed, "seconds": round(seconds, 3)}
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--socket", required=True)
    parser.add_argument("--rounds", type=int, default=10, help="times each case runs (default 10)")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds a connection may stay open (default 60)")
    parser.add_argument("--stats-file", required=True)
    arguments = parser.parse_args()

    results = []
    lock = threading.Lock()
    threads = []
    started = time.monotonic()
    # The slow clients all at once: the daemon must cut each off, and keep serving the malformed ones meanwhile.
    for _ in range(arguments.rounds):
        for name, (head, trickled) in (("slow-body-1Bps", slow_body()), ("slow-headers-1Bps", slow_headers())):
            thread = threading.Thread(
                target=run_case, args=(arguments.socket, name, head, trickled, 1.0, arguments.limit, results, lock)
            )
            thread.start()
            threads.append(thread)
    for _ in range(arguments.rounds):
        for name, request in MALFORMED:
            run_case(arguments.socket, name, request, b"", 0, arguments.limit, results, lock)
    for thread in threads:
        thread.join()
    # Still serving after all that?
    probe = connect(arguments.socket)
    probe.sendall(GET_HEALTH)
    probe.settimeout(10)
    healthy = status_of(probe.recv(65536))[0] == 200
    probe.close()

    by_status = {}
    for result in results:
        key = str(result["status"]) if result["status"] is not None else "none"
        by_status[key] = by_status.get(key, 0) + 1
    durations = sorted(result["seconds"] for result in results if result["closed"])
    server_errors = [r for r in results if r["status"] is not None and r["status"] >= 500]
    not_json = [r for r in results if r["status"] is not None and r["status"] >= 400 and not r["json"]]
    unanswered = [r for r in results if r["status"] is None]
    still_open = [r for r in results if not r["closed"]]
    slow = [r["seconds"] for r in results if r["case"].startswith("slow") and r["closed"]]
    stats = {
        "connections": len(results),
        "by_status": by_status,
        "server_errors": len(server_errors),
        "error_answers_not_json": len(not_json),
        "unanswered": len(unanswered),
        "still_open_after_limit": len(still_open),
        "close_seconds_max": max(durations) if durations else None,
        "close_seconds_median": round(statistics.median(durations), 3) if durations else None,
        "slow_close_seconds_max": max(slow) if slow else None,
        "slow_close_seconds_median": round(statistics.median(slow), 3) if slow else None,
        "healthy_after": healthy,
        "wall_seconds": round(time.monotonic() - started, 1),
        "by_case": {},
    }
    for result in results:
        case = stats["by_case"].setdefault(result["case"], {})
        key = str(result["status"])
        case[key] = case.get(key, 0) + 1
    with open(arguments.stats_file, "w") as f:
        json.dump(stats, f, indent=1)
    print(
        f"raw socket: {stats['connections']} connections, by status {by_status}, {len(server_errors)} 5xx, "
        f"{len(not_json)} error answers without JSON, {len(still_open)} still open after {arguments.limit:g}s; "
        f"closed after median {stats['close_seconds_median']}s, max {stats['close_seconds_max']}s "
        f"(1 byte/s clients: median {stats['slow_close_seconds_median']}s, max {stats['slow_close_seconds_max']}s)"
    )
    for result in server_errors + not_json + still_open:
        print(f"raw socket: problem: {result}", file=sys.stderr)
    return 0 if not (server_errors or not_json or still_open) and healthy else 1


if __name__ == "__main__":
    sys.exit(main())
