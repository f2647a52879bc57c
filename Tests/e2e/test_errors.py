"""Status codes over the wire: authentication, authorisation, validation, unknown ids, preconditions,
the anonymous rate limit, and the health service. Every error must carry a details message."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import grpc
import pytest

from motcua_harness import HOME_BRANCH, RPC_TIMEOUT, Client, Server, expect_rpc_error

Code = grpc.StatusCode

RATE = 5  # --anonymous-rate for the rate-limit server: 5 requests/s, burst 10
RAPID_CALLS = 60
BURST_REFILL_SECONDS = 2 * RATE / RATE  # an empty bucket of 2 × RATE refills in 2 s


@dataclass
class Env:
    server: Server
    client: Client
    kiosk: str  # kiosk token of HOME_BRANCH
    city_manager: str  # manager token without a branch
    service_id: str  # a service counter A is set up for; the tests issue for it
    other_service_id: str  # another service of HOME_BRANCH
    counter_a: str
    counter_b: str
    counter_tokens: dict  # counter id → its counter token
    other_branch: object  # a Branch other than HOME_BRANCH
    counter_a_open: bool = False

    def request(self, key: str | None = None, **fields):
        """An IssueTicketRequest at HOME_BRANCH for the first service, with a fresh key unless given."""
        values = dict(branch_id=HOME_BRANCH, service_id=self.service_id, idempotency_key=key or fresh_key())
        values.update(fields)
        return self.client.pb.kiosk.IssueTicketRequest(**values)

    def issue_waiting_ticket(self):
        return self.client.issue(self.kiosk, self.request()).ticket

    def open_counter_a(self) -> None:
        """Open counter A for the first service (once per module)."""
        if not self.counter_a_open:
            token = self.counter_tokens[self.counter_a]
            assert self.client.open_counter(token, self.counter_a, [self.service_id]).open
            self.counter_a_open = True


def fresh_key() -> str:
    return f"err-{uuid.uuid4()}"


@pytest.fixture(scope="module")
def env(start_server, make_client) -> Env:
    server = start_server("errors")
    client = make_client(server)
    services = sorted(s.service_id for s in client.list_services(HOME_BRANCH))
    counters = sorted(client.list_counters(HOME_BRANCH), key=lambda c: c.counter_id)
    others = [b for b in client.list_branches() if b.branch_id != HOME_BRANCH]
    assert len(services) >= 2 and len(counters) >= 2 and others, \
        "the seeds need ≥2 services and ≥2 counters at hn-hoan-kiem and another branch"
    a, b = counters[0].counter_id, counters[1].counter_id
    service_id = sorted(counters[0].service_ids)[0]
    return Env(
        server=server,
        client=client,
        kiosk=server.token("kiosk", branch=HOME_BRANCH),
        city_manager=server.token("manager"),
        service_id=service_id,
        other_service_id=next(s for s in services if s != service_id),
        counter_a=a,
        counter_b=b,
        counter_tokens={c: server.token("counter", branch=HOME_BRANCH, counter=c) for c in (a, b)},
        other_branch=sorted(others, key=lambda b: b.branch_id)[0],
    )


# --------------------------------------------------------------------------------------------------------------
# Authentication and authorisation


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-real-token", "Basic bW90Y3VhOnNlY3JldA=="],
                         ids=["no-token", "garbage-bearer", "basic-scheme"])
def test_issue_without_a_valid_token_is_unauthenticated(env, authorization):
    metadata = None if authorization is None else (("authorization", authorization),)
    expect_rpc_error(Code.UNAUTHENTICATED, env.client.kiosk.IssueTicket, env.request(),
                     metadata=metadata, timeout=RPC_TIMEOUT)


@pytest.mark.parametrize("token", [None, "not-a-real-token"], ids=["no-token", "garbage-token"])
def test_counter_without_a_valid_token_is_unauthenticated(env, token):
    expect_rpc_error(Code.UNAUTHENTICATED, env.client.call_next, token, env.counter_a)


def test_kiosk_cannot_issue_at_another_branch(env):
    other = env.other_branch.branch_id
    other_services = env.client.list_services(other)
    assert other_services, f"branch {other} lists no services"
    request = env.request(branch_id=other, service_id=other_services[0].service_id)
    expect_rpc_error(Code.PERMISSION_DENIED, env.client.issue, env.kiosk, request)


def test_kiosk_token_cannot_drive_a_counter(env):
    expect_rpc_error(Code.PERMISSION_DENIED, env.client.call_next, env.kiosk, env.counter_a)


@pytest.mark.parametrize("action", ["open", "call-next"])
def test_counter_token_cannot_act_for_another_counter(env, action):
    token_a = env.counter_tokens[env.counter_a]
    if action == "open":
        expect_rpc_error(Code.PERMISSION_DENIED, env.client.open_counter, token_a, env.counter_b, [env.service_id])
    else:
        expect_rpc_error(Code.PERMISSION_DENIED, env.client.call_next, token_a, env.counter_b)


# --------------------------------------------------------------------------------------------------------------
# Invalid arguments


@pytest.mark.parametrize("case", ["missing-key", "priority-99", "key-129-chars"])
def test_invalid_issue_requests(env, case):
    request = {
        "missing-key": lambda: env.request(idempotency_key=""),
        "priority-99": lambda: env.request(priority=99),  # an enum value the contract does not define
        "key-129-chars": lambda: env.request(key="k" * 129),
    }[case]()
    expect_rpc_error(Code.INVALID_ARGUMENT, env.client.issue, env.kiosk, request)


def test_empty_branch_id_is_invalid(env):
    # A city-wide manager may issue anywhere, so only the empty id itself can be wrong.
    expect_rpc_error(Code.INVALID_ARGUMENT, env.client.issue, env.city_manager, env.request(branch_id=""))


def test_key_of_128_chars_is_accepted(env):
    key = fresh_key().ljust(128, "k")
    assert len(key) == 128
    response = env.client.issue(env.kiosk, env.request(key=key))
    assert response.ticket.ticket_id and not response.replayed


# --------------------------------------------------------------------------------------------------------------
# Unknown ids


def test_unknown_service_is_not_found(env):
    expect_rpc_error(Code.NOT_FOUND, env.client.issue, env.kiosk, env.request(service_id="no-such-service"))


def test_unknown_branch_is_not_found(env):
    expect_rpc_error(Code.NOT_FOUND, env.client.issue, env.city_manager, env.request(branch_id="hn-no-such-branch"))


def test_predict_wait_for_unknown_service_is_not_found(env):
    expect_rpc_error(Code.NOT_FOUND, env.client.predict_wait, HOME_BRANCH, "no-such-service")


def test_unknown_ticket_is_not_found(env):
    expect_rpc_error(Code.NOT_FOUND, env.client.track, "no-such-ticket", "ABCDEF")


def test_unknown_counter_is_not_found(env):
    expect_rpc_error(Code.NOT_FOUND, env.client.open_counter, env.city_manager, "no-such-counter", [env.service_id])


# --------------------------------------------------------------------------------------------------------------
# Preconditions


@pytest.mark.parametrize("change", ["service", "priority"])
def test_same_key_with_a_different_request_is_refused(env, change):
    original = env.request()
    first = env.client.issue(env.kiosk, original)
    altered = env.client.pb.kiosk.IssueTicketRequest()
    altered.CopyFrom(original)
    if change == "service":
        altered.service_id = env.other_service_id
    else:
        altered.priority = env.client.pb.common.PRIORITY_ELDERLY
    expect_rpc_error(Code.FAILED_PRECONDITION, env.client.issue, env.kiosk, altered)

    again = env.client.issue(env.kiosk, original)  # the refusal did not disturb the key
    assert again.replayed and again.ticket.ticket_id == first.ticket.ticket_id


def test_complete_on_a_waiting_ticket_is_refused(env, pb):
    env.open_counter_a()
    ticket = env.issue_waiting_ticket()
    token = env.counter_tokens[env.counter_a]
    expect_rpc_error(Code.FAILED_PRECONDITION, env.client.complete, token, ticket.ticket_id, env.counter_a)
    assert env.client.track(ticket.ticket_id, ticket.tracking_code).state == pb.common.TICKET_STATE_WAITING


def test_call_next_while_holding_a_ticket_is_refused(env, pb):
    env.open_counter_a()
    env.issue_waiting_ticket()
    token = env.counter_tokens[env.counter_a]  # a counter token may leave counter_id empty
    held = env.client.call_next(token, "")
    assert held.HasField("ticket"), "CallNext found nobody waiting although a ticket was just issued"
    expect_rpc_error(Code.FAILED_PRECONDITION, env.client.call_next, token, "")
    assert env.client.complete(token, held.ticket.ticket_id, "").state == pb.common.TICKET_STATE_DONE


# --------------------------------------------------------------------------------------------------------------
# Health and rate limit


def test_health_is_serving(env, pb):
    assert env.client.health("") == pb.health.HealthCheckResponse.SERVING


def test_anonymous_rate_limit(start_server, make_client):
    server = start_server("rate-limited", anonymous_rate=RATE)
    client = make_client(server)
    service_id = client.list_services(HOME_BRANCH)[0].service_id
    time.sleep(BURST_REFILL_SECONDS)  # the lookup above spent a token; start from a full bucket

    started = time.monotonic()
    outcomes = []  # None for success, else the RpcError
    for _ in range(RAPID_CALLS):
        try:
            client.predict_wait(HOME_BRANCH, service_id)
            outcomes.append(None)
        except grpc.RpcError as err:
            outcomes.append(err)
    elapsed = time.monotonic() - started

    assert outcomes[:3] == [None] * 3, f"the first calls were refused: {outcomes[:3]}"
    errors = [e for e in outcomes if e is not None]
    assert errors, f"{RAPID_CALLS} PredictWait calls in {elapsed:.2f}s with --anonymous-rate {RATE}: none refused"
    assert {e.code() for e in errors} == {Code.RESOURCE_EXHAUSTED}, f"unexpected codes: {errors[:3]}"
    assert all(e.details().strip() for e in errors), "RESOURCE_EXHAUSTED without a details message"
    allowed = 2 * RATE + RATE * elapsed + 2  # burst, refill during the run, slack
    successes = outcomes.count(None)
    assert successes <= allowed, f"{successes} calls allowed in {elapsed:.2f}s; the limit allows ~{allowed:.0f}"

    time.sleep(1.0)
    client.predict_wait(HOME_BRANCH, service_id)  # the bucket refills: allowed again
