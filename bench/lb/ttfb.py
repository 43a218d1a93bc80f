#!/usr/bin/env python3
"""bench/lb/ttfb.py: time to first token through a proxy, for bench/lb.sh.

usage: ttfb.py PORT COUNT BODY_FILE

POSTs BODY_FILE (a streaming chat completion) COUNT times, one after another on one keep-alive
connection, to http://127.0.0.1:PORT/v1/chat/completions?sse=paced (10 events 1 ms apart) and times each from the request's
first byte sent to the arrival of the first `data:` event. The whole stream is read to its
terminating chunk and must end with `data: [DONE]`. Prints one line: "p50_ms p99_ms failures".
Sequential on purpose: the added latency of a proxy hop is measured on an otherwise idle machine,
not the queueing of a saturated one (the wrk runs measure that).
"""
import socket
import sys
import time


def read_chunked(sock, buf):
    """Reads a chunked body whose headers were consumed; yields (time, chunk bytes) per chunk."""
    while True:
        while b"\r\n" not in buf:
            buf += recv(sock)
        line, buf = buf.split(b"\r\n", 1)
        size = int(line.split(b";")[0], 16)
        while len(buf) < size + 2:
            buf += recv(sock)
        chunk, buf = buf[:size], buf[size + 2:]
        yield time.perf_counter_ns(), chunk
        if size == 0:
            return


def recv(sock):
    data = sock.recv(65536)
    if not data:
        raise ConnectionError("connection closed mid-response")
    return data


def one(sock, request):
    started = time.perf_counter_ns()
    sock.sendall(request)
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += recv(sock)
    head, buf = buf.split(b"\r\n\r\n", 1)
    status = head.split(b" ", 2)[1]
    if status != b"200" or b"chunked" not in head.lower():
        raise ValueError(f"unexpected answer: {head[:200]!r}")
    first = None
    body = bytearray()
    for at, chunk in read_chunked(sock, buf):
        body += chunk
        if first is None and b"data:" in body:
            first = at
    if not body.rstrip().endswith(b"data: [DONE]"):
        raise ValueError("stream did not end with data: [DONE]")
    return (first - started) / 1e6


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    port, count, body_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    body = open(body_file, "rb").read()
    request = (f"POST /v1/chat/completions?sse=paced HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    times, failures, sock = [], 0, None
    for _ in range(count):
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port))
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            times.append(one(sock, request))
        except (OSError, ValueError) as e:
            failures += 1
            print(f"ttfb.py: {e}", file=sys.stderr)
            if sock is not None:
                sock.close()
            sock = None
    if not times:
        print("null null", failures)
        return
    print(f"{percentile(times, 0.5):.3f} {percentile(times, 0.99):.3f} {failures}")


if __name__ == "__main__":
    main()
