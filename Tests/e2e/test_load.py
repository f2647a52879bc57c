"""Acceptance under load: 500 tickets at hn-hoan-kiem for one service, issued by 20 concurrent kiosks that
retry with the same idempotency key, served by 4 counters calling and completing concurrently, while a
display board watches the branch.

The scenario runs once (module fixture `run`); each test checks one property of its outcome.
"""

from __future__ import annotations

import collections
import concurrent.futures
import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest

from motcua_harness import (
    HOME_BRANCH,
    Client,
    counters_for_service,
    expected_numbers,
    retry_transient,
    service_with_most_counters,
    stream_events,
)

N_TICKETS = 500
N_CALLERS = 20
N_COUNTERS = 4
REPLAY_SHARE = 0.20  # requests re-sent after their reply arrived
N_CONCURRENT_RETRIES = 10  # requests sent twice at the same moment
SEED = 20250101

PHASE_TIMEOUT = 90.0  # issuing, and serving, each
STREAM_DEADLINE = 150.0
COUNTER_POLL = 0.01


@dataclass
class IssuePlan:
    """One logical kiosk request and every reply received for it (original, retries, replays)."""

    request: object
    replay_after_reply: bool = False
    concurrent_retry: bool = False
    responses: list = field(default_factory=list)
    transient_retries: int = 0

    @property
    def key(self) -> str:
        return self.request.idempotency_key

    @property
    def ticket(self):
        return self.responses[0].ticket


@dataclass
class LoadRun:
    client: Client
    service: object
    counter_ids: list
    plans: list
    calls: list  # (counter_id, Ticket) for every ticket a CallNext returned
    stream: list  # WatchBranchResponse messages, from the subscription made before issuing

    @property
    def tickets(self) -> list:
        return [plan.ticket for plan in self.plans]

    @property
    def service_events(self) -> list:
        return [e for e in stream_events(self.stream) if e.service_id == self.service.service_id]

    def events_of_kind(self, kind: int) -> list:
        return [e for e in self.service_events if e.kind == kind]


# --------------------------------------------------------------------------------------------------------------
# The scenario


def make_plans(client: Client, service_id: str) -> list[IssuePlan]:
    rng = random.Random(SEED)
    plans = [IssuePlan(client.issue_request(HOME_BRANCH, service_id, f"load-{i:03d}-{uuid.uuid4()}"))
             for i in range(N_TICKETS)]
    chosen = rng.sample(range(N_TICKETS), int(N_TICKETS * REPLAY_SHARE) + N_CONCURRENT_RETRIES)
    for i in chosen[:N_CONCURRENT_RETRIES]:
        plans[i].concurrent_retry = True
    for i in chosen[N_CONCURRENT_RETRIES:]:
        plans[i].replay_after_reply = True
    return plans


def send_plan(client: Client, token: str, plan: IssuePlan, barrier: threading.Barrier | None) -> None:
    if barrier is not None:  # the original and its duplicate leave together
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
    response, retries = retry_transient(lambda: client.issue(token, plan.request))
    plan.responses.append(response)
    plan.transient_retries += retries
    if plan.replay_after_reply:
        replay, retries = retry_transient(lambda: client.issue(token, plan.request))
        plan.responses.append(replay)
        plan.transient_retries += retries


def issue_all(client: Client, token: str, plans: list[IssuePlan]) -> None:
    jobs = []
    for plan in plans:
        if plan.concurrent_retry:
            barrier = threading.Barrier(2, timeout=10)
            jobs += [(plan, barrier), (plan, barrier)]  # adjacent, so both get a worker at once
        else:
            jobs.append((plan, None))
    with concurrent.futures.ThreadPoolExecutor(N_CALLERS, thread_name_prefix="kiosk") as pool:
        futures = [pool.submit(send_plan, client, token, plan, barrier) for plan, barrier in jobs]
        done, pending = concurrent.futures.wait(futures, timeout=PHASE_TIMEOUT)
        assert not pending, f"{len(pending)} IssueTicket jobs still running after {PHASE_TIMEOUT:.0f}s"
        for future in done:
            future.result()  # re-raise any RpcError


