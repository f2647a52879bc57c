"""Several `motcua serve` processes on one PostgreSQL (a real PostgreSQL 15 the test starts itself).

- Three servers: 500 tickets issued through all of them, retries re-using keys on another server, four counters
  on each of two servers calling at once, a display watcher on each server, one server killed with -9 mid-load:
  no duplicate number, no ticket called twice, every watcher sees every call in order, nothing acknowledged lost.
- The booking race through two servers: no slot over capacity (and the negative control catches overbooking).
- `pg_ctl stop -m immediate` during load, then restart: nothing acknowledged lost, the servers reconnect by
  themselves.
Each test prints its figures (tickets/s, calls/s, cross-server display latency, time to recover).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from motcua_harness import (
    Client, PostgresCluster, PostgresServer, counters_for_service, expected_numbers, percentile, separate_channel,
    service_with_most_counters, stream_events,
)
from test_booking import check_capacity, close_all, describe, portal_clients, race_for_slots, race_slots

Code = grpc.StatusCode

BRANCH = "hn-dong-da"  # 12 counters
TICKETS = 500
ISSUERS = 8
COUNTERS_PER_SERVER = 4
CALLED = 2  # BranchEventKind.BRANCH_EVENT_KIND_CALLED
KILL_AFTER = 150  # acknowledged tickets before one server is killed
RETRYABLE = frozenset({Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED})
LOAD_TIMEOUT = 240.0


@pytest.fixture(scope="module")
def cluster():
    # Not under pytest's tmp_path: as root the server runs as `postgres`, which cannot enter that directory.
    directory = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
    cluster = PostgresCluster(directory).start()
    yield cluster
    cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("pii") / "pii.key"
    path.write_bytes(os.urandom(32))
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def start_servers(cluster, key_file, tmp_path_factory, motcua_bin):
    """start_servers(name, count, *flags) → `count` servers started at once on a new database."""
    servers: list[PostgresServer] = []

    def start(name: str, count: int, *extra_args: str) -> list[PostgresServer]:
        url = cluster.new_database(name)
        group = [PostgresServer(motcua_bin, url, tmp_path_factory.mktemp(f"{name}-{i}"), key_file, extra_args)
                 for i in range(count)]
        servers.extend(group)
        # Started together: concurrent migrations and seeding of an empty database must be safe.
        errors: list[BaseException] = []

        def run(server):
            try:
                server.start()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(s,)) for s in group]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors[0]
        return group

    yield start
    for server in servers:
        server.terminate()


# --------------------------------------------------------------------------------------------------------------
# Load: issuers that retry on another server with the same key, counters that call and complete


@dataclass
class Ledger:
    """Everything the clients were told, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    tickets: dict = field(default_factory=dict)  # key → first acknowledged Ticket
    mismatched_retries: list = field(default_factory=list)  # (key, first, retry)
    calls: list = field(default_factory=list)  # (ticket_id, number, counter_id, server index)
    errors: list = field(default_factory=list)  # unexpected (code, details)
    retried: int = 0

    def acknowledged(self) -> int:
        with self.lock:
            return len(self.tickets)


def with_failover(clients: list, alive: list, start: int, call, ledger: Ledger, deadline: float):
    """call(client) on clients[start], then the next live ones in turn, until it succeeds (retryable errors only)."""
    attempt = 0
    while True:
        index = (start + attempt) % len(clients)
        attempt += 1
        if not alive[index]:
            continue
        try:
            return call(clients[index]), index
        except grpc.RpcError as err:
            if err.code() not in RETRYABLE or time.monotonic() > deadline:
                raise
            with ledger.lock:
                ledger.retried += 1
            time.sleep(min(0.5, 0.02 * attempt))


def issue_load(clients, alive, kiosk_token, service_id, keys, ledger, deadline, on_ack=None, recheck_every=5):
    """Issues one ticket per key through the clients (spread by key), every `recheck_every`-th key also through
    another server (a retry that lands elsewhere must return the same ticket)."""
    def issue(key_index: int, key: str) -> None:
        request = clients[0].issue_request(BRANCH, service_id, key)
        response, used = with_failover(clients, alive, key_index, lambda c: c.issue(kiosk_token, request), ledger,
                                       deadline)
        ticket = response.ticket
        with ledger.lock:
            ledger.tickets[key] = ticket
        if key_index % recheck_every == 0:
            again, _ = with_failover(clients, alive, used + 1, lambda c: c.issue(kiosk_token, request), ledger,
                                     deadline)
            if (again.ticket.ticket_id, again.ticket.number) != (ticket.ticket_id, ticket.number):
                with ledger.lock:
                    ledger.mismatched_retries.append((key, ticket.number, again.ticket.number))
        if on_ack:
            on_ack()

    def worker(offset: int) -> None:
        try:
            for index in range(offset, len(keys), ISSUERS):
                issue(index, keys[index])
        except grpc.RpcError as err:
            with ledger.lock:
                ledger.errors.append((err.code(), err.details()))

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(ISSUERS)]
    for thread in threads:
        thread.start()
    return threads


