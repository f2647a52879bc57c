"""The C load generator of the performance benchmark (Benchmarks/loadgen, issue 10) against a real server.

It is built with `make -C Benchmarks/loadgen` (a failed build fails the module). Each test runs one mode and
checks its RESULT line against what the server really holds, read back through gRPC (TrackTicket, WatchBranch
snapshots, an IssueTicket replay): `issue` makes exactly the tickets it reports, gapless, one per key;
`counter-cycle` completes exactly the tickets that were issued; `watch` sees every ticket issued during the
run on every stream; an unreachable target fails with a clear message.
"""

from __future__ import annotations

import collections
import queue
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from motcua_harness import HOME_BRANCH, REPO, Client, counters_for_service, expected_numbers

LOADGEN_DIR = REPO / "Benchmarks" / "loadgen"
LOADGEN = LOADGEN_DIR / "build" / "motcua-loadgen"
BUILD_TIMEOUT = 600.0  # the generated protobuf-c code on a busy 2-CPU machine
RUN_TIMEOUT = 60.0
READY_TIMEOUT = 20.0

ISSUE_BRANCHES = (HOME_BRANCH, "hn-ba-dinh")
CYCLE_BRANCH = "hn-tay-ho"
WATCH_BRANCH = "hn-long-bien"
ISSUE_CALLS = 300
CYCLE_TICKETS = 40
WATCH_STREAMS = 40
WATCH_TICKETS = 15
TICKET_STATE_WAITING = 1
TICKET_STATE_DONE = 4