def serve_until_drained(client: Client, pb, token: str, counter_id: str, issuing_done: threading.Event,
                        deadline: float) -> list:
    """CallNext → Complete until nobody waits once issuing has finished. Returns the tickets called."""
    called = []
    while True:
        assert time.monotonic() < deadline, f"counter {counter_id} still serving at its deadline"
        issuing_was_done = issuing_done.is_set()  # read before the call: an empty reply after it is final
        key = f"{counter_id}-{uuid.uuid4()}"
        response, _ = retry_transient(lambda: client.call_next(token, counter_id, key))
        if not response.HasField("ticket"):
            if issuing_was_done:
                return called
            time.sleep(COUNTER_POLL)
            continue
        ticket = response.ticket
        assert ticket.state == pb.common.TICKET_STATE_CALLED, f"CallNext returned {ticket.number} in state {ticket.state}"
        assert ticket.counter_id == counter_id, f"{ticket.number} called by {counter_id} names {ticket.counter_id!r}"
        called.append(ticket)
        completed = client.complete(token, ticket.ticket_id, counter_id)
        assert completed.state == pb.common.TICKET_STATE_DONE, f"Complete left {ticket.number} in state {completed.state}"


@pytest.fixture(scope="module")
def run(pb, start_server, make_client) -> LoadRun:
    server = start_server("load")
    client = make_client(server)
    service = service_with_most_counters(client, HOME_BRANCH)
    counters = counters_for_service(client, HOME_BRANCH, service.service_id, N_COUNTERS)
    kiosk_token = server.token("kiosk", branch=HOME_BRANCH)
    counter_tokens = {c.counter_id: server.token("counter", branch=HOME_BRANCH, counter=c.counter_id)
                      for c in counters}

    watcher = client.watch(HOME_BRANCH, deadline=STREAM_DEADLINE)
    try:
        watcher.wait_until(lambda msgs: len(msgs) >= 1, timeout=10, what="the first message (snapshot)")
        # The branch manager assigns all four counters to the service (a counter's own token may open it only
        # for the services it is set up for, and the busiest service is set up on fewer than four).
        manager_token = server.token("manager", branch=HOME_BRANCH)
        for counter_id in counter_tokens:
            opened = client.open_counter(manager_token, counter_id, [service.service_id])
            assert opened.open and list(opened.service_ids) == [service.service_id], opened

        plans = make_plans(client, service.service_id)
        issuing_done = threading.Event()
        deadline = time.monotonic() + 2 * PHASE_TIMEOUT
        with concurrent.futures.ThreadPoolExecutor(N_COUNTERS, thread_name_prefix="counter") as pool:
            servers = {cid: pool.submit(serve_until_drained, client, pb, token, cid, issuing_done, deadline)
                       for cid, token in counter_tokens.items()}
            try:
                issue_all(client, kiosk_token, plans)
            finally:
                issuing_done.set()
            calls = [(cid, ticket) for cid, future in servers.items()
                     for ticket in future.result(timeout=2 * PHASE_TIMEOUT)]

        completed = pb.display.BRANCH_EVENT_KIND_COMPLETED
        watcher.wait_until(
            lambda msgs: sum(e.kind == completed and e.service_id == service.service_id
                             for e in stream_events(msgs)) >= N_TICKETS,
            timeout=30, what=f"{N_TICKETS} COMPLETED events")
        time.sleep(0.5)  # let any (wrong) extra events arrive so the counts below would see them
        stream = watcher.messages()
    finally:
        watcher.close()

    retries = sum(p.transient_retries for p in plans)
    per_counter = collections.Counter(cid for cid, _ in calls)
    print(f"\nload: service {service.service_id} ({service.prefix}), counters {dict(per_counter)}, "
          f"{sum(len(p.responses) for p in plans)} IssueTicket replies, {retries} transient retries, "
          f"{len(stream)} stream messages")
    return LoadRun(client, service, list(counter_tokens), plans, calls, stream)


# --------------------------------------------------------------------------------------------------------------
# Issuing