def counter_loop(clients: list, alive: list, home: int, token: str, counter_id: str, ledger: Ledger,
                 issuing_done: threading.Event, deadline: float, total: int) -> None:
    """A counter workstation on server `home`: call, complete, repeat; when its server dies it carries on through
    another (a retried call re-uses its key and gets the same ticket)."""
    n = 0
    idle_after_done = 0
    try:
        while time.monotonic() < deadline:
            n += 1
            key = f"{counter_id}-{n}"
            response, used = with_failover(clients, alive, home, lambda c: c.call_next(token, counter_id, key=key),
                                           ledger, deadline)
            if not response.HasField("ticket"):
                with ledger.lock:
                    finished = len(ledger.calls) >= total
                if issuing_done.is_set() and (finished or idle_after_done > 20):
                    return
                idle_after_done += issuing_done.is_set()
                time.sleep(0.1)  # an idle counter asks again shortly (workstations poll about this often)
                continue
            ticket = response.ticket
            with ledger.lock:
                ledger.calls.append((ticket.ticket_id, ticket.number, counter_id, used))
            try:
                with_failover(clients, alive, used, lambda c: c.complete(token, ticket.ticket_id, counter_id), ledger,
                              deadline)
            except grpc.RpcError as err:
                # Complete has no key: after a failover, the lost first attempt may have completed it already.
                if err.code() != Code.FAILED_PRECONDITION or not any(not a for a in alive):
                    raise
    except grpc.RpcError as err:
        with ledger.lock:
            ledger.errors.append((err.code(), f"{counter_id}: {err.details()}"))


def called_events(pb, watcher) -> list[tuple[object, float]]:
    """(event, arrival time) of every CALLED event the watcher received, in arrival order."""
    called = pb.display.BranchEventKind.Value("BRANCH_EVENT_KIND_CALLED")
    assert called == CALLED
    messages = watcher.messages()
    arrivals = watcher.arrivals[:len(messages)]
    return [(m.event, t) for m, t in zip(messages, arrivals)
            if m.WhichOneof("payload") == "event" and m.event.kind == called]


def in_order_without_gaps(events) -> bool:
    sequences = [e.sequence for e in events]
    return all(b == a + 1 for a, b in zip(sequences, sequences[1:]))


# --------------------------------------------------------------------------------------------------------------


