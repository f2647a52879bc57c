"""Wire-level conformance of `motcua serve` with a raw HTTP/2 client (Python `h2`, h2c with prior knowledge).

Each negative case has the outcome gRPC's PROTOCOL-HTTP2 (and compression.md) prescribes; see
Tests/conformance/README.md for the spec lines. After every negative case the same connection still serves a
valid call: a refused request is a stream-level answer, never a dropped connection.
"""

from __future__ import annotations

import gzip
import json
import time
import urllib.parse

import pytest

from h2_raw import RawGrpcClient, grpc_frame, padded
from motcua_harness import HOME_BRANCH, SEEDS

PREDICT_WAIT = "/motcua.v1.KioskService/PredictWait"
LIST_SERVICES = "/motcua.v1.DirectoryService/ListServices"
WATCH_BRANCH = "/motcua.v1.DisplayService/WatchBranch"
MAX_REQUEST_BYTES = 64 * 1024  # the server's request message limit
MAX_CONCURRENT_STREAMS = 100  # what the server advertises per connection

OK, DEADLINE_EXCEEDED, NOT_FOUND, RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL = 0, 4, 5, 8, 12, 13
SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_MAX_FRAME_SIZE, SETTINGS_MAX_HEADER_LIST_SIZE = 3, 5, 6

# An unknown branch id with Vietnamese letters: NOT_FOUND echoes it in grpc-message.
VIETNAMESE_BRANCH = "hn-hoàn-kiếm-không-tồn-tại"


@pytest.fixture(scope="module")
def server(start_server):
    return start_server("conformance-wire")


@pytest.fixture(scope="module")
def service_id() -> str:
    services = json.loads((SEEDS / "services.json").read_text(encoding="utf-8"))
    return services[0]["id"]


@pytest.fixture
def raw(server):
    client = RawGrpcClient("127.0.0.1", server.port)
    client.wait_for_settings()
    yield client
    client.close()


@pytest.fixture
def predict(pb, service_id):
    """A valid PredictWaitRequest for HOME_BRANCH."""
    return pb.kiosk.PredictWaitRequest(branch_id=HOME_BRANCH, service_id=service_id)


def assert_ok_reply(pb, response) -> None:
    """grpc-status 0 with exactly one uncompressed PredictWaitResponse carrying an estimate."""
    assert response.http_status == 200, response.describe()
    assert (response.header("content-type") or "").startswith("application/grpc"), response.describe()
    assert response.grpc_status == OK, f"expected grpc-status 0, got {response.grpc_status}: {response.describe()}"
    messages = response.messages
    assert len(messages) == 1, f"expected one response message, got {len(messages)}: {response.describe()}"
    flag, payload = messages[0]
    assert flag == 0, "the server compressed a reply the client did not ask to be compressed"
    reply = pb.kiosk.PredictWaitResponse.FromString(payload)
    assert reply.HasField("estimate") and reply.estimate.method, reply


def assert_still_serving(pb, raw, predict) -> None:
    """The connection survived the previous case: a valid call on it answers OK."""
    assert not raw.closed, f"the server closed the connection: {raw.closed}"
    assert_ok_reply(pb, raw.call(PREDICT_WAIT, grpc_frame(predict)))


def expect_status(response, code: int) -> None:
    assert response.grpc_status == code, (
        f"expected grpc-status {code}, got {response.grpc_status} "
        f"(grpc-message {response.grpc_message_raw!r}, :status {response.http_status}, "
        f"RST_STREAM {response.reset}): {response.describe()}")
    assert response.http_status == 200, f"a gRPC status travels with :status 200: {response.describe()}"


# --------------------------------------------------------------------------------------------------------------
# The connection and a valid call


def test_server_settings_make_the_limits_explicit(raw):
    settings = raw.server_settings
    assert settings.get(SETTINGS_MAX_CONCURRENT_STREAMS) == MAX_CONCURRENT_STREAMS, settings
    assert settings.get(SETTINGS_MAX_HEADER_LIST_SIZE, 0) > 0, f"no SETTINGS_MAX_HEADER_LIST_SIZE: {settings}"


