#!/usr/bin/env python3
"""Fault-injecting TCP proxy for HTTP/1.1 traffic (our S3 client <-> Ceph RGW in integration tests).

    python3 tests/support/fault_proxy.py --listen 127.0.0.1:0 --upstream 127.0.0.1:PORT \\
        --port-file FILE --control-port-file FILE2

Writes the control port to FILE2, then the proxy port to FILE (so once FILE exists both do), each
atomically. Forwards bytes unchanged while the mode is "pass". A small HTTP control interface on
127.0.0.1 (its own free port) switches modes at run time:

    POST /mode   {"mode": "pass"}
                 {"mode": "reset_after_bytes", "bytes": N, "count": K,
                  "direction": "to_client" | "to_upstream", "per": "connection" | "request"}
                     K connections are reset (RST) after N bytes forwarded in that direction
                     (default to_client). per=connection (default) picks the next K *new*
                     connections and counts from their first byte; per=request picks the next K
                     requests (to_upstream) or responses (to_client) on any connection, including
                     pooled keep-alive ones, and counts from the start of that message.
                 {"mode": "delay", "ms": M, "count": K}
                     hold each of the next K requests M ms before forwarding it
                 {"mode": "refuse", "count": K}
                     accept the next K connections and reset them at once
                 {"mode": "http_503", "count": K}
                     answer the next K requests with "503 Slow Down" and an S3 <Error> body
                     (Code SlowDown) without forwarding them; the connection stays open
                 {"mode": "http_status", "status": S, "retry_after": N, "location": L, "count": K}
                     answer the next K requests with status S (300-599) and a short text/plain
                     body, plus "Retry-After: N" (seconds) when retry_after is given and
                     "Location: L" when location is (required for a 3xx: a redirect), without
                     forwarding them; the connection stays open (429 with Retry-After: a rate
                     limit; 500, 502, 503, 404 without: what a web server says)
                 {"mode": "truncate_response", "bytes": N, "count": K, "rst": false}
                     forward the next K responses whose body is longer than N bytes, but end the
                     connection after N bytes of body (FIN; RST with "rst": true)
                 "count" omitted: every connection / request until the mode changes.
    GET  /mode   the current mode and how many faults it has left ("remaining", null = no limit)
    GET  /stats  {"connections", "active", "requests", "responses", "bytes_to_client",
                  "bytes_to_upstream", "upstream_errors", "faults": {mode: n, ...}, "mode"}
    POST /reset  mode back to pass, counters to zero
    GET  /health "ok"

Resets are real TCP RSTs (SO_LINGER 0), sent after the bytes before them have reached the peer's
socket. Requests and responses are framed minimally (request/status line, headers, Content-Length
or chunked body, HEAD/1xx/204/304 without body) so that faults can be counted per request on
keep-alive connections; anything the framer does not understand is forwarded raw. Pipelined
requests are forwarded but an injected answer (http_503, http_status) waits until earlier responses
are complete.
Standard library only.
"""

import argparse
import asyncio
import email.utils
import fcntl
import http
import itertools
import json
import os
import signal
import socket
import struct
import sys
import termios

READ_CHUNK = 64 * 1024
HEAD_LIMIT = 256 * 1024
MODES = ("pass", "reset_after_bytes", "delay", "refuse", "http_503", "http_status",
         "truncate_response")


def log(args, msg):
    if args.verbose:
        print(f"fault_proxy: {msg}", file=sys.stderr, flush=True)


class ModeError(ValueError):
    pass


