"""Writes a past of finished tickets into a MotCua SQLite database, as the server itself would have recorded them.

For each day before today (Hanoi time) and each branch: tickets spread over the branch's services between 08:00
and 17:00, each with its events ISSUED → CALLED → SERVING_STARTED → COMPLETED (1 in 20 CALLED → NO_SHOW), the
day's numbering rows, an idempotency row, and the branch's event sequence carried on. Rows and event payloads
have the shapes `Sources/MotCuaSQLite` writes (the event payloads are the domain types' JSON). The database must
have been created (migrated and seeded) by `motcua serve` first and must hold no tickets yet.

Standard library only.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import string

HANOI = dt.timezone(dt.timedelta(hours=7))
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # the server's RandomText.lowerBase32
TIME_ALPHABET = "".join(sorted(ALPHABET))  # TicketIDs.timeAlphabet: sorts as the time does


def ticket_id_at(issued_ms: int, rng) -> str:
    """As TicketIDs.make: tk_, the issue time in ms as 9 characters, 11 random characters."""
    prefix = "".join(TIME_ALPHABET[(issued_ms >> (5 * position)) & 31] for position in reversed(range(9)))
    return "tk_" + prefix + "".join(rng.choice(ALPHABET) for _ in range(11))
TRACKING = "".join(c for c in string.ascii_uppercase + string.digits if c not in "01OI")


def local_ms(day: dt.date, minute: float) -> int:
    """Milliseconds since the epoch of `minute` minutes after midnight of `day` in Hanoi."""
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=HANOI)
    return int(midnight.timestamp() * 1000 + minute * 60_000)


def write_history(path: str, tickets: int, days: int, seed: int = 1) -> dict:
    """Writes about `tickets` finished tickets over the `days` days before today; returns what it wrote."""
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    # A day's rows touch every branch's part of each index: with SQLite's default 2 MB cache those pages are read
    # and written again for every few rows once the file outgrows the cache (10M tickets took hours).
    db.execute("PRAGMA cache_size = -1048576")  # 1 GiB
    if db.execute("SELECT (SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM events)").fetchone()[0]:
        raise SystemExit(f"{path} holds tickets or events already: history is written into a fresh database")
    prefixes = dict(db.execute("SELECT id, prefix FROM services"))
    counters: dict[str, list[tuple[str, list[str]]]] = {}
    for counter_id, branch_id, service_ids in db.execute("SELECT id, branch_id, service_ids FROM counters"):
        counters.setdefault(branch_id, []).append((counter_id, json.loads(service_ids)))
    branches = sorted(counters)
    per_branch_day = max(1, tickets // (days * len(branches)))
    today = dt.datetime.now(HANOI).date()
    sequence = {branch: 0 for branch in branches}
    written = {"tickets": 0, "events": 0}

    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        day_text = day.isoformat()
        ticket_rows, event_rows, key_rows, numbering = [], [], [], {}
        for branch in branches:
            desks = counters[branch]
            services = sorted({s for _, served in desks for s in served})
            for n in range(per_branch_day):
                service = services[rng.randrange(len(services))]
                number_seq = numbering.get((branch, service), 0) + 1
                numbering[(branch, service)] = number_seq
                counter_id = rng.choice([c for c, served in desks if service in served])
                issued = local_ms(day, 8 * 60 + 540 * n / per_branch_day)
                called = issued + rng.randrange(60_000, 1_800_000)
                started = called + rng.randrange(5_000, 60_000)
                done = started + rng.randrange(120_000, 900_000)
                no_show = rng.random() < 0.05
                ticket_id = ticket_id_at(issued, rng)
                ticket = {
                    "branchID": branch, "callRank": 6, "day": day_text, "id": ticket_id, "issuedAt": issued,
                    "number": f"{prefixes[service]}{number_seq:03d}", "originalServiceID": service,
                    "priority": 0, "recallCount": 0, "sequence": number_seq, "serviceID": service,
                    "state": "WAITING", "trackingCode": "".join(rng.choice(TRACKING) for _ in range(8)),
                }
                desk = {"branchID": branch, "counterID": counter_id, "isOpen": True, "serviceIDs": [service]}
                steps = [("ISSUED", issued, dict(ticket), None)]
                ticket.update(state="CALLED", calledAt=called, counterID=counter_id)
                busy = dict(desk, currentNumber=ticket["number"], currentTicketID=ticket_id)
                steps.append(("CALLED", called, dict(ticket), busy))
                if no_show:
                    ticket.update(state="NO_SHOW", completedAt=called + 300_000)
                    steps.append(("NO_SHOW", called + 300_000, dict(ticket), desk))
                else:
                    ticket.update(state="SERVING", servingStartedAt=started)
                    steps.append(("SERVING_STARTED", started, dict(ticket), busy))
                    ticket.update(state="DONE", completedAt=done)
                    steps.append(("COMPLETED", done, dict(ticket), desk))
                for kind, at, payload, desk_state in steps:
                    sequence[branch] += 1
                    event_rows.append((
                        branch, sequence[branch], kind, at, "tok_history", ticket_id, json.dumps(payload),
                        json.dumps(desk_state) if desk_state else None, None, json.dumps({service: 0})))
                ticket_rows.append((
                    ticket_id, branch, service, service, day_text, number_seq, ticket["number"], 0, 6,
                    ticket["state"], issued, called, ticket.get("servingStartedAt"), ticket["completedAt"],
                    counter_id, 0, ticket["trackingCode"]))
                key_rows.append(("tok_history", f"history-{ticket_id}", f"IssueTicket|{branch}|{service}|0",
                                 ticket_id, issued))
        with db:
            db.executemany(
                "INSERT INTO tickets (id, branch_id, service_id, original_service_id, day, sequence, number, "
                "priority, call_rank, state, issued_at, called_at, serving_started_at, completed_at, counter_id, "
                "recall_count, tracking_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ticket_rows)
            db.executemany(
                "INSERT INTO events (branch_id, sequence, kind, at, actor, ticket_id, ticket, counter, "
                "from_service_id, waiting_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", event_rows)
            db.executemany(
                "INSERT INTO idempotency (principal, key, fingerprint, ticket_id, created_at) VALUES (?, ?, ?, ?, ?)",
                key_rows)
            db.executemany(
                "INSERT INTO number_sequences (branch_id, service_id, day, last_sequence) VALUES (?, ?, ?, ?)",
                [(b, s, day_text, n) for (b, s), n in numbering.items()])
        written["tickets"] += len(ticket_rows)
        written["events"] += len(event_rows)
    with db:
        db.executemany(
            "INSERT INTO branch_sequences (branch_id, last_sequence) VALUES (?, ?) "
            "ON CONFLICT (branch_id) DO UPDATE SET last_sequence = excluded.last_sequence",
            list(sequence.items()))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    written.update(days=days, branches=len(branches), first_day=(today - dt.timedelta(days=days)).isoformat())
    return written