@pytest.mark.parametrize("content_type", ["application/grpc", "application/grpc+proto"])
def test_valid_unary_call(pb, raw, predict, content_type):
    response = raw.call(PREDICT_WAIT, grpc_frame(predict), content_type=content_type)
    assert_ok_reply(pb, response)
    assert response.trailers is not None and not response.trailers_only, "an OK reply has headers, data, trailers"


def test_request_split_across_data_frames(pb, raw, predict):
    body = grpc_frame(predict)
    assert len(body) > 8
    frames = [body[i:i + 1] for i in range(5)] + [body[5:7], body[7:]]  # the prefix 1 byte per frame
    assert_ok_reply(pb, raw.call(PREDICT_WAIT, frames=frames))


def test_empty_end_stream_frame_after_the_message(pb, raw, predict):
    response = raw.open_stream(PREDICT_WAIT)
    raw.send_frames(response, [grpc_frame(predict)], end_stream=False)
    raw.end_stream(response)  # END_STREAM on an empty DATA frame of its own
    raw.wait([response])
    assert_ok_reply(pb, response)


def test_largest_request_split_across_max_size_frames(pb, raw, predict):
    max_frame = raw.conn.max_outbound_frame_size
    body = grpc_frame(padded(predict, MAX_REQUEST_BYTES))  # exactly the limit: allowed
    assert len(body) > 3 * max_frame
    assert_ok_reply(pb, raw.call(PREDICT_WAIT, body))


# --------------------------------------------------------------------------------------------------------------
# Negative cases, each with its expected status


def test_bad_content_type_is_415(pb, raw, predict):
    response = raw.call(PREDICT_WAIT, grpc_frame(predict), content_type="text/plain")
    assert response.http_status == 415, f"expected :status 415, got {response.http_status}: {response.describe()}"
    assert_still_serving(pb, raw, predict)


@pytest.mark.parametrize("path", ["/motcua.v1.KioskService/Nope", "/motcua.v1.NoSuchService/PredictWait"])
def test_unknown_method_is_unimplemented_trailers_only(pb, raw, predict, path):
    response = raw.call(path, grpc_frame(predict))
    expect_status(response, UNIMPLEMENTED)
    assert response.trailers_only, f"expected a Trailers-Only response: {response.describe()}"
    assert (response.grpc_message or "").strip(), "UNIMPLEMENTED without a grpc-message"
    assert_still_serving(pb, raw, predict)


def test_oversized_message_is_resource_exhausted(pb, raw, predict):
    response = raw.call(PREDICT_WAIT, grpc_frame(padded(predict, MAX_REQUEST_BYTES + 1)))
    expect_status(response, RESOURCE_EXHAUSTED)
    assert_still_serving(pb, raw, predict)


def test_oversized_length_prefix_alone_is_resource_exhausted(pb, raw, predict):
    # Only the prefix is sent (the stream stays open): the length alone is enough to refuse the message.
    response = raw.open_stream(PREDICT_WAIT)
    raw.send_frames(response, [grpc_frame(b"", declared_length=MAX_REQUEST_BYTES + 1)], end_stream=False)
    raw.wait([response])
    expect_status(response, RESOURCE_EXHAUSTED)
    assert_still_serving(pb, raw, predict)


def test_compressed_message_with_unsupported_encoding_is_unimplemented(pb, raw, predict):
    body = grpc_frame(gzip.compress(predict.SerializeToString()), compressed=True)
    response = raw.call(PREDICT_WAIT, body, extra=[("grpc-encoding", "gzip")])
    expect_status(response, UNIMPLEMENTED)
    accepted = response.anywhere("grpc-accept-encoding")
    assert accepted is not None, f"no grpc-accept-encoding in the response: {response.describe()}"
    assert "gzip" not in [e.strip() for e in accepted.split(",")], f"gzip refused but advertised: {accepted}"
    assert_still_serving(pb, raw, predict)


def test_compressed_flag_without_encoding_is_internal(pb, raw, predict):
    # compression.md: a compressed message with no grpc-encoding (identity) fails with INTERNAL.
    response = raw.call(PREDICT_WAIT, grpc_frame(predict, compressed=True))
    expect_status(response, INTERNAL)
    assert_still_serving(pb, raw, predict)