class State:
    def __init__(self):
        self.reset()

    def reset(self):
        self.mode = {"mode": "pass"}
        self.remaining = None  # faults left in the current mode; None = no limit
        self.stats = {
            "connections": 0, "active": 0, "requests": 0, "responses": 0,
            "bytes_to_client": 0, "bytes_to_upstream": 0, "upstream_errors": 0,
            "faults": {m: 0 for m in MODES if m != "pass"},
        }

    def set_mode(self, spec):
        if not isinstance(spec, dict) or spec.get("mode") not in MODES:
            raise ModeError(f"mode must be one of {', '.join(MODES)}")
        name = spec["mode"]
        allowed = {
            "pass": set(),
            "reset_after_bytes": {"bytes", "count", "direction", "per"},
            "delay": {"ms", "count"},
            "refuse": {"count"},
            "http_503": {"count"},
            "http_status": {"status", "retry_after", "location", "count"},
            "truncate_response": {"bytes", "count", "rst"},
        }[name]
        unknown = set(spec) - allowed - {"mode"}
        if unknown:
            raise ModeError(f"unknown field(s) for {name}: {', '.join(sorted(unknown))}")

        def nonneg_int(key, required):
            v = spec.get(key)
            if v is None:
                if required:
                    raise ModeError(f"{name} needs \"{key}\"")
                return None
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ModeError(f"\"{key}\" must be a non-negative integer")
            return v

        mode = {"mode": name}
        if name in ("reset_after_bytes", "truncate_response"):
            mode["bytes"] = nonneg_int("bytes", True)
        if name == "delay":
            mode["ms"] = nonneg_int("ms", True)
        if name == "http_status":
            mode["status"] = nonneg_int("status", True)
            if not 300 <= mode["status"] <= 599:
                raise ModeError("\"status\" must be a redirect or an error status, 300 to 599")
            mode["retry_after"] = nonneg_int("retry_after", False)
            location = spec.get("location")
            if location is not None and (not isinstance(location, str) or not location
                                         or any(c in location for c in "\r\n")):
                raise ModeError("\"location\" must be a one-line string")
            if mode["status"] < 400 and location is None:
                raise ModeError("a 3xx status needs \"location\"")
            mode["location"] = location
        if name == "reset_after_bytes":
            mode["direction"] = spec.get("direction", "to_client")
            mode["per"] = spec.get("per", "connection")
            if mode["direction"] not in ("to_client", "to_upstream"):
                raise ModeError("\"direction\" must be \"to_client\" or \"to_upstream\"")
            if mode["per"] not in ("connection", "request"):
                raise ModeError("\"per\" must be \"connection\" or \"request\"")
        if name == "truncate_response":
            rst = spec.get("rst", False)
            if not isinstance(rst, bool):
                raise ModeError("\"rst\" must be true or false")
            mode["rst"] = rst
        count = nonneg_int("count", False) if name != "pass" else None
        self.mode = mode
        self.remaining = count

    def active(self, name, **match):
        """True if mode NAME is set (matching MATCH) and has faults left; takes none."""
        if self.mode["mode"] != name or self.remaining == 0:
            return False
        return all(self.mode.get(k) == v for k, v in match.items())

    def take(self, name, **match):
        """Consume one fault of mode NAME if it is active; True if the caller must inject it."""
        if not self.active(name, **match):
            return False
        if self.remaining is not None:
            self.remaining -= 1
        self.stats["faults"][name] += 1
        return True

    def describe(self):
        return dict(self.mode, remaining=self.remaining)


class EndConnection(Exception):
    """Ends a proxied connection; rst=True resets the client (and upstream) connection."""

    def __init__(self, why, rst):
        super().__init__(why)
        self.rst = rst


class RawMode(Exception):
    """Raised by a framer that met something it does not parse: forward the rest unchanged."""

    def __init__(self, leftover):
        super().__init__("raw")
        self.leftover = leftover


def set_linger0(writer):
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass


def reset(writer):
    """Close with a TCP RST (SO_LINGER 0) rather than a FIN."""
    if writer is None or writer.transport.is_closing():
        return
    set_linger0(writer)
    writer.transport.abort()


