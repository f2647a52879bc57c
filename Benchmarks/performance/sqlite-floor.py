#!/usr/bin/env python3
"""The floor under a durable IssueTicket on SQLite: the statements `SQLiteStore.issueTicket` runs for one ticket,
run by Python's `sqlite3` module (the same C library, with little around it) on the server's own schema, in
group-commit batches as the server's writer runs them (a savepoint per ticket, one COMMIT per batch with
`synchronous = NORMAL`, then an fdatasync of the WAL file as `WALFlusher` does; foreign keys checked as GRDB
does; the WAL checkpointed on a second connection, whose CPU is left out as the server's checkpointer thread's is).

It prints the CPU per ticket of that one thread and the tickets/s it reaches alone. The server's writer does the
same SQL plus its own work around it (building the commands, binding and reading values, answering); the
benchmark's `store µs/c` is that writer's CPU per ticket. What this prints is the bound no driver could beat on
this machine with these rows: a single writer can commit at most 1 s ÷ (its CPU per ticket) tickets per second.

    Benchmarks/performance/sqlite-floor.py BINARY [TICKETS=20000] [BATCH=64]

BINARY is a `motcua` build: it creates and seeds the database (`motcua token create`), so the schema and indexes
are the server's. The rows mirror what the store writes (ticket, numbering, idempotency key, event with the
ticket's JSON, branch sequence); the script checks the counts it wrote. The JSON is made before the clock
starts: the floor is SQLite's work, not Python's. Standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICE = "civil-birth-registration"
PRINCIPAL = "tok_floor"
# A batch of 64 tickets over 30 branches writes some 150-250 pages to the WAL: a checkpoint every 25 batches is
# near the server's threshold of 4,000 frames.
CHECKPOINT_BATCHES = 25

# The statements of one IssueTicket, in the order the store runs them (SQLiteStore.issueTicket, SQLiteStore+Rows).
LOOKUP_KEY = "SELECT fingerprint, ticket_id, lease_id FROM idempotency WHERE principal = ? AND key = ?"
TAKE_NUMBER = """
  INSERT INTO number_sequences (branch_id, service_id, day, last_sequence) VALUES (?, ?, ?, ?)
  ON CONFLICT (branch_id, service_id, day) DO UPDATE SET last_sequence = last_sequence + excluded.last_sequence
  RETURNING last_sequence"""
INSERT_TICKET = """
  INSERT INTO tickets (id, branch_id, service_id, original_service_id, day, sequence, number, priority,
    call_rank, state, issued_at, called_at, serving_started_at, completed_at, counter_id, recall_count,
    tracking_code, lease_id, clock_skew_seconds, due_at, predicted_mean_seconds, predicted_p50_seconds,
    predicted_p90_seconds)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
REMEMBER_KEY = """
  INSERT INTO idempotency (principal, key, fingerprint, ticket_id, lease_id, created_at) VALUES (?, ?, ?, ?, ?, ?)"""
NEXT_EVENT = """
  INSERT INTO branch_sequences (branch_id, last_sequence) VALUES (?, 1)
  ON CONFLICT (branch_id) DO UPDATE SET last_sequence = last_sequence + 1 RETURNING last_sequence"""