def test_retries_return_the_same_ticket(run):
    for plan in run.plans:
        first = plan.responses[0].ticket
        for response in plan.responses[1:]:
            assert (response.ticket.ticket_id, response.ticket.number) == (first.ticket_id, first.number), \
                f"key {plan.key}: a retry returned {response.ticket.number}, the first reply {first.number}"
        originals = [r for r in plan.responses if not r.replayed]
        if plan.transient_retries == 0:
            assert len(originals) == 1, f"key {plan.key}: {len(originals)} of {len(plan.responses)} replies " \
                                        f"claim to have issued the ticket (replayed = false)"
        else:
            assert len(originals) <= 1, f"key {plan.key}: several replies claim to have issued the ticket"


def test_replays_after_a_reply_are_marked_replayed(run):
    replayed = [p for p in run.plans if p.replay_after_reply]
    assert len(replayed) == int(N_TICKETS * REPLAY_SHARE)
    for plan in replayed:
        assert plan.responses[-1].replayed, f"key {plan.key}: the re-sent request was not marked replayed"


def test_concurrent_duplicates_got_one_ticket(run):
    pairs = [p for p in run.plans if p.concurrent_retry]
    assert len(pairs) == N_CONCURRENT_RETRIES
    for plan in pairs:
        assert len(plan.responses) == 2
        assert len({r.ticket.ticket_id for r in plan.responses}) == 1, f"key {plan.key} issued two tickets"
        assert sum(r.replayed for r in plan.responses) >= 1, f"key {plan.key}: neither reply says replayed"


def test_500_distinct_tickets_numbered_gaplessly(run):
    tickets = run.tickets
    assert len({t.ticket_id for t in tickets}) == N_TICKETS, "ticket ids are not distinct"
    numbers = [t.number for t in tickets]
    assert len(set(numbers)) == N_TICKETS, "ticket numbers are not distinct"
    expected = expected_numbers(run.service.prefix, N_TICKETS)
    assert set(numbers) == expected, (f"numbers are not {run.service.prefix}001..{N_TICKETS:03d}: "
                                      f"missing {sorted(expected - set(numbers))[:10]}, "
                                      f"unexpected {sorted(set(numbers) - expected)[:10]}")
    for t in tickets:
        assert (t.branch_id, t.service_id) == (HOME_BRANCH, run.service.service_id), t
        assert t.tracking_code, f"{t.number} has no tracking code"


# --------------------------------------------------------------------------------------------------------------
# Serving


def test_every_ticket_called_exactly_once(run):
    calls_per_ticket = collections.Counter(ticket.ticket_id for _, ticket in run.calls)
    twice = [tid for tid, n in calls_per_ticket.items() if n > 1]
    assert not twice, f"{len(twice)} tickets were called more than once (by several counters or twice)"
    issued_ids = {t.ticket_id for t in run.tickets}
    assert set(calls_per_ticket) == issued_ids, (f"{len(issued_ids - set(calls_per_ticket))} tickets never called, "
                                                 f"{len(set(calls_per_ticket) - issued_ids)} unknown tickets called")


def test_every_ticket_is_done(run, pb):
    with concurrent.futures.ThreadPoolExecutor(N_CALLERS) as pool:
        tracked = list(pool.map(lambda t: run.client.track(t.ticket_id, t.tracking_code), run.tickets,
                                timeout=PHASE_TIMEOUT))
    for issued, now in zip(run.tickets, tracked):
        assert (now.ticket_id, now.number) == (issued.ticket_id, issued.number)
        assert now.state == pb.common.TICKET_STATE_DONE, f"{issued.number} is in state {now.state}, not DONE"


def test_nobody_waits_at_the_end(run):
    (info,) = [s for s in run.client.list_services(HOME_BRANCH) if s.service_id == run.service.service_id]
    assert info.people_waiting == 0, f"ListServices still shows {info.people_waiting} waiting"
    with run.client.watch(HOME_BRANCH, deadline=30) as fresh:
        (snapshot_message,) = fresh.wait_until(lambda msgs: len(msgs) >= 1, timeout=10, what="a snapshot")[:1]
    assert snapshot_message.WhichOneof("payload") == "snapshot"
    queues = [q for q in snapshot_message.snapshot.queues if q.service_id == run.service.service_id]
    assert queues and queues[0].waiting == 0, f"fresh snapshot queue for the service: {queues}"


# --------------------------------------------------------------------------------------------------------------
# Display stream


