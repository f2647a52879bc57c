#!/usr/bin/env python3
"""The floor under a durable IssueTicket on PostgreSQL: the statements `PostgresStore.issueTicket` sends for one
ticket, sent by `pgbench` (PostgreSQL's own C client, prepared statements) from CLIENTS connections at once, on the
server's own schema, with nothing else running against it. No MotCua server, no gRPC: only PostgreSQL's work.

It prints the transactions/s pgbench reached and PostgreSQL's CPU per ticket (from /proc: the postmaster, its
reaped and its live children), and the most tickets/s PostgreSQL could commit on this machine if it had every
core to itself: CPUs ÷ its CPU per ticket. MotCua's `pg-issue` load cannot beat that ceiling, however little
the servers cost.

    Benchmarks/performance/postgres-floor.py BINARY [SECONDS=10] [CLIENTS=32]

BINARY is a `motcua` build: `motcua token create --postgres` migrates and seeds the database, so the schema,
indexes and triggers are the server's. PostgreSQL is started by `scripts/postgres-server.sh` (fsync and
synchronous_commit on) in a directory of its own under WORK_DIR (or TMPDIR, /tmp) and removed afterwards. The
statements mirror `KeyLookupWithNumber`, `TicketInsert`, `KeyRecord` and `EventAppend`
(`Sources/MotCuaPostgres/Statements`) between BEGIN and COMMIT, with one script per branch so that tickets spread
over the 30 branches as the benchmark's do. Needs `pgbench` (Debian's postgresql-15 has it). Standard library only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICE = "civil-birth-registration"
DAY = "2026-11-30"
AT = 1_764_468_000_000
TICKET_JSON = (
    '{"branchID":"%(branch)s","callRank":6,"day":"' + DAY + '","id":"tk_floor","issuedAt":' + str(AT)
    + ',"number":"A001","originalServiceID":"' + SERVICE + '","priority":0,"recallCount":0,"sequence":1,'
    '"serviceID":"' + SERVICE + '","state":"WAITING","trackingCode":"FLOORCDE"}')

# One IssueTicket as PostgresStore sends it (the prepared statements' SQL, with pgbench's variables).
SCRIPT = """\\set n random(1, 4000000000000000000)
BEGIN;
WITH earlier AS (
  SELECT fingerprint, ticket_id FROM idempotency WHERE principal = 'tok_floor' AND key = 'floor-' || :n),
taken AS (
  INSERT INTO number_sequences (branch_id, service_id, day, last_sequence)
  SELECT '%(branch)s', '{service}', '{day}', 1 WHERE NOT EXISTS (SELECT 1 FROM earlier)
  ON CONFLICT (branch_id, service_id, day)
  DO UPDATE SET last_sequence = number_sequences.last_sequence + EXCLUDED.last_sequence
  RETURNING last_sequence)
SELECT (SELECT fingerprint FROM earlier) AS fingerprint, (SELECT last_sequence FROM taken) AS seq \\gset
INSERT INTO tickets (id, branch_id, service_id, original_service_id, day, sequence, number, priority,
  call_rank, state, issued_at, called_at, serving_started_at, completed_at, counter_id, recall_count,
  tracking_code, lease_id, clock_skew_seconds, due_at, predicted_mean_seconds, predicted_p50_seconds,
  predicted_p90_seconds)
VALUES ('tk_' || :n, '%(branch)s', '{service}', '{service}', '{day}', :seq, 'A' || lpad(:seq::text, 3, '0'), 0, 6,
  'WAITING', {at}, NULL, NULL, NULL, NULL, 0, 'FLOORCDE', NULL, NULL, NULL, 600, 540, 1200);
INSERT INTO idempotency (principal, key, fingerprint, ticket_id, lease_id, created_at)
VALUES ('tok_floor', 'floor-' || :n, 'IssueTicket|%(branch)s|{service}|0', 'tk_' || :n, NULL, {at});
WITH next AS (
  INSERT INTO branch_sequences (branch_id, last_sequence) VALUES ('%(branch)s', 1)
  ON CONFLICT (branch_id) DO UPDATE SET last_sequence = branch_sequences.last_sequence + 1
  RETURNING last_sequence),
