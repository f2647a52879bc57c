"""Durability: kill -9 while kiosks are issuing, restart on the same database, and check that nothing
acknowledged was lost, that keys still replay, and that numbering stays distinct and gapless."""

from __future__ import annotations

import concurrent.futures
import threading
import time
import uuid
from dataclasses import dataclass, field

import grpc

from motcua_harness import HOME_BRANCH, expected_numbers

N_CALLERS = 8
ACKED_BEFORE_KILL = 150
N_AFTER_RESTART = 50
KILL_WAIT_TIMEOUT = 60.0


@dataclass
class Ledger:
    """What the kiosks know: every request sent, the replies received, the calls that failed."""

    requests: dict = field(default_factory=dict)  # key → IssueTicketRequest
    acked: dict = field(default_factory=dict)  # key → Ticket
    failed: dict = field(default_factory=dict)  # key → (StatusCode, monotonic time)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self, request) -> None:
        with self.lock:
            self.requests[request.idempotency_key] = request

    def ack(self, key: str, ticket) -> None:
        with self.lock:
            self.acked[key] = ticket

    def fail(self, key: str, code) -> None:
        with self.lock:
            self.failed[key] = (code, time.monotonic())

    def acked_count(self) -> int:
        with self.lock:
            return len(self.acked)


def issue_until_failure(client, token: str, service_id: str, ledger: Ledger) -> None:
    """One kiosk: issue with fresh keys until a call fails (the server is killed), no retries."""
    while True:
        request = client.issue_request(HOME_BRANCH, service_id, f"crash-{uuid.uuid4()}")
        ledger.sent(request)
        try:
            response = client.issue(token, request)
        except grpc.RpcError as err:
            ledger.fail(request.idempotency_key, err.code())
            return
        ledger.ack(request.idempotency_key, response.ticket)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f}s waiting for {what}"
        time.sleep(0.005)


def test_acknowledged_tickets_survive_kill_9(pb, start_server, make_client):
    server = start_server("crash")
    client = make_client(server)
    service = sorted(client.list_services(HOME_BRANCH), key=lambda s: s.service_id)[0]
    token = server.token("kiosk", branch=HOME_BRANCH)

    # Phase 1: 8 kiosks issue; kill -9 mid-flight once ≥150 replies have arrived.
    ledger = Ledger()
    with concurrent.futures.ThreadPoolExecutor(N_CALLERS, thread_name_prefix="kiosk") as pool:
        kiosks = [pool.submit(issue_until_failure, client, token, service.service_id, ledger)
                  for _ in range(N_CALLERS)]
        try:
            wait_for(lambda: ledger.acked_count() >= ACKED_BEFORE_KILL or any(k.done() for k in kiosks),
                     KILL_WAIT_TIMEOUT, f"{ACKED_BEFORE_KILL} acknowledged tickets")
        finally:
            killed_at = time.monotonic()
            server.kill9()
        done, pending = concurrent.futures.wait(kiosks, timeout=30)
        assert not pending, "kiosk threads still blocked 30 s after the kill"
        for kiosk in done:
            kiosk.result()

    assert len(ledger.acked) >= ACKED_BEFORE_KILL, f"only {len(ledger.acked)} acknowledged before a kiosk failed"
    early = {k: code for k, (code, at) in ledger.failed.items() if at < killed_at}
    assert not early, f"IssueTicket failed before the kill: {sorted(c.name for c in early.values())}"

    # Phase 2: same database, new process.
    server.restart()
    client = make_client(server)

    for key, ticket in ledger.acked.items():
        now = client.track(ticket.ticket_id, ticket.tracking_code)
        assert (now.ticket_id, now.number) == (ticket.ticket_id, ticket.number), f"acknowledged {ticket.number} changed"
        assert now.state == pb.common.TICKET_STATE_WAITING, f"acknowledged {ticket.number} is in state {now.state}"

        replay = client.issue(token, ledger.requests[key])
        assert replay.replayed, f"re-sending the key of acknowledged {ticket.number} was not a replay"
        assert (replay.ticket.ticket_id, replay.ticket.number) == (ticket.ticket_id, ticket.number), \
            f"re-sending the key of {ticket.number} returned {replay.ticket.number}"

    recovered = {key: client.issue(token, ledger.requests[key]) for key in ledger.failed}
    committed_before_kill = sum(r.replayed for r in recovered.values())

    after = [client.issue(token, client.issue_request(HOME_BRANCH, service.service_id, f"after-{uuid.uuid4()}"))
             for _ in range(N_AFTER_RESTART)]
    assert not any(r.replayed for r in after), "a fresh key was answered as a replay"

    # Numbering across both runs.
    tickets = list(ledger.acked.values()) + [r.ticket for r in recovered.values()] + [r.ticket for r in after]
    assert len({t.ticket_id for t in tickets}) == len(tickets), "a ticket id was handed out twice"
    numbers = [t.number for t in tickets]
    assert len(set(numbers)) == len(numbers), "a number was handed out twice across the restart"
    expected = expected_numbers(service.prefix, len(tickets))
    assert set(numbers) == expected, (f"numbering is not {service.prefix}001..{len(tickets):03d}: "
                                      f"missing {sorted(expected - set(numbers))[:10]}, "
                                      f"unexpected {sorted(set(numbers) - expected)[:10]}")
    print(f"\ncrash: {len(ledger.acked)} acknowledged, {len(ledger.failed)} in flight at the kill "
          f"({committed_before_kill} had been committed), {len(tickets)} tickets in all")


def test_graceful_stop_and_restart_keeps_tickets_and_numbering(pb, start_server, make_client):
    server = start_server("graceful")
    client = make_client(server)
    service = sorted(client.list_services(HOME_BRANCH), key=lambda s: s.service_id)[-1]
    token = server.token("kiosk", branch=HOME_BRANCH)

    def new_request():
        return client.issue_request(HOME_BRANCH, service.service_id, f"graceful-{uuid.uuid4()}")

    before = [client.issue(token, new_request()).ticket for _ in range(3)]
    server.stop()  # SIGTERM; fails the test if the server does not exit within the stop timeout
    server.restart()
    client = make_client(server)

    for ticket in before:
        assert client.track(ticket.ticket_id, ticket.tracking_code).number == ticket.number
    after = client.issue(token, new_request()).ticket
    assert after.number == f"{service.prefix}004", f"numbering after a restart continued with {after.number}"