def test_stream_starts_with_a_snapshot_then_gapless_events(run):
    first, rest = run.stream[0], run.stream[1:]
    assert first.WhichOneof("payload") == "snapshot", "the first WatchBranch message is not a snapshot"
    assert first.snapshot.branch_id == HOME_BRANCH
    assert all(m.WhichOneof("payload") == "event" for m in rest), "a second snapshot arrived mid-stream"
    sequences = [m.event.sequence for m in rest]
    start = first.snapshot.sequence + 1
    assert sequences == list(range(start, start + len(sequences))), \
        f"event sequences are not snapshot.sequence+1, +2, … without gaps: {first_gap(sequences, start)}"


def test_stream_has_one_issued_called_completed_event_per_ticket(run, pb):
    kinds = pb.display
    issued_numbers = {t.number for t in run.tickets}
    for kind in (kinds.BRANCH_EVENT_KIND_ISSUED, kinds.BRANCH_EVENT_KIND_CALLED, kinds.BRANCH_EVENT_KIND_COMPLETED):
        events = run.events_of_kind(kind)
        name = kinds.BranchEventKind.Name(kind)
        assert len(events) == N_TICKETS, f"{len(events)} {name} events for the service, expected {N_TICKETS}"
        assert {e.number for e in events} == issued_numbers, f"{name} event numbers differ from the issued set"


def test_stream_events_follow_each_ticket_lifecycle(run, pb):
    kinds = pb.display
    seq = {kind: {e.number: e.sequence for e in run.events_of_kind(kind)}
           for kind in (kinds.BRANCH_EVENT_KIND_ISSUED, kinds.BRANCH_EVENT_KIND_CALLED,
                        kinds.BRANCH_EVENT_KIND_COMPLETED)}
    for number in seq[kinds.BRANCH_EVENT_KIND_ISSUED]:
        issued, called, completed = (seq[k].get(number) for k in seq)
        assert None not in (called, completed), f"{number}: CALLED@{called} COMPLETED@{completed}"
        assert issued < called < completed, f"{number}: ISSUED@{issued} CALLED@{called} COMPLETED@{completed}"

    called_by = {ticket.number: counter_id for counter_id, ticket in run.calls}
    for event in run.events_of_kind(kinds.BRANCH_EVENT_KIND_CALLED):
        assert event.counter_id == called_by[event.number], \
            f"CALLED {event.number} shows counter {event.counter_id!r}; CallNext was by {called_by[event.number]}"


def test_last_queue_length_for_the_service_is_zero(run):
    lengths = [q.waiting for e in run.service_events for q in e.queues if q.service_id == run.service.service_id]
    assert lengths, "no event carried the service's queue length"
    assert lengths[-1] == 0, f"the last event shows {lengths[-1]} waiting"


def test_reconnect_replays_missed_events_without_snapshot(run):
    events = stream_events(run.stream)
    k = events[len(events) // 2].sequence
    last = events[-1].sequence
    with run.client.watch(HOME_BRANCH, after_sequence=k, deadline=60) as resumed:
        messages = resumed.wait_until(
            lambda msgs: any(m.WhichOneof("payload") == "event" and m.event.sequence >= last for m in msgs),
            timeout=20, what=f"event {last} after resuming at {k}")
    assert all(m.WhichOneof("payload") == "event" for m in messages), \
        f"resuming after sequence {k} sent a snapshot"
    replayed = [m.event for m in messages if m.event.sequence <= last]
    assert [e.sequence for e in replayed] == list(range(k + 1, last + 1)), \
        f"resumed stream is not {k + 1}..{last} in order: {first_gap([e.sequence for e in replayed], k + 1)}"
    original = {e.sequence: (e.kind, e.number, e.service_id, e.counter_id) for e in events}
    for e in replayed:
        assert (e.kind, e.number, e.service_id, e.counter_id) == original[e.sequence], \
            f"event {e.sequence} differs between the live and the resumed stream"


def first_gap(sequences: list, start: int) -> str:
    for index, (got, want) in enumerate(zip(sequences, range(start, start + len(sequences)))):
        if got != want:
            return f"position {index}: got {got}, expected {want} (around {sequences[max(0, index - 2):index + 3]})"
    return "no gap in the common prefix"
