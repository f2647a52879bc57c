"""A raw gRPC-over-HTTP/2 client for wire-level conformance tests (h2c with prior knowledge, Python `h2`).

grpcio never sends a malformed request; this client does: any content-type, any `:path`, hand-made length
prefixes, the compressed flag, a message split over many DATA frames or several messages in one. It builds
request bytes from the generated message classes (`grpc_frame(message)`) and parses each response into its
header block, its messages and its trailers (`RawResponse`).

Every read has a deadline (socket timeout + an overall limit per call): a silent server fails the test with
an AssertionError, it never hangs it.
"""

from __future__ import annotations

import socket
import struct
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

DEFAULT_TIMEOUT = 10.0
POLL_SECONDS = 0.2


def grpc_frame(payload: bytes | object, *, compressed: bool = False, declared_length: int | None = None) -> bytes:
    """The gRPC length-prefixed message: 1 byte compressed flag, 4 bytes big-endian length, the payload.

    `payload` is bytes or a protobuf message (serialised). `declared_length` overrides the length written in the
    prefix (to lie about the size)."""
    body = payload if isinstance(payload, (bytes, bytearray)) else payload.SerializeToString()
    length = len(body) if declared_length is None else declared_length
    return struct.pack(">BI", 1 if compressed else 0, length) + bytes(body)


def parse_messages(data: bytes) -> list[tuple[int, bytes]]:
    """(flag, payload) of each length-prefixed message in a response body; AssertionError on a torn frame."""
    messages, offset = [], 0
    while offset < len(data):
        assert len(data) - offset >= 5, f"response body ends inside a message prefix: {data[offset:]!r}"
        flag, length = struct.unpack_from(">BI", data, offset)
        offset += 5
        assert len(data) - offset >= length, f"response message declares {length} bytes, {len(data) - offset} sent"
        messages.append((flag, data[offset:offset + length]))
        offset += length
    return messages


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else value


@dataclass
class RawResponse:
    """What came back on one stream."""

    stream_id: int
    headers: list[tuple[str, str]] | None = None  # the first (response) header block
    trailers: list[tuple[str, str]] | None = None  # a second header block, ending the stream
    raw_headers: list[tuple[bytes, bytes]] = field(default_factory=list)  # every header field as sent, in order
    data: bytes = b""
    ended: bool = False  # END_STREAM seen
    reset: int | None = None  # RST_STREAM error code from the server
    connection_error: str | None = None  # GOAWAY or the connection closed before the stream ended
    header_blocks: int = 0

    @property
    def done(self) -> bool:
        return self.ended or self.reset is not None or self.connection_error is not None

    @staticmethod
    def _get(block: list[tuple[str, str]] | None, name: str) -> str | None:
        for key, value in block or ():
            if key == name:
                return value
        return None

    def header(self, name: str) -> str | None:
        return self._get(self.headers, name)

    def trailer(self, name: str) -> str | None:
        return self._get(self.trailers, name)

    @property
    def http_status(self) -> int | None:
        value = self.header(":status")
        return int(value) if value is not None else None

    @property
    def trailers_only(self) -> bool:
        """One header block carrying grpc-status and ending the stream, no DATA (PROTOCOL-HTTP2 Trailers-Only)."""
        return (self.ended and self.header_blocks == 1 and self.trailers is None and not self.data
                and self.header("grpc-status") is not None)

    def status_block(self) -> list[tuple[str, str]] | None:
        """The block that carries grpc-status: the trailers, or the headers of a Trailers-Only response."""
        return self.trailers if self.trailers is not None else self.headers

    @property
    def grpc_status(self) -> int | None:
        value = self._get(self.status_block(), "grpc-status")
        return int(value) if value is not None else None

    @property
    def grpc_message_raw(self) -> str | None:
        return self._get(self.status_block(), "grpc-message")

    @property
    def grpc_message(self) -> str | None:
        """grpc-message percent-decoded as UTF-8 (PROTOCOL-HTTP2: Percent-Encoded)."""
        raw = self.grpc_message_raw
        return None if raw is None else urllib.parse.unquote(raw, encoding="utf-8", errors="strict")

    def anywhere(self, name: str) -> str | None:
        """A header from the headers or the trailers."""
        return self.header(name) or self.trailer(name)

    @property
    def messages(self) -> list[tuple[int, bytes]]:
        return parse_messages(self.data)

    def describe(self) -> str:
        return (f"stream {self.stream_id}: headers={self.headers} trailers={self.trailers} "
                f"data={len(self.data)} bytes ended={self.ended} reset={self.reset} "
                f"connection_error={self.connection_error}")