@pytest.fixture(scope="module")
def loadgen() -> Path:
    result = subprocess.run(["nice", "make", "-C", str(LOADGEN_DIR), "-j2"], capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, f"make failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert LOADGEN.is_file(), f"make succeeded but {LOADGEN} is missing"
    return LOADGEN


@pytest.fixture(scope="module")
def server(start_server):
    return start_server("loadgen")


@pytest.fixture(scope="module")
def client(server, make_client) -> Client:
    return make_client(server)


@pytest.fixture(scope="module")
def manager_token(server) -> str:
    return server.token("manager")  # city-wide: acts for every branch and counter


def run_loadgen(binary: Path, *args: str, timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=timeout)


def result_fields(stdout: str) -> dict[str, str]:
    """The key=value fields of the last line, which must be the RESULT line."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("RESULT "), f"no RESULT line last:\n{stdout}"
    return dict(field.split("=", 1) for field in lines[-1].split()[1:])


def assert_ran(proc: subprocess.CompletedProcess) -> dict[str, str]:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return result_fields(proc.stdout)


def assert_only_ok(fields: dict[str, str], calls: int) -> None:
    assert int(fields["calls"]) == calls, fields
    assert int(fields["ok"]) == calls, fields
    assert int(fields["status_0"]) == calls, fields
    assert int(fields["transport"]) == 0 and int(fields["errors"]) == 0, fields
    assert all(int(fields[f"status_{code}"]) == 0 for code in range(1, 17)), fields
    assert 0 < float(fields["p50_ms"]) <= float(fields["p99_ms"]) <= float(fields["max_ms"]), fields


def service_at_all(client: Client, branches, counters_needed: int = 0):
    """A service offered at every branch (and, if asked, set up on that many counters at each): ServiceInfo."""
    offered = [{s.service_id: s for s in client.list_services(b)} for b in branches]
    for service_id in sorted(set.intersection(*(set(o) for o in offered))):
        if all(sum(service_id in c.service_ids for c in client.list_counters(b)) >= counters_needed
               for b in branches):
            return offered[0][service_id]
    raise AssertionError(f"no service offered at all of {branches} with {counters_needed} counters")


def waiting(client: Client, branch: str, service_id: str) -> tuple[int, int]:
    """(people waiting for the service, the branch's sequence) from a fresh WatchBranch snapshot."""
    with client.watch(branch, deadline=30) as watcher:
        first = watcher.wait_until(lambda messages: len(messages) >= 1, 15, "the snapshot")[0]
    assert first.WhichOneof("payload") == "snapshot", first
    queues = {q.service_id: q.waiting for q in first.snapshot.queues}
    return queues.get(service_id, 0), first.snapshot.sequence


def read_record(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text().splitlines() if line]


# --------------------------------------------------------------------------------------------------------------


def test_issue_makes_exactly_the_reported_tickets_gapless(loadgen, server, client, tmp_path):
    service = service_at_all(client, ISSUE_BRANCHES)
    tokens = {b: server.token("kiosk", branch=b) for b in ISSUE_BRANCHES}  # a kiosk token acts for its branch
    token_file = tmp_path / "tokens"
    token_file.write_text("".join(f"{b} {t}\n" for b, t in tokens.items()))
    record = tmp_path / "issued.tsv"
    before = {b: waiting(client, b, service.service_id)[0] for b in ISSUE_BRANCHES}

    fields = assert_ran(run_loadgen(
        loadgen, "issue", "--target", server.address, "--branches", ",".join(ISSUE_BRANCHES),
        "--service", service.service_id, "-n", str(ISSUE_CALLS), "-c", "4", "-m", "8",
        "--token-file", str(token_file), "--run-id", "e2e-issue", "--record", str(record)))
    assert_only_ok(fields, ISSUE_CALLS)
    assert (fields["connections"], fields["slots"]) == ("4", "32"), fields
    assert int(fields["tickets"]) == ISSUE_CALLS and int(fields["replayed"]) == 0, fields

    rows = read_record(record)
    assert len(rows) == ISSUE_CALLS
    keys = [row[0] for row in rows]
    assert len(set(keys)) == ISSUE_CALLS, "an idempotency key was sent twice"
    assert set(keys) == {f"e2e-issue-{n}" for n in range(1, ISSUE_CALLS + 1)}
    assert len({row[3] for row in rows}) == ISSUE_CALLS, "two calls were answered with the same ticket"

    # The server holds every ticket: each one tracked by id and code, at its branch, waiting.
    numbers = collections.defaultdict(set)
    for key, branch, service_id, ticket_id, number, code, replayed in rows:
        ticket = client.track(ticket_id, code)
        assert (ticket.branch_id, ticket.service_id, ticket.number) == (branch, service.service_id, number), key
        assert ticket.state == TICKET_STATE_WAITING, (key, ticket.state)
        numbers[branch].add(number)
    per_branch = ISSUE_CALLS // len(ISSUE_BRANCHES)
    for branch in ISSUE_BRANCHES:
        assert numbers[branch] == expected_numbers(service.prefix, per_branch), f"{branch}: not gapless"
        now, _ = waiting(client, branch, service.service_id)
        assert now - before[branch] == per_branch, f"{branch}: {now - before[branch]} new tickets waiting"

    # The keys were really recorded (per caller): resending one with its kiosk's token returns its ticket.
    key, branch, _, ticket_id, number, _, _ = rows[17]
    replay = client.issue(tokens[branch], client.issue_request(branch, service.service_id, key))
    assert replay.replayed and (replay.ticket.ticket_id, replay.ticket.number) == (ticket_id, number)


def test_counter_cycle_completes_the_issued_tickets(loadgen, server, client, manager_token, tmp_path):
    service = service_at_all(client, [CYCLE_BRANCH], counters_needed=2)
    counters = counters_for_service(client, CYCLE_BRANCH, service.service_id, 2)
    issued = tmp_path / "issued.tsv"
    assert_only_ok(assert_ran(run_loadgen(
        loadgen, "issue", "--target", server.address, "--branches", CYCLE_BRANCH, "--service", service.service_id,
        "-n", str(CYCLE_TICKETS), "-c", "2", "-m", "4", "--token", manager_token, "--record", str(issued))),
        CYCLE_TICKETS)
    completed = tmp_path / "completed.tsv"

    fields = assert_ran(run_loadgen(
        loadgen, "counter-cycle", "--target", server.address,
        "--counters", ",".join(f"{CYCLE_BRANCH}/{c.counter_id}" for c in counters),
        "--open", "--service", service.service_id, "--until-empty", "--token", manager_token,
        "--record", str(completed)))
    assert int(fields["cycles"]) == CYCLE_TICKETS, fields
    assert int(fields["called"]) == CYCLE_TICKETS, fields
    assert int(fields["empty"]) == len(counters), fields  # each counter stops at its first "nobody waiting"
    assert int(fields["complete_ok"]) == CYCLE_TICKETS, fields
    assert_only_ok(fields, 2 * CYCLE_TICKETS + len(counters))

    issued_rows = read_record(issued)
    completed_rows = read_record(completed)
    assert sorted(row[3] for row in issued_rows) == sorted(row[2] for row in completed_rows), \
        "the tickets completed are not the tickets issued"
    assert {row[1] for row in completed_rows} == {c.counter_id for c in counters}, "a counter served nobody"
    for _, _, _, ticket_id, number, code, _ in issued_rows:
        assert client.track(ticket_id, code).state == TICKET_STATE_DONE, number
    assert waiting(client, CYCLE_BRANCH, service.service_id)[0] == 0


def test_watch_sees_every_ticket_on_every_stream(loadgen, server, client, manager_token):
    service = service_at_all(client, [WATCH_BRANCH])
    watch = subprocess.Popen(
        [str(loadgen), "watch", "--target", server.address, "--branch", WATCH_BRANCH,
         "--watchers", str(WATCH_STREAMS), "-c", "4", "--events", str(WATCH_TICKETS), "--duration", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in watch.stdout], daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        seen = []
        while not (seen and seen[-1].startswith("READY ")):
            try:
                seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"watch printed no READY line within {READY_TIMEOUT:.0f}s: {seen}")
        ready = dict(field.split("=", 1) for field in seen[-1].split()[1:])
        assert int(ready["streams"]) == WATCH_STREAMS

        assert_only_ok(assert_ran(run_loadgen(
            loadgen, "issue", "--target", server.address, "--branches", WATCH_BRANCH,
            "--service", service.service_id, "-n", str(WATCH_TICKETS), "-c", "1", "-m", "3",
            "--token", manager_token)), WATCH_TICKETS)
        watch.wait(timeout=RUN_TIMEOUT)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
    reader.join(timeout=5)
    while not lines.empty():
        seen.append(lines.get())
    stdout = "".join(seen)
    assert watch.returncode == 0, f"watch exit {watch.returncode}\n{stdout}\n{watch.stderr.read()}"
    fields = result_fields(stdout)

    assert (fields["connections"], fields["streams"], fields["opened"]) == ("4", "40", "40"), fields
    assert int(fields["events_per_stream_min"]) == WATCH_TICKETS, fields
    assert int(fields["events_per_stream_max"]) == WATCH_TICKETS, fields
    assert int(fields["events"]) == WATCH_STREAMS * WATCH_TICKETS, fields
    assert (int(fields["missed_events"]), int(fields["streams_missing"]), int(fields["ended"])) == (0, 0, 0), fields
    first, last = int(fields["first_sequence"]), int(fields["last_sequence"])
    assert first == int(ready["sequence"]) and last - first == WATCH_TICKETS, fields
    assert (fields["server_sequence"], fields["events_behind"]) == (str(last), "0"), fields
    assert waiting(client, WATCH_BRANCH, service.service_id)[1] == last, "the server's sequence differs"
    assert "delivery latency (ms): p50 " in stdout, stdout
    assert 0 < float(fields["p50_ms"]) <= float(fields["p99_ms"]) <= float(fields["max_ms"]) < 30000, fields


def test_closed_port_fails_with_a_clear_message(loadgen):
    with socket.socket() as probe:  # a port nobody listens on: bound, then released
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = run_loadgen(loadgen, "predict", "--target", f"127.0.0.1:{port}", "--branch", HOME_BRANCH,
                       "--service", "civil-birth-registration", "-n", "10", "--connect-timeout-ms", "2000")
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert f"cannot connect to 127.0.0.1:{port}" in proc.stderr and "refused" in proc.stderr, proc.stderr
    assert "RESULT" not in proc.stdout, proc.stdout