WAITING = "SELECT n FROM waiting_counts WHERE branch_id = ? AND day = ? AND service_id = ?"
INSERT_EVENT = """
  INSERT INTO events (branch_id, sequence, kind, at, actor, ticket_id, ticket, counter, from_service_id,
    waiting_after)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary = sys.argv[1]
    tickets = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    work = Path(tempfile.mkdtemp(prefix="motcua-floor.", dir=os.environ.get("WORK_DIR")))
    path = work / "motcua.sqlite"
    subprocess.run([binary, "token", "create", "--db", str(path), "--seeds", str(REPO / "seeds"), "--role",
                    "manager", "--label", "floor"], check=True, capture_output=True)

    db = sqlite3_connect(path)
    branches = [row[0] for row in db.execute("SELECT id FROM branches ORDER BY position")]
    prefix = db.execute("SELECT prefix FROM services WHERE id = ?", (SERVICE,)).fetchone()[0]
    day = "2026-11-30"
    start_ms = 1_764_468_000_000  # 2026-11-30 09:00 in Hanoi

    # Everything a ticket needs, made before the clock starts (ids sort by time, as the server's do).
    planned = []
    for n in range(tickets):
        branch = branches[n % len(branches)]
        at = start_ms + n
        ticket_id = f"tk_{at:012d}{n:08d}"
        planned.append((branch, at, ticket_id, f"floor-{n}", f"T{n:07d}"))

    # The server's checkpointer copies the WAL back at 4,000 frames, on its own connection and thread; here a
    # second connection does it every CHECKPOINT_BATCHES batches, and its CPU is left out of the writer's.
    checkpointer = sqlite3_connect(path)
    checkpoint_cpu = 0.0
    wal = None
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    sync_cpu = 0.0
    for batch_number, first in enumerate(range(0, tickets, batch)):
        if batch_number and batch_number % CHECKPOINT_BATCHES == 0:
            started = time.process_time()
            checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            checkpoint_cpu += time.process_time() - started
        db.execute("BEGIN IMMEDIATE")
        for branch, at, ticket_id, key, code in planned[first:first + batch]:
            db.execute("SAVEPOINT command")
            if db.execute(LOOKUP_KEY, (PRINCIPAL, key)).fetchone() is not None:
                raise SystemExit("a fresh key was found: the database is not new")
            sequence = db.execute(TAKE_NUMBER, (branch, SERVICE, day, 1)).fetchone()[0]
            number = f"{prefix}{sequence:03d}"
            db.execute(INSERT_TICKET, (
                ticket_id, branch, SERVICE, SERVICE, day, sequence, number, 0, 6, "WAITING", at, None, None, None,
                None, 0, code, None, None, None, 600, 540, 1200))
            db.execute(REMEMBER_KEY, (PRINCIPAL, key, f"IssueTicket|{branch}|{SERVICE}|0", ticket_id, None, at))
            event_sequence = db.execute(NEXT_EVENT, (branch,)).fetchone()[0]
            waiting = db.execute(WAITING, (branch, day, SERVICE)).fetchone()[0]
            # The ticket's JSON as the store writes it (sorted keys); its text is the one thing made inside the
            # loop, since the number is known only now: a format string, a few µs at most.
            ticket_json = (
                f'{{"branchID":"{branch}","callRank":6,"day":"{day}","id":"{ticket_id}","issuedAt":{at},'
                f'"number":"{number}","originalServiceID":"{SERVICE}","priority":0,"recallCount":0,'
                f'"sequence":{sequence},"serviceID":"{SERVICE}","state":"WAITING","trackingCode":"{code}"}}')
            db.execute(INSERT_EVENT, (
                branch, event_sequence, "ISSUED", at, PRINCIPAL, ticket_id, ticket_json, None, None,
                f'{{"{SERVICE}":{waiting}}}'))
            db.execute("RELEASE command")
        db.execute("COMMIT")
        synced = time.process_time()
        if wal is None:
            wal = os.open(f"{path}-wal", os.O_RDONLY)
        os.fdatasync(wal)
        sync_cpu += time.process_time() - synced
    cpu = time.process_time() - cpu_start - checkpoint_cpu
    wall = time.perf_counter() - wall_start
    checkpointer.close()

    counts = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
              for table in ("tickets", "events", "idempotency")}
    if any(count != tickets for count in counts.values()):
        raise SystemExit(f"wrote {counts}, expected {tickets} of each")
    db.close()
    if wal is not None:
        os.close(wal)
    shutil.rmtree(work, ignore_errors=True)
    print(f"SQLite floor: {tickets} IssueTicket write sets in batches of {batch}, one thread")
    print(f"  {cpu / tickets * 1e6:.1f} µs CPU per ticket ({sync_cpu / tickets * 1e6:.1f} of it in fdatasync; "
          f"checkpoints {checkpoint_cpu / tickets * 1e6:.1f} more, left out), {tickets / wall:,.0f} tickets/s alone "
          f"({wall:.2f} s wall)")
    print(f"  a writer that did only this could commit at most {1 / (cpu / tickets):,.0f} tickets/s on this CPU")


def sqlite3_connect(path: Path):
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    # As the server's writer: WAL (set by the server already), NORMAL with the flusher's fsync, its cache.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA cache_size = -16384")
    # GRDB turns foreign keys on; Python's sqlite3 leaves them off.
    db.execute("PRAGMA foreign_keys = ON")
    # The server checkpoints on another connection (WALCheckpointer), not on the writer: so does main().
    db.execute("PRAGMA wal_autocheckpoint = 0")
    return db


if __name__ == "__main__":
    main()