class RawGrpcClient:
    """One HTTP/2 connection (h2c, prior knowledge) to host:port."""

    def __init__(self, host: str, port: int, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self.authority = f"{host}:{port}"
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(POLL_SECONDS)
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        self.server_settings: dict[int, int] = {}
        self.settings_received = False
        self.closed: str | None = None  # why the connection ended, once it has
        self.responses: dict[int, RawResponse] = {}
        self._flush()

    # -- plumbing ----------------------------------------------------------------------------------------------

    def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def pump(self, wait: float = POLL_SECONDS) -> None:
        """Reads what the server sent within `wait` seconds and dispatches the events."""
        if self.closed:
            time.sleep(min(wait, POLL_SECONDS))
            return
        self.sock.settimeout(max(wait, 0.001))
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            return
        except OSError as err:
            self._connection_lost(f"socket error: {err}")
            return
        if not data:
            self._connection_lost("the server closed the connection")
            return
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as err:
            self._connection_lost(f"protocol error from the server: {err!r}")
            return
        for event in events:
            self._dispatch(event)
        self._flush()

    def _connection_lost(self, why: str) -> None:
        self.closed = self.closed or why
        for response in self.responses.values():
            if not response.done:
                response.connection_error = why

    def _dispatch(self, event) -> None:
        if isinstance(event, h2.events.RemoteSettingsChanged):
            for key, changed in event.changed_settings.items():
                self.server_settings[int(key)] = changed.new_value
            self.settings_received = True
            return
        if isinstance(event, h2.events.ConnectionTerminated):
            self._connection_lost(f"GOAWAY error_code={event.error_code} last_stream={event.last_stream_id}")
            return
        stream_id = getattr(event, "stream_id", None)
        response = self.responses.get(stream_id) if stream_id else None
        if response is None:
            return
        if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)):
            block = [(_text(k), _text(v)) for k, v in event.headers]
            response.raw_headers += [(bytes(k), bytes(v)) for k, v in event.headers]
            response.header_blocks += 1
            if isinstance(event, h2.events.ResponseReceived):
                response.headers = block
            else:
                response.trailers = block
        elif isinstance(event, h2.events.DataReceived):
            response.data += event.data
            if event.flow_controlled_length:
                self.conn.acknowledge_received_data(event.flow_controlled_length, stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            response.ended = True
        elif isinstance(event, h2.events.StreamReset):
            response.reset = int(event.error_code)

    def wait_for_settings(self) -> dict[int, int]:
        """The server's SETTINGS (its first SETTINGS frame must come at once, RFC 9113 §3.4)."""
        deadline = time.monotonic() + self.timeout
        while not self.settings_received and not self.closed and time.monotonic() < deadline:
            self.pump()
        assert self.settings_received, f"no SETTINGS from the server within {self.timeout:.0f}s ({self.closed})"
        return dict(self.server_settings)

    def wait(self, responses: Iterable[RawResponse], timeout: float | None = None) -> None:
        """Until every response is done (ended, reset or connection lost); AssertionError after the timeout."""
        responses = list(responses)
        deadline = time.monotonic() + (timeout or self.timeout)
        while not all(r.done for r in responses):
            if time.monotonic() >= deadline:
                pending = [r.describe() for r in responses if not r.done]
                raise AssertionError(f"no complete response within {timeout or self.timeout:.0f}s: {pending[:3]}")
            self.pump()

    # -- requests ----------------------------------------------------------------------------------------------

    def request_headers(self, path: str, *, content_type: str | None = "application/grpc",
                        extra: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
        headers = [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", self.authority)]
        if content_type is not None:
            headers.append(("content-type", content_type))
        headers.append(("te", "trailers"))
        headers += list(extra)
        return headers

    def open_stream(self, path: str, *, content_type: str | None = "application/grpc",
                    extra: Sequence[tuple[str, str]] = (), end_stream: bool = False) -> RawResponse:
        stream_id = self.conn.get_next_available_stream_id()
        response = RawResponse(stream_id)
        self.responses[stream_id] = response
        headers = [(k.encode(), v.encode("utf-8")) for k, v in
                   self.request_headers(path, content_type=content_type, extra=extra)]
        self.conn.send_headers(stream_id, headers, end_stream=end_stream)
        self._flush()
        return response

    def send_frames(self, response: RawResponse, frames: Sequence[bytes], *, end_stream: bool = True) -> bool:
        """Sends each element of `frames` as one DATA frame (END_STREAM on the last when end_stream), waiting for
        flow-control credit as needed. Returns False if the server ended or reset the stream first (sending
        stops there, which is allowed: the server may answer before reading the whole request)."""
        stream_id = response.stream_id
        deadline = time.monotonic() + self.timeout
        frames = list(frames) or [b""]
        for index, chunk in enumerate(frames):
            last = index == len(frames) - 1
            assert len(chunk) <= self.conn.max_outbound_frame_size, (
                f"a {len(chunk)}-byte DATA frame exceeds the server's SETTINGS_MAX_FRAME_SIZE "
                f"{self.conn.max_outbound_frame_size}")
            while True:
                if response.done:
                    return False
                try:
                    window = self.conn.local_flow_control_window(stream_id)
                except h2.exceptions.StreamClosedError:
                    return False
                if window >= len(chunk):
                    break
                assert time.monotonic() < deadline, f"no flow-control credit for {len(chunk)} bytes on {stream_id}"
                self.pump()
            try:
                self.conn.send_data(stream_id, chunk, end_stream=end_stream and last)
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                return False
            self._flush()
        return True

    def end_stream(self, response: RawResponse) -> None:
        try:
            self.conn.end_stream(response.stream_id)
            self._flush()
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            pass

    def reset_stream(self, response: RawResponse, error_code: int = 8) -> None:
        """RST_STREAM (CANCEL by default)."""
        try:
            self.conn.reset_stream(response.stream_id, error_code=error_code)
            self._flush()
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            pass

    def split(self, body: bytes) -> list[bytes]:
        size = self.conn.max_outbound_frame_size
        return [body[i:i + size] for i in range(0, len(body), size)] or [b""]

    def call(self, path: str, body: bytes = b"", *, frames: Sequence[bytes] | None = None,
             content_type: str | None = "application/grpc", extra: Sequence[tuple[str, str]] = (),
             timeout: float | None = None) -> RawResponse:
        """One request: headers, then `frames` (default: `body` cut at the server's max frame size) with
        END_STREAM on the last; returns the whole response."""
        response = self.open_stream(path, content_type=content_type, extra=extra)
        self.send_frames(response, self.split(body) if frames is None else frames)
        self.wait([response], timeout)
        return response

    def ping(self) -> bool:
        """True if the server answers a PING within the timeout (the connection is alive)."""
        try:
            self.conn.ping(b"motcua!!")
            self._flush()
        except (h2.exceptions.ProtocolError, OSError):
            return False
        deadline = time.monotonic() + self.timeout
        acked = False

        original = self._dispatch

        def dispatch(event) -> None:
            nonlocal acked
            if isinstance(event, h2.events.PingAckReceived):
                acked = True
            original(event)

        self._dispatch = dispatch  # type: ignore[method-assign]
        try:
            while not acked and not self.closed and time.monotonic() < deadline:
                self.pump()
        finally:
            self._dispatch = original  # type: ignore[method-assign]
        return acked

    def close(self) -> None:
        try:
            self.conn.close_connection()
            self._flush()
        except Exception:  # noqa: BLE001 - teardown of a connection the server may already have dropped
            pass
        self.sock.close()

    def __enter__(self) -> "RawGrpcClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------------------------------------------
# Request bodies of a chosen size

PADDING_FIELD = 1000  # a field number no MotCua message uses: a proto3 parser keeps it as an unknown field


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def padded(message, total_size: int) -> bytes:
    """`message` serialised and followed by an unknown length-delimited field so that the whole is exactly
    `total_size` bytes. Proto3 parsers skip unknown fields, so the server must treat it as `message` itself."""
    body = message if isinstance(message, (bytes, bytearray)) else message.SerializeToString()
    tag = _varint((PADDING_FIELD << 3) | 2)
    for length in range(total_size, -1, -1):
        size = len(body) + len(tag) + len(_varint(length)) + length
        if size == total_size:
            return bytes(body) + tag + _varint(length) + b"p" * length
        if size < total_size:
            break
    raise ValueError(f"cannot pad a {len(body)}-byte message to exactly {total_size} bytes")