def test_three_servers_share_numbering_calling_and_displays(pb, start_servers):
    servers = start_servers("multinode", 3)
    channels = [separate_channel(s.address) for s in servers]
    clients = [Client(pb, ch) for ch in channels]
    alive = [True, True, True]
    service = service_with_most_counters(clients[0], BRANCH)
    counters = counters_for_service(clients[0], BRANCH, service.service_id, 3 * COUNTERS_PER_SERVER)
    kiosk = servers[0].token("kiosk", branch=BRANCH)
    # Four counters on each server; server 2's carry on through the others once it is killed.
    manager = servers[0].token("manager", branch=BRANCH)
    desks = []
    for i, counter in enumerate(counters):
        index = i // COUNTERS_PER_SERVER
        token = servers[index].token("counter", branch=BRANCH, counter=counter.counter_id)
        clients[index].open_counter(manager, counter.counter_id, [service.service_id])
        desks.append((index, token, counter.counter_id))
    watchers = [client.watch(BRANCH, deadline=LOAD_TIMEOUT + 60) for client in clients]
    for watcher in watchers:
        watcher.wait_until(lambda m: any(x.WhichOneof("payload") == "snapshot" for x in m), 10, "the snapshot")

    ledger = Ledger()
    issuing_done = threading.Event()
    deadline = time.monotonic() + LOAD_TIMEOUT
    kill_now = threading.Event()

    def on_ack():
        if ledger.acknowledged() >= KILL_AFTER:
            kill_now.set()

    started = time.monotonic()
    keys = [f"multinode-{i}" for i in range(TICKETS)]
    issuers = issue_load(clients, alive, kiosk, service.service_id, keys, ledger, deadline, on_ack)
    callers = [threading.Thread(
        target=counter_loop, args=(clients, alive, index, token, counter_id, ledger, issuing_done, deadline, TICKETS),
        daemon=True) for index, token, counter_id in desks]
    for thread in callers:
        thread.start()
    assert kill_now.wait(LOAD_TIMEOUT), f"only {ledger.acknowledged()} tickets acknowledged; errors {ledger.errors[:3]}"
    alive[2] = False
    servers[2].kill9()
    # The board that watched server 2 reconnects to server 0 and resumes after the last event it showed.
    gone = time.monotonic() + 10
    while not watchers[2].finished and time.monotonic() < gone:
        time.sleep(0.01)
    assert watchers[2].finished, "the killed server's stream did not end"
    shown = watchers[2].messages()
    last_shown = max([e.sequence for e in stream_events(shown)] +
                     [m.snapshot.sequence for m in shown if m.WhichOneof("payload") == "snapshot"])
    resumed = clients[0].watch(BRANCH, after_sequence=last_shown, deadline=LOAD_TIMEOUT + 60)
    for thread in issuers:
        thread.join(max(0.0, deadline - time.monotonic()))
    issued_in = time.monotonic() - started
    issuing_done.set()
    for thread in callers:
        thread.join(max(0.0, deadline - time.monotonic()))
    called_in = time.monotonic() - started
    assert not any(t.is_alive() for t in issuers + callers), "the load did not finish in time"

    assert not ledger.errors, f"{len(ledger.errors)} calls failed: {ledger.errors[:5]}"
    assert not ledger.mismatched_retries, f"retries got another ticket: {ledger.mismatched_retries[:5]}"
    tickets = list(ledger.tickets.values())
    assert len(tickets) == TICKETS
    numbers = [t.number for t in tickets]
    assert len(set(numbers)) == TICKETS, "duplicate numbers"
    assert set(numbers) == expected_numbers(service.prefix, TICKETS), "numbering has gaps"
    called_ids = [c[0] for c in ledger.calls]
    twice = {i for i in called_ids if called_ids.count(i) > 1}
    assert not twice, f"{len(twice)} tickets called twice"
    assert set(called_ids) == {t.ticket_id for t in tickets}, "not every ticket was called"

    # Every watcher on a live server saw every call, in order; so did the board that moved from server 2 to 0.
    for index, watcher in enumerate(watchers[:2]):
        watcher.wait_until(lambda m: len([e for e in stream_events(m) if e.kind == CALLED]) >= TICKETS, 10,
                           f"all {TICKETS} calls on server {index}")
    called_before_kill = len([e for e in stream_events(watchers[2].messages()) if e.kind == CALLED])
    resumed.wait_until(lambda m: len([e for e in stream_events(m) if e.kind == CALLED]) >= TICKETS - called_before_kill,
                       10, "the remaining calls on the board that changed server")
    latencies = []
    for index, watcher in enumerate(watchers):
        events = stream_events(watcher.messages())
        assert in_order_without_gaps(events), f"server {index}'s watcher saw events out of order or with gaps"
        called = called_events(pb, watcher)
        called_numbers = [e.number for e, _ in called]
        assert len(called_numbers) == len(set(called_numbers)), f"server {index}'s board announced a ticket twice"
        if index < 2:
            assert set(called_numbers) == set(numbers), f"server {index}'s watcher missed calls"
        by_number = {c[1]: c[3] for c in ledger.calls}
        for event, arrived in called:
            if by_number.get(event.number, index) != index:  # a call made through another server
                latencies.append(arrived - (event.at.seconds + event.at.nanos / 1e9))
    moved = stream_events(watchers[2].messages()) + [e for e in stream_events(resumed.messages())
                                                     if e.sequence > last_shown]
    assert in_order_without_gaps(moved), "the board that changed server missed or repeated events"
    assert {e.number for e in moved if e.kind == CALLED} == set(numbers), "the board that changed server missed calls"
    for watcher in watchers + [resumed]:
        watcher.close()
    close_all(channels)

    assert latencies, "no cross-server deliveries measured"
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    print(f"\nmultinode: 3 servers on PostgreSQL, {TICKETS} tickets ({ledger.retried} retries, server 2 killed "
          f"after {KILL_AFTER}): issued {TICKETS / issued_in:.0f} tickets/s, called {TICKETS / called_in:.0f} calls/s "
          f"by {len(desks)} counters (4 per server); cross-server display latency (event time on the calling server → "
          f"arrival at a watcher of another server) p50 {p50:.0f} ms, p99 {p99:.0f} ms over {len(latencies)} deliveries")
    assert max(latencies) < 5.0, f"a call reached another server's board only after {max(latencies):.1f}s"


def portal_clients_on(pb, servers, per_server: int):
    """Portal clients on separate connections, alternating between the servers (contenders race through all)."""
    token = servers[0].token("portal")
    per = [portal_clients(pb, server, token, per_server) for server in servers]
    clients = [c for group in zip(*(clients for clients, _ in per)) for c in group]
    return clients, [ch for _, channels in per for ch in channels]


