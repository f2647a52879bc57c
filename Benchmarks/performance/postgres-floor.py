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
statements are `KeyLookupWithNumber`, `TicketInsert`, `KeyRecord` and `EventAppend`
(`Sources/MotCuaPostgres/Statements`) between BEGIN and COMMIT, with one script per branch so that tickets spread
over the 30 branches as the benchmark's do. The SQL is read from those files, so the floor runs what the server
runs; only the values bound to each parameter are written here. Needs `pgbench` (Debian's postgresql-15 has it).
Standard library only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICE = "civil-birth-registration"
DAY = "2026-11-30"
AT = 1_764_468_000_000
STATEMENTS = REPO / "Sources" / "MotCuaPostgres" / "Statements"
TICKET_JSON = (
    '{"branchID":"%(branch)s","callRank":6,"day":"' + DAY + '","id":"tk_floor","issuedAt":' + str(AT)
    + ',"number":"A001","originalServiceID":"' + SERVICE + '","priority":0,"recallCount":0,"sequence":1,'
    '"serviceID":"' + SERVICE + '","state":"WAITING","trackingCode":"FLOORCDE"}')
TICKET_ID, KEY = "'tk_' || :n", "'floor-' || :n"

# What each statement's parameters are bound to, in the order of its makeBindings(): literals, or pgbench's
# variables (:n a random number per transaction, :last_sequence the number KeyLookupWithNumber took).
BINDINGS = {
    "KeyLookupWithNumber": ["'tok_floor'", KEY, "'%(branch)s'", f"'{SERVICE}'", f"'{DAY}'"],
    "TicketInsert": [
        TICKET_ID, "'%(branch)s'", f"'{SERVICE}'", f"'{SERVICE}'", f"'{DAY}'", ":last_sequence",
        "'A' || lpad(:last_sequence::text, 3, '0')", "0", "6", "'WAITING'", str(AT), "NULL", "NULL", "NULL", "NULL",
        "0", "'FLOORCDE'", "NULL", "NULL", "NULL", "600", "540", "1200"],
    "KeyRecord": ["'tok_floor'", KEY, f"'IssueTicket|%(branch)s|{SERVICE}|0'", TICKET_ID, "NULL", str(AT)],
    "EventAppend": [
        "'%(branch)s'", f"'{DAY}'", f"ARRAY['{SERVICE}']", "'ISSUED'", str(AT), "'tok_floor'", TICKET_ID,
        "'%(ticket)s'", "NULL", "NULL"],
}


def statement(name: str) -> str:
    """The server's own SQL of a prepared statement (its `static let sql` in Sources), parameters bound."""
    source = (STATEMENTS / f"{name}.swift").read_text()
    sql = textwrap.dedent(re.search(r'static let sql = """\n(.*?)\n\s*"""', source, re.S).group(1))
    values = BINDINGS[name]
    used = {int(k) for k in re.findall(r"\$(\d+)", sql)}
    if used != set(range(1, len(values) + 1)):
        raise SystemExit(f"{name}: the server's SQL has parameters {sorted(used)}, this script binds {len(values)}")
    return re.sub(r"\$(\d+)", lambda m: f"({values[int(m.group(1)) - 1]})", sql)


# One IssueTicket as PostgresStore sends it: BEGIN, the four statements (the key lookup's columns go into pgbench
# variables), COMMIT.
SCRIPT = "\n".join([
    "\\set n random(1, 4000000000000000000)",
    "BEGIN;",
    statement("KeyLookupWithNumber") + " \\gset",
    statement("TicketInsert") + ";",
    statement("KeyRecord") + ";",
    statement("EventAppend") + ";",
    "COMMIT;",
]) + "\n"


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