async def flush_fully(writer, timeout=2.0):
    """Wait until what was written has left asyncio's buffer and the kernel's send queue, so a
    reset right after does not discard bytes that the fault is meant to deliver."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        await writer.drain()
    except (ConnectionError, OSError):
        return
    sock = writer.get_extra_info("socket")
    buf = bytearray(4)
    while loop.time() < deadline and not writer.transport.is_closing():
        if writer.transport.get_write_buffer_size() == 0:
            try:
                fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, buf)
            except OSError:
                return
            if struct.unpack("i", buf)[0] == 0:
                return
        await asyncio.sleep(0.002)


def parse_head(head):
    """(start line parts, {lower-case header: value}) of an HTTP/1.x head, or None."""
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:
        return None
    lines = text.split("\r\n")
    start = lines[0].split(" ", 2)
    if len(start) < 2:
        return None
    headers = {}
    for line in lines[1:]:
        if not line:
            continue
        if ":" not in line:
            return None
        k, v = line.split(":", 1)
        k = k.strip().lower()
        v = v.strip()
        headers[k] = f"{headers[k]}, {v}" if k in headers else v
    return start, headers


def body_framing(headers):
    """("chunked", None) | ("length", n) | (None, None) when neither is given; raises RawMode
    for values it cannot trust."""
    te = headers.get("transfer-encoding")
    if te is not None:
        if te.lower().split(",")[-1].strip() == "chunked":
            return "chunked", None
        raise RawMode(b"")
    cl = headers.get("content-length")
    if cl is not None:
        try:
            n = int(cl.split(",")[0])
        except ValueError:
            raise RawMode(b"") from None
        if n < 0:
            raise RawMode(b"")
        return "length", n
    return None, None


SLOWDOWN_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
    "<Resource>{resource}</Resource><RequestId>{rid}</RequestId>"
    "<HostId>fault-proxy</HostId></Error>"
)


class Conn:
    ids = itertools.count(1)

    def __init__(self, proxy, creader, cwriter):
        self.proxy = proxy
        self.st = proxy.state
        self.id = next(Conn.ids)
        self.cr, self.cw = creader, cwriter
        self.ur = self.uw = None
        self.budget = {}           # direction -> bytes left before a reset
        self.pending = []          # methods of forwarded requests still awaiting a final response
        self.idle = asyncio.Event()
        self.idle.set()
        self.raw = False           # framing lost: forward the rest unchanged

    def log(self, msg):
        log(self.proxy.args, f"conn {self.id}: {msg}")

    # -- sending, with the byte budget of reset_after_bytes ---------------------------------
    async def send(self, direction, data):
        if not data:
            return
        writer = self.cw if direction == "to_client" else self.uw
        budget = self.budget.get(direction)
        if budget is not None and len(data) >= budget:
            writer.write(data[:budget])
            self.count_bytes(direction, budget)
            await flush_fully(writer)
            raise EndConnection(f"reset after bytes {direction}", rst=True)
        if budget is not None:
            self.budget[direction] = budget - len(data)
        writer.write(data)
        self.count_bytes(direction, len(data))
        await writer.drain()

    def count_bytes(self, direction, n):
        self.st.stats["bytes_" + direction] += n

    def arm_reset_per_request(self, direction):
        if self.st.take("reset_after_bytes", direction=direction, per="request"):
            self.budget[direction] = self.st.mode["bytes"]
            self.log(f"armed reset after {self.budget[direction]} bytes {direction}")

    # -- framing helpers ---------------------------------------------------------------------
    @staticmethod
    async def read_head(reader):
        """An HTTP head, b"" at a clean EOF; raises RawMode on a partial or oversized head."""
        try:
            return await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            if e.partial:
                raise RawMode(e.partial) from None
            return b""
        except asyncio.LimitOverrunError:
            raise RawMode(await reader.read(HEAD_LIMIT)) from None

    async def copy_length(self, reader, n, emit):
        while n > 0:
            data = await reader.read(min(READ_CHUNK, n))
            if not data:
                raise EndConnection("peer closed inside a body", rst=False)
            n -= len(data)
            await emit(data)

    async def copy_chunked(self, reader, emit):
        while True:
            try:
                line = await reader.readuntil(b"\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                raise EndConnection("bad chunked body", rst=False) from None
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise RawMode(line) from None
            await emit(line)
            if size == 0:
                while True:  # trailers, up to the empty line
                    try:
                        t = await reader.readuntil(b"\r\n")
                    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                        raise EndConnection("bad chunked trailer", rst=False) from None
                    await emit(t)
                    if t == b"\r\n":
                        return
            await self.copy_length(reader, size + 2, emit)

    async def copy_raw(self, reader, direction, leftover):
        await self.send(direction, leftover)
        while True:
            data = await reader.read(READ_CHUNK)
            if not data:
                return
            await self.send(direction, data)

    # -- client -> upstream --------------------------------------------------------------------
    async def pump_requests(self):
        try:
            while True:
                if self.raw:  # the response side lost the framing
                    raise RawMode(b"")
                head = await self.read_head(self.cr)
                if not head:
                    break
                parsed = parse_head(head)
                if parsed is None:
                    raise RawMode(head)
                (method, target, *_), headers = parsed
                version = parsed[0][2] if len(parsed[0]) > 2 else "HTTP/1.0"
                try:
                    kind, length = body_framing(headers)
                except RawMode:
                    raise RawMode(head) from None
                self.st.stats["requests"] += 1

                if self.st.take("http_503"):
                    await self.answer_503(method, target, version, headers, kind, length)
                    continue
                if self.st.take("http_status"):
                    await self.answer_status(method, target, version, headers, kind, length)
                    continue
                if self.st.take("delay"):
                    self.log(f"delaying {method} {target} by {self.st.mode['ms']} ms")
                    await asyncio.sleep(self.st.mode["ms"] / 1000)
                self.arm_reset_per_request("to_upstream")
                self.pending.append(method.upper())
                self.idle.clear()

                async def emit(data):
                    await self.send("to_upstream", data)

                await emit(head)
                if kind == "chunked":
                    await self.copy_chunked(self.cr, emit)
                elif kind == "length":
                    await self.copy_length(self.cr, length, emit)
        except RawMode as e:
            self.log("request framing lost; forwarding raw")
            self.raw = True
            await self.copy_raw(self.cr, "to_upstream", e.leftover)
        # The client closed its side: pass the half-close on and let responses drain.
        if not self.uw.transport.is_closing() and self.uw.can_write_eof():
            try:
                self.uw.write_eof()
            except OSError:
                pass

    async def answer_503(self, method, target, version, headers, kind, length):
        rid = f"fault-proxy-{self.st.stats['faults']['http_503']:06d}"
        body = SLOWDOWN_XML.format(resource=target.split("?", 1)[0], rid=rid).encode()
        await self.answer_locally(method, target, version, headers, kind, length,
                                  status_line="503 Slow Down", content_type="application/xml",
                                  extra=[("x-amz-request-id", rid)], body=body)

    async def answer_status(self, method, target, version, headers, kind, length):
        status = self.st.mode["status"]
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        extra = []
        if self.st.mode["retry_after"] is not None:
            extra.append(("Retry-After", str(self.st.mode["retry_after"])))
        if self.st.mode["location"] is not None:
            extra.append(("Location", self.st.mode["location"]))
        body = f"{status} {reason} (injected by fault_proxy)\n".encode()
        await self.answer_locally(method, target, version, headers, kind, length,
                                  status_line=f"{status} {reason}",
                                  content_type="text/plain", extra=extra, body=body)

    async def answer_locally(self, method, target, version, headers, kind, length, *,
                             status_line, content_type, extra, body):
        """Answers a request that is not forwarded. The connection stays open unless the
        client's request body cannot be skipped (chunked, or a body held back by Expect:
        100-continue) or the client asked for a close."""
        self.log(f"answering {method} {target} with {status_line}")
        close = (
            kind == "chunked"
            or (length and "100-continue" in headers.get("expect", "").lower())
            or "close" in headers.get("connection", "").lower()
            or version.upper() == "HTTP/1.0"
        )
        if not close and kind == "length" and length:
            await self.copy_length(self.cr, length, self._discard)  # keep the stream in sync
        await self.idle.wait()  # earlier (pipelined) responses go first
        lines = [
            f"HTTP/1.1 {status_line}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in extra),
            f"Date: {email.utils.formatdate(usegmt=True)}",
            "Server: fault-proxy",
            f"Connection: {'close' if close else 'keep-alive'}",
        ]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        await self.send("to_client", head + (b"" if method.upper() == "HEAD" else body))
        if close:
            raise EndConnection(f"{status_line} with Connection: close", rst=False)

    @staticmethod
    async def _discard(_data):
        return None

    # -- upstream -> client --------------------------------------------------------------------
    async def pump_responses(self):
        try:
            while True:
                if self.raw:  # the request side lost the framing
                    raise RawMode(b"")
                head = await self.read_head(self.ur)
                if not head:
                    return
                parsed = parse_head(head)
                if parsed is None:
                    raise RawMode(head)
                try:
                    status = int(parsed[0][1])
                except ValueError:
                    raise RawMode(head) from None
                headers = parsed[1]
                if status == 101:
                    raise RawMode(head)
                if 100 <= status < 200:
                    await self.send("to_client", head)
                    continue
                method = self.pending[0] if self.pending else ""
                if method == "HEAD" or status in (204, 304):
                    kind, length = "length", 0
                else:
                    try:
                        kind, length = body_framing(headers)
                    except RawMode:
                        raise RawMode(head) from None
                self.arm_reset_per_request("to_client")
                await self.send("to_client", head)
                emit = self.body_emitter(length if kind == "length" else None)
                if kind == "chunked":
                    await self.copy_chunked(self.ur, emit)
                elif kind == "length":
                    await self.copy_length(self.ur, length, emit)
                else:  # delimited by the end of the connection
                    while data := await self.ur.read(READ_CHUNK):
                        await emit(data)
                    return
                self.st.stats["responses"] += 1
                if self.pending:
                    self.pending.pop(0)
                if not self.pending:
                    self.idle.set()
        except RawMode as e:
            self.log("response framing lost; forwarding raw")
            self.raw = True
            await self.copy_raw(self.ur, "to_client", e.leftover)

    def body_emitter(self, length):
        """A function that sends body bytes to the client and cuts the connection after N of
        them if truncate_response applies to this response."""
        st = self.st
        limit = None
        if st.active("truncate_response") and (length is None or length > st.mode["bytes"]):
            limit = st.mode["bytes"]
        sent = 0

        async def emit(data):
            nonlocal sent
            if limit is not None and sent + len(data) > limit and st.take("truncate_response"):
                rst = st.mode["rst"]
                await self.send("to_client", data[: limit - sent])
                await flush_fully(self.cw)
                self.log(f"truncated response body after {limit} bytes")
                raise EndConnection("truncated response", rst=rst)
            sent += len(data)
            await self.send("to_client", data)

        return emit

    # -- lifecycle ---------------------------------------------------------------------------
    async def run(self):
        st = self.st
        st.stats["connections"] += 1
        st.stats["active"] += 1
        try:
            await self._run()
        finally:
            st.stats["active"] -= 1

    async def _run(self):
        st = self.st
        if st.take("refuse"):
            self.log("refusing (RST)")
            reset(self.cw)
            return
        if st.take("reset_after_bytes", per="connection"):
            self.budget[st.mode["direction"]] = st.mode["bytes"]
            self.log(f"will reset after {st.mode['bytes']} bytes {st.mode['direction']}")
        host, port = self.proxy.upstream
        try:
            self.ur, self.uw = await asyncio.wait_for(
                asyncio.open_connection(host, port, limit=HEAD_LIMIT),
                self.proxy.args.connect_timeout)
        except (OSError, asyncio.TimeoutError) as e:
            st.stats["upstream_errors"] += 1
            self.log(f"upstream connect failed: {e!r}")
            reset(self.cw)
            return
        for w in (self.cw, self.uw):
            sock = w.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        req = asyncio.ensure_future(self.pump_requests())
        resp = asyncio.ensure_future(self.pump_responses())
        end = None
        try:
            pending = {req, resp}
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                failed = [t for t in done if t.exception() is not None]
                if failed:
                    end = failed[0].exception()
                    break
                if resp in done:  # upstream closed: nothing more can be answered
                    break
        finally:
            for t in (req, resp):
                if not t.done():
                    t.cancel()
            await asyncio.gather(req, resp, return_exceptions=True)
        if isinstance(end, EndConnection):
            self.log(f"ending: {end}")
            if end.rst:
                reset(self.cw)
                reset(self.uw)
            else:
                reset(self.uw)
                await self.close_gracefully(self.cw, self.cr)
        elif end is not None:
            # A peer reset or failed: reset the other side too, as a plain TCP relay would.
            self.log(f"ending on error: {end!r}")
            reset(self.cw)
            reset(self.uw)
        else:
            await self.close_gracefully(self.uw)
            await self.close_gracefully(self.cw, self.cr)

    @staticmethod
    async def close_gracefully(writer, reader=None, linger=2.0):
        """FIN after the pending bytes. With READER, a lingering close: shut down our side, then
        discard what the peer still sends (say, a body it was told not to send) until it closes
        or LINGER seconds pass, so that closing does not answer those bytes with a RST that
        could destroy the response it has not read yet."""
        if writer is None or writer.transport.is_closing():
            return
        try:
            await asyncio.wait_for(writer.drain(), 5)
            if reader is not None and writer.can_write_eof():
                writer.write_eof()
                loop = asyncio.get_running_loop()
                deadline = loop.time() + linger
                while (left := deadline - loop.time()) > 0:
                    if not await asyncio.wait_for(reader.read(READ_CHUNK), left):
                        break
            writer.close()
            await asyncio.wait_for(writer.wait_closed(), 5)
        except (OSError, ConnectionError, asyncio.TimeoutError):
            writer.transport.abort()


class Proxy:
    def __init__(self, args):
        self.args = args
        self.state = State()
        host, port = args.upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.conns = set()

    async def handle(self, reader, writer):
        conn = Conn(self, reader, writer)
        task = asyncio.current_task()
        self.conns.add(task)
        try:
            await conn.run()
        except Exception as e:  # never let one connection take the proxy down
            log(self.args, f"conn {conn.id}: unexpected {e!r}")
            reset(writer)
            reset(conn.uw)
        finally:
            self.conns.discard(task)

    async def control(self, reader, writer):
        status, payload = 500, {"error": "internal"}
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            parsed = parse_head(head)
            if parsed is None:
                raise ModeError("bad request")
            (method, target, *_), headers = parsed
            body = b""
            n = int(headers.get("content-length", "0") or 0)
            if n:
                body = await asyncio.wait_for(reader.readexactly(n), 10)
            path = target.split("?", 1)[0]
            status, payload = self.route(method.upper(), path, body)
        except ModeError as e:
            status, payload = 400, {"error": str(e)}
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, ValueError):
            status, payload = 400, {"error": "bad request"}
        data = (json.dumps(payload, indent=1, sort_keys=True) + "\n").encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
        writer.write(
            f"HTTP/1.1 {status} {reason.get(status, 'Error')}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
            "Connection: close\r\n\r\n".encode() + data)
        try:
            await writer.drain()
            writer.close()
            await writer.wait_closed()
        except (OSError, ConnectionError):
            pass

    def route(self, method, path, body):
        st = self.state
        if path == "/mode" and method == "POST":
            try:
                spec = json.loads(body or b"{}")
            except ValueError:
                raise ModeError("body must be JSON") from None
            st.set_mode(spec)
            log(self.args, f"mode {st.describe()}")
            return 200, st.describe()
        if path == "/mode" and method == "GET":
            return 200, st.describe()
        if path == "/stats" and method == "GET":
            return 200, dict(st.stats, faults=dict(st.stats["faults"]), mode=st.describe())
        if path == "/reset" and method == "POST":
            active = st.stats["active"]
            st.reset()
            st.stats["active"] = active
            return 200, st.describe()
        if path == "/health" and method == "GET":
            return 200, "ok"
        if path in ("/mode", "/stats", "/reset", "/health"):
            return 405, {"error": f"{method} not allowed on {path}"}
        return 404, {"error": f"no such endpoint {path}"}


def write_atomically(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def host_port(s):
    host, _, port = s.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {s!r}")
    return s


async def main(args):
    proxy = Proxy(args)
    lhost, lport = args.listen.rsplit(":", 1)
    chost, cport = args.control_listen.rsplit(":", 1)
    server = await asyncio.start_server(proxy.handle, lhost, int(lport), limit=HEAD_LIMIT,
                                        backlog=256)
    control = await asyncio.start_server(proxy.control, chost, int(cport))
    port = server.sockets[0].getsockname()[1]
    control_port = control.sockets[0].getsockname()[1]
    if args.control_port_file:
        write_atomically(args.control_port_file, f"{control_port}\n")
    if args.port_file:
        write_atomically(args.port_file, f"{port}\n")
    log(args, f"listening on {lhost}:{port} -> {args.upstream}; control on {chost}:{control_port}")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    control.close()
    for t in list(proxy.conns):
        t.cancel()
    await asyncio.gather(*proxy.conns, return_exceptions=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", type=host_port, default="127.0.0.1:0")
    ap.add_argument("--upstream", type=host_port, required=True)
    ap.add_argument("--port-file", help="write the chosen listen port here")
    ap.add_argument("--control-listen", type=host_port, default="127.0.0.1:0")
    ap.add_argument("--control-port-file", help="write the control interface's port here")
    ap.add_argument("--connect-timeout", type=float, default=10.0,
                    help="seconds to wait for the upstream connection")
    ap.add_argument("-v", "--verbose", action="store_true", help="log faults and connections")
    try:
        asyncio.run(main(ap.parse_args()))
    except KeyboardInterrupt:
        pass