def test_booking_race_through_two_servers_never_overbooks(pb, start_servers, make_client):
    servers = start_servers("booking-race", 2)
    clients, channels = portal_clients_on(pb, servers, 4)
    try:
        slots = race_slots(clients[0], make_client(servers[0]), {1: 25, 3: 25})
        races = race_for_slots(clients, slots, 32)
        report = check_capacity(clients[1], races)
    finally:
        close_all(channels)
    winners = sum(len(r.winners) for r in races)
    print(f"\nbooking race through 2 servers: {len(slots)} slots × 32 clients, {winners} bookings, "
          f"{len(report.over_capacity)} over capacity")
    assert report.clean, describe(report)
    assert winners == sum(s.capacity for s in slots)


def test_negative_control_two_servers_without_the_capacity_check_overbook(pb, start_servers, make_client):
    servers = start_servers("booking-race-unsafe", 2, "--unsafe-disable-capacity-check")
    clients, channels = portal_clients_on(pb, servers, 2)
    try:
        slots = race_slots(clients[0], make_client(servers[0]), {1: 10})
        report = check_capacity(clients[0], race_for_slots(clients, slots, 16))
    finally:
        close_all(channels)
    print(f"\nnegative control: {len(report.over_capacity)}/10 slots over capacity")
    assert len(report.over_capacity) >= 1, describe(report)


def test_database_crash_during_load_loses_nothing_and_servers_reconnect(pb, cluster, start_servers):
    servers = start_servers("pg-crash", 2)
    pids = [s.proc.pid for s in servers]
    channels = [separate_channel(s.address) for s in servers]
    clients = [Client(pb, ch) for ch in channels]
    alive = [True, True]
    service = service_with_most_counters(clients[0], BRANCH)
    counter = counters_for_service(clients[0], BRANCH, service.service_id, 1)[0]
    kiosk = servers[0].token("kiosk", branch=BRANCH)
    counter_token = servers[0].token("counter", branch=BRANCH, counter=counter.counter_id)
    clients[0].open_counter(counter_token, counter.counter_id, [service.service_id])
    watcher = clients[1].watch(BRANCH, deadline=LOAD_TIMEOUT + 60)

    ledger = Ledger()
    total = 300
    crash_at = threading.Event()
    deadline = time.monotonic() + LOAD_TIMEOUT
    keys = [f"crash-{i}" for i in range(total)]
    issuers = issue_load(clients, alive, kiosk, service.service_id, keys, ledger, deadline,
                         on_ack=lambda: ledger.acknowledged() >= 100 and crash_at.set(), recheck_every=3)
    assert crash_at.wait(LOAD_TIMEOUT), f"only {ledger.acknowledged()} acknowledged; {ledger.errors[:3]}"
    cluster.crash()
    crashed_with = ledger.acknowledged()
    time.sleep(3)
    cluster.restart()
    restarted = time.monotonic()
    # Recovery: the first ticket acknowledged after the restart.
    while ledger.acknowledged() == crashed_with and time.monotonic() < deadline:
        time.sleep(0.01)
    recovered_in = time.monotonic() - restarted
    for thread in issuers:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in issuers), "issuing did not finish after the restart"
    assert not ledger.errors, f"{len(ledger.errors)} calls failed for good: {ledger.errors[:5]}"
    assert not ledger.mismatched_retries, f"retries got another ticket: {ledger.mismatched_retries[:5]}"

    # The servers were not restarted, and serve.
    assert [s.proc.pid for s in servers] == pids and all(s.running for s in servers)
    tickets = list(ledger.tickets.values())
    assert {t.number for t in tickets} == expected_numbers(service.prefix, total), "numbering has gaps or repeats"
    lost = [t.number for t in tickets if clients[1].track(t.ticket_id, t.tracking_code).number != t.number]
    assert not lost, f"acknowledged tickets lost: {lost[:5]}"

    # Calls through server 0 after the restart reach server 1's board, which kept its stream open.
    called = []
    for _ in range(5):
        response = clients[0].call_next(counter_token, counter.counter_id)
        called.append(response.ticket.number)
        clients[0].complete(counter_token, response.ticket.ticket_id, counter.counter_id)
    watcher.wait_until(lambda m: set(called) <= {e.number for e in stream_events(m) if e.kind == CALLED}, 10,
                       "the calls made after the database restart")
    assert in_order_without_gaps(stream_events(watcher.messages()))
    watcher.close()
    close_all(channels)
    print(f"\ndatabase crash: {crashed_with} tickets acknowledged before `pg_ctl stop -m immediate`, {total} after; "
          f"{ledger.retried} retries; first ticket acknowledged {recovered_in:.2f}s after PostgreSQL was back "
          f"(servers not restarted)")