waiting AS (
  SELECT COALESCE(json_object_agg(service.id, COALESCE((
    SELECT n FROM waiting_counts WHERE branch_id = '%(branch)s' AND day = '{day}' AND service_id = service.id), 0)),
    '{{}}')::text AS counts
  FROM unnest(ARRAY['{service}']) AS service(id))
INSERT INTO events (branch_id, sequence, kind, at, actor, ticket_id, ticket, counter, from_service_id, waiting_after)
SELECT '%(branch)s', next.last_sequence, 'ISSUED', {at}, 'tok_floor', 'tk_' || :n, '%(ticket)s', NULL, NULL,
  waiting.counts
FROM next, waiting
RETURNING sequence, waiting_after;
COMMIT;
""".format(service=SERVICE, day=DAY, at=AT)


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary = sys.argv[1]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    clients = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    bindir = Path(run(["pg_config", "--bindir"], check=False).strip() or "/nonexistent")
    if not (bindir / "pgbench").exists():
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    pgbench, psql = str(bindir / "pgbench"), str(bindir / "psql")
    work = Path(tempfile.mkdtemp(prefix="motcua-pg-floor.", dir=os.environ.get("WORK_DIR")))
    os.chmod(work, 0o755)  # as root the server runs as `postgres`
    server = REPO / "scripts" / "postgres-server.sh"
    url = run([str(server), "start", str(work / "pg")]).strip().splitlines()[-1]
    try:
        run([binary, "token", "create", "--postgres", url, "--seeds", str(REPO / "seeds"), "--role", "manager",
             "--label", "floor"])
        branches = run([psql, url, "-Atc", "SELECT id FROM branches ORDER BY position"]).split()
        scripts = []
        for n, branch in enumerate(branches):
            path = work / f"issue-{n}.sql"
            path.write_text(SCRIPT % {"branch": branch, "ticket": TICKET_JSON % {"branch": branch}})
            scripts += ["-f", f"{path}@1"]
        master = int((work / "pg" / "data" / "postmaster.pid").read_text().split()[0])
        before = postgres_cpu(master)
        output = run([pgbench, "-n", "-M", "prepared", "-c", str(clients), "-j", "2", "-T", str(seconds), *scripts,
                      url])
        cpu = postgres_cpu(master) - before
        done = int(re.search(r"number of transactions actually processed: (\d+)", output).group(1))
        failed = re.search(r"number of failed transactions: (\d+)", output)
        tps = float(re.search(r"tps = ([\d.]+)", output).group(1))
        tickets = int(run([psql, url, "-Atc", "SELECT COUNT(*) FROM tickets"]))
        if tickets != done:
            raise SystemExit(f"pgbench reported {done} transactions but {tickets} tickets are stored:\n{output}")
    finally:
        subprocess.run([str(server), "stop", str(work / "pg")], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    per_ticket = cpu / done
    cores = os.cpu_count() or 1
    print(f"PostgreSQL floor: {done} IssueTicket transactions by pgbench (prepared, {clients} clients, {seconds} s"
          f"{', ' + failed.group(1) + ' failed' if failed and failed.group(1) != '0' else ''}): {tps:,.0f}/s with "
          f"pgbench on the same cores")
    print(f"  PostgreSQL's CPU {per_ticket * 1e6:,.0f} µs per ticket: with all {cores} CPUs to itself it could commit "
          f"at most {cores / per_ticket:,.0f} tickets/s")


def postgres_cpu(master: int) -> float:
    """CPU seconds of the postmaster, its reaped children and its live children."""
    hz = os.sysconf("SC_CLK_TCK")

    def ticks(pid: int, reaped: bool) -> int:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return 0
        # fields[0] is the state (field 3): utime, stime, cutime, cstime are fields 14-17.
        return sum(int(f) for f in fields[11:15 if reaped else 13])

    children = run(["pgrep", "-P", str(master)], check=False).split()
    return (ticks(master, True) + sum(ticks(int(c), False) for c in children)) / hz


def run(command: list[str], check: bool = True) -> str:
    result = subprocess.run(command, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


if __name__ == "__main__":
    main()