def test_expired_deadline_is_deadline_exceeded(pb, raw, predict):
    response = raw.call(PREDICT_WAIT, grpc_frame(predict), extra=[("grpc-timeout", "1n")])
    expect_status(response, DEADLINE_EXCEEDED)
    assert not response.messages, "a call past its deadline answered a message"
    assert_still_serving(pb, raw, predict)


def test_generous_deadline_is_honoured(pb, raw, predict):
    assert_ok_reply(pb, raw.call(PREDICT_WAIT, grpc_frame(predict), extra=[("grpc-timeout", "30S")]))


def test_two_requests_for_a_unary_method_are_refused(pb, raw, predict):
    response = raw.call(PREDICT_WAIT, grpc_frame(predict) + grpc_frame(predict))  # one DATA frame
    expect_status(response, INTERNAL)
    assert not response.messages, "a unary call answered despite two request messages"
    assert_still_serving(pb, raw, predict)


def test_truncated_message_is_refused(pb, raw, predict):
    body = grpc_frame(predict)
    response = raw.call(PREDICT_WAIT, body[:-3])  # END_STREAM inside the message
    assert response.grpc_status not in (None, OK), f"a torn request answered OK: {response.describe()}"
    assert_still_serving(pb, raw, predict)


def test_grpc_message_is_percent_encoded_utf8(pb, raw, predict):
    request = pb.directory.ListServicesRequest(branch_id=VIETNAMESE_BRANCH)
    response = raw.call(LIST_SERVICES, grpc_frame(request))
    expect_status(response, NOT_FOUND)
    raw_values = [v for k, v in response.raw_headers if k == b"grpc-message"]
    assert raw_values, f"NOT_FOUND without grpc-message: {response.describe()}"
    encoded = raw_values[0]
    assert all(0x20 <= b <= 0x7E for b in encoded), f"grpc-message is not ASCII percent-encoding: {encoded!r}"
    assert b"%" in encoded, f"non-ASCII text sent without percent-encoding: {encoded!r}"
    assert VIETNAMESE_BRANCH in urllib.parse.unquote(encoded.decode("ascii"), errors="strict"), encoded


# --------------------------------------------------------------------------------------------------------------
# Streams


def test_watch_branch_reset_by_the_client_leaves_the_connection_serving(pb, raw, predict):
    request = pb.display.WatchBranchRequest(branch_id=HOME_BRANCH)
    streams = []
    for _ in range(20):
        stream = raw.open_stream(WATCH_BRANCH)
        raw.send_frames(stream, [grpc_frame(request)])
        streams.append(stream)
    for stream in streams:
        wait_for_first_message(raw, stream)
        snapshot = pb.display.WatchBranchResponse.FromString(stream.messages[0][1])
        assert snapshot.WhichOneof("payload") == "snapshot" and snapshot.snapshot.branch_id == HOME_BRANCH
        raw.reset_stream(stream)  # RST_STREAM CANCEL
    assert raw.ping(), "no PING ACK after resetting streams"
    assert_still_serving(pb, raw, predict)


def wait_for_first_message(raw, stream, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        data = stream.data
        if len(data) >= 5 and len(data) >= 5 + int.from_bytes(data[1:5], "big"):
            return
        assert not stream.done, f"the stream ended before its first message: {stream.describe()}"
        assert time.monotonic() < deadline, f"no first message within {timeout:.0f}s: {stream.describe()}"
        raw.pump()


def test_streams_up_to_the_advertised_limit_all_open(pb, raw):
    request = pb.display.WatchBranchRequest(branch_id=HOME_BRANCH)
    streams = []
    for _ in range(MAX_CONCURRENT_STREAMS):
        stream = raw.open_stream(WATCH_BRANCH)
        raw.send_frames(stream, [grpc_frame(request)])
        streams.append(stream)
    for stream in streams:
        wait_for_first_message(raw, stream, timeout=30.0)
        assert stream.reset is None, stream.describe()
    for stream in streams:
        raw.reset_stream(stream)
    assert raw.ping(), "no PING ACK after 100 streams"
