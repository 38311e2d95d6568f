#!/usr/bin/env python3
"""Loopback TCP -> Unix socket HTTP bridge for scripts/fuzz-api.sh.

HTTP fuzzers speak TCP, glimpsed listens only on a Unix socket. This bridge listens on 127.0.0.1 (an ephemeral
port, written to --port-file), relays each HTTP/1.1 request to the socket one at a time, and counts requests and
response status codes on its own, so the fuzz run's numbers do not depend on the fuzzer's reporting. Counts are
rewritten to --stats-file after every response; every 5xx answer and every broken exchange is logged to stderr.
"""

import argparse
import asyncio
import json
import os
import signal
import sys

MAX_HEADER_BYTES = 64 << 10


class ProtocolError(Exception):
    pass


class Stats:
    def __init__(self, path):
        self.path = path
        self.requests = 0
        self.responses = 0
        self.by_status = {}
        self.server_errors = []
        self.broken = 0

    def record(self, request_line, status):
        self.responses += 1
        self.by_status[str(status)] = self.by_status.get(str(status), 0) + 1
        if status >= 500:
            self.server_errors.append(f"{status} {request_line}")
            print(f"bridge: server error {status} for {request_line}", file=sys.stderr, flush=True)
        self.save()

    def save(self):
        data = {
            "requests": self.requests,
            "responses": self.responses,
            "by_status": self.by_status,
            "server_errors": self.server_errors[:50],
            "server_error_count": len(self.server_errors),
            "broken_exchanges": self.broken,
        }
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, self.path)


async def read_head(reader):
    """Reads a start line and headers; returns (raw bytes, start line, {lower name: value}) or None at EOF."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise ProtocolError("connection closed inside a message head")
    except asyncio.LimitOverrunError:
        raise ProtocolError("message head larger than %d bytes" % MAX_HEADER_BYTES)
    lines = raw[:-4].split(b"\r\n")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise ProtocolError("malformed header line %r" % line[:80])
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return raw, lines[0].decode("latin-1"), headers


async def relay_body(reader, writer, headers, until_close):
    """Copies one message body, framed by chunked encoding, Content-Length, or (responses only) connection close."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size_line = await reader.readuntil(b"\r\n")
            writer.write(size_line)
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while True:  # trailers, ended by an empty line
                    line = await reader.readuntil(b"\r\n")
                    writer.write(line)
                    if line == b"\r\n":
                        return
            writer.write(await reader.readexactly(size + 2))
    elif "content-length" in headers:
        remaining = int(headers["content-length"])
        while remaining > 0:
            chunk = await reader.read(min(remaining, 1 << 16))
            if not chunk:
                raise ProtocolError("connection closed inside a body")
            writer.write(chunk)
            remaining -= len(chunk)
    elif until_close:
        while chunk := await reader.read(1 << 16):
            writer.write(chunk)


async def serve_client(client_reader, client_writer, socket_path, stats):
    upstream_reader = upstream_writer = None
    request_line = "?"
    try:
        upstream_reader, upstream_writer = await asyncio.open_unix_connection(socket_path, limit=MAX_HEADER_BYTES)
        while True:
            head = await read_head(client_reader)
            if head is None:
                return
            raw, request_line, headers = head
            stats.requests += 1
            upstream_writer.write(raw)
            await relay_body(client_reader, upstream_writer, headers, until_close=False)
            await upstream_writer.drain()

            # 1xx answers (100 Continue) precede the real one.
            while True:
                response = await read_head(upstream_reader)
                if response is None:
                    raise ProtocolError("daemon closed the connection without answering")
                raw_response, status_line, response_headers = response
                status = int(status_line.split(" ")[1])
                client_writer.write(raw_response)
                if status >= 200:
                    break
            no_body = request_line.startswith("HEAD ") or status in (204, 304)
            if not no_body:
                await relay_body(upstream_reader, client_writer, response_headers, until_close=True)
            await client_writer.drain()
            stats.record(request_line, status)
            closing = "close" in response_headers.get("connection", "").lower()
            if closing or "close" in headers.get("connection", "").lower():
                return
    except (ProtocolError, ValueError, IndexError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
            ConnectionError) as error:
        stats.broken += 1
        stats.save()
        print(f"bridge: broken exchange on {request_line}: {error!r}", file=sys.stderr, flush=True)
    finally:
        for writer in (upstream_writer, client_writer):
            if writer is not None:
                writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True, help="glimpsed's Unix socket")
    parser.add_argument("--port-file", required=True, help="where to write the chosen loopback port")
    parser.add_argument("--stats-file", required=True, help="JSON counts, rewritten after every response")
    args = parser.parse_args()

    stats = Stats(args.stats_file)
    stats.save()
    server = await asyncio.start_server(
        lambda r, w: serve_client(r, w, args.socket, stats), host="127.0.0.1", port=0, limit=MAX_HEADER_BYTES)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(args.port_file + ".tmp", args.port_file)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    stats.save()


if __name__ == "__main__":
    asyncio.run(main())
