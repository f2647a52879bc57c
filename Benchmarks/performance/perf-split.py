#!/usr/bin/env python3
"""Shares of a `perf record --call-graph` profile by the frames its samples pass through.

    Benchmarks/performance/perf-split.py PERF_DATA [--within PATTERN]

Prints, for each named pattern, the share of samples whose call stack has a frame containing it (inclusive, like
`perf report --children`, but over whole stacks, so a frame on a stack twice counts once). With `--within`, only
samples that pass through a frame containing PATTERN count, e.g. `--within GroupCommitter` for the SQLite
writer's thread (how the performance README splits the store's time). Needs `perf`.
"""

import argparse
import subprocess
import sys

PATTERNS = [
    ("SQLite writer (group committer)", "GroupCommitter"),
    ("  event row (record)", "C6record__"),
    ("  ticket row (issueNext)", "C9issueNext_"),
    ("    ticket insert", "C6insert__7leaseID"),
    ("    numbering (takeNumbers)", "takeNumbers"),
    ("  idempotency row (remember)", "C8remember"),
    ("  idempotency lookup", "idempotent"),
    ("  JSON encoding", "4JSONO6encode"),
    ("  COMMIT", "C6commityyKF"),
    ("    WAL frames", "sqlite3WalFrames"),
    ("    checkpoint", "Checkpoint"),
    ("    fsync", "fsync"),
    ("  pwrite", "pwrite"),
    ("savepoints (inclusive)", "inSavepoint"),
    ("WAL flusher (fsync off the writer, then the answers)", "WALFlusher"),
    ("wait prediction", "WaitPrediction"),
    ("live views (BranchHub.publish)", "BranchHub"),
    ("kiosk suggestion", "suggestion"),
    ("NIO event loops", "SelectableEventLoop"),
    ("PostgresNIO", "PostgresNIO"),
    ("  its channel handler", "PostgresNIO0A14ChannelHandler"),
    ("  swift-log (logger metadata)", "Logging"),
    ("MotCuaPostgres", "MotCuaPostgres"),
]


def stacks(perf_data: str):
    script = subprocess.run(
        ["perf", "script", "-i", perf_data, "-F", "comm,tid,ip,sym"], capture_output=True, text=True, check=True
    ).stdout
    current: list[str] = []
    for line in script.splitlines():
        if not line.strip():
            if current:
                yield current
            current = []
        elif line[0] not in " \t":
            current = []
        else:
            parts = line.split(None, 1)
            current.append(parts[1] if len(parts) > 1 else parts[0])
    if current:
        yield current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("perf_data")
    parser.add_argument("--within", help="count only samples passing through a frame containing this")
    args = parser.parse_args()
    samples = [s for s in stacks(args.perf_data) if not args.within or any(args.within in f for f in s)]
    if not samples:
        sys.exit("no samples" + (f" through {args.within}" if args.within else ""))
    print(f"{len(samples)} samples" + (f" through {args.within}" if args.within else ""))
    for name, pattern in PATTERNS:
        n = sum(1 for s in samples if any(pattern in f for f in s))
        if n:
            print(f"{name:34s} {n:6d} {100 * n / len(samples):5.1f}%")


if __name__ == "__main__":
    main()
