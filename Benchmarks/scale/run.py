#!/usr/bin/env python3
"""Scale figures (issue 10): `motcua serve` on an SQLite database holding a long history of finished tickets.

For each size (default: 1,000,000 and 10,000,000 tickets over 30 and 300 days, 30 branches) it prints: the
history written (rows, file size, time to write it), the start (process start → listening, and → the first
answered PredictWait; after dropping the page cache when the machine allows it, else with the file cached),
the resident memory after start and after a load of today's tickets, a day's report and a whole-history report
for one branch (GetBranchReport), and the recovery after `kill -9` during today's load (restart → listening, →
first answer) with a check that every acknowledged ticket of today is waiting again.

    Benchmarks/scale/run.py --binary .build-release/release/motcua                # both sizes
    Benchmarks/scale/run.py --binary … --sizes 1000000:30                        # tickets:days
Needs the e2e Python packages (`pip install -r Tests/e2e/requirements.txt`) and `make -C Benchmarks/loadgen`.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from history import HANOI, write_history  # noqa: E402
from motcua_harness import Client, Server, generate_stubs  # noqa: E402

SERVICE = "civil-birth-registration"
LOADGEN = REPO / "Benchmarks" / "loadgen" / "build" / "motcua-loadgen"


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM"))


def drop_page_cache() -> bool:
    """Whether the kernel's page cache could be dropped (root on a machine that allows it)."""
    subprocess.run(["sync"], check=False)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def timed_start(server: Server, pb) -> tuple[float, float]:
    """Seconds from process start to 'listening', and to the first answered PredictWait."""
    began = time.monotonic()
    server.start()
    listening = time.monotonic() - began
    client = Client(pb, server.channel())
    client.predict_wait("hn-hoan-kiem", SERVICE)
    return listening, time.monotonic() - began


def predictors_learned(server: Server, timeout: float = 600) -> str:
    """Waits for the server's log line saying the predictors learned their history (in the background, after it
    started listening); returns that line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in server.log_path.read_text(errors="replace").splitlines():
            if "wait predictors learned from history" in line:
                return line.strip()
        time.sleep(0.2)
    return f"not learned within {timeout:.0f} s"


def report_seconds(pb, channel, token: str, branch: str, first: str, last: str) -> float:
    """Median of three GetBranchReport calls."""
    stub = pb.report_grpc.ReportServiceStub(channel)
    request = pb.report.GetBranchReportRequest(branch_id=branch, date_from=first, date_to=last)
    times = []
    for _ in range(3):
        began = time.monotonic()
        stub.GetBranchReport(request, metadata=[("authorization", f"Bearer {token}")], timeout=600)
        times.append(time.monotonic() - began)
    return statistics.median(times)


def waiting_today(client: Client, branches: list[str]) -> int:
    return sum(s.people_waiting for b in branches for s in client.list_services(b))


def run_size(binary: Path, pb, tickets: int, days: int, work: Path, cache: Path | None) -> None:
    directory = work / f"scale-{tickets}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    db = directory / "motcua.sqlite"
    server = Server(binary, db, directory / "server.log", anonymous_rate=1_000_000_000)
    # A history written today for this size can be reused: it is the same file (same seed, same days).
    cached = cache / f"history-{tickets}-{days}-{datetime.datetime.now(HANOI).date()}.sqlite" if cache else None
    key = Path(f"{db}.pii-key")  # made by the server beside its database; the history's hashes use it
    if cached and cached.exists():
        shutil.copyfile(cached, db)
        shutil.copyfile(cached.with_suffix(".pii-key"), key)
        written = json.loads(cached.with_suffix(".json").read_text())
        how = f"copied from {cached} (written there in {written['seconds']:.0f} s)"
        # A history cached by an older server is migrated here, untimed, not in the timed start below.
        server.start()
        server.stop()
    else:
        server.start()
        server.stop()  # migrated and seeded
        began = time.monotonic()
        written = write_history(str(db), tickets, days)
        written["seconds"] = time.monotonic() - began
        how = f"written in {written['seconds']:.0f} s"
        if cached:
            with sqlite3.connect(db) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(db, cached)
            shutil.copyfile(key, cached.with_suffix(".pii-key"))
            cached.with_suffix(".json").write_text(json.dumps(written))
    size_gb = sum(p.stat().st_size for p in directory.glob("motcua.sqlite*")) / 1e9
    print(f"\n== {written['tickets']:,} tickets ({written['events']:,} events) over {days} days × "
          f"{written['branches']} branches; file {size_gb:.2f} GB; {how}")

    cold = drop_page_cache()
    listening, answered = timed_start(server, pb)
    rss, _ = memory_mb(server.proc.pid)
    print(f"start ({'page cache dropped' if cold else 'file in the page cache'}): listening after "
          f"{listening:.2f} s, first PredictWait answered after {answered:.2f} s; RSS {rss:.0f} MB")

    learned = predictors_learned(server)
    rss, _ = memory_mb(server.proc.pid)
    print(f"wait predictors: {learned}; RSS then {rss:.0f} MB")

    token = server.token("manager")
    channel = server.channel()
    client = Client(pb, channel)
    branch = "hn-hoan-kiem"
    yesterday = (datetime.datetime.now(HANOI).date() - datetime.timedelta(days=1)).isoformat()
    first = max(written["first_day"], (datetime.date.fromisoformat(yesterday) - datetime.timedelta(days=365)).isoformat())
    one_day = report_seconds(pb, channel, token, branch, yesterday, yesterday)
    longest = report_seconds(pb, channel, token, branch, first, yesterday)
    print(f"GetBranchReport {branch} (median of 3): one day {one_day * 1000:.0f} ms; {first} to {yesterday} "
          f"{longest * 1000:.0f} ms")

    branches = [b.branch_id for b in client.list_branches()]
    load = subprocess.run(
        [str(LOADGEN), "issue", "--target", server.address, "--branches", ",".join(branches), "--service", SERVICE,
         "--token", token, "-n", "3000", "-c", "4", "-m", "16", "--run-id", f"scale-{tickets}"],
        capture_output=True, text=True, timeout=600)
    result = next((line for line in load.stdout.splitlines() if line.startswith("RESULT")), "")
    fields = dict(part.split("=", 1) for part in result.split()[1:] if "=" in part)
    ok = int(fields.get("ok", "0"))
    rss, peak = memory_mb(server.proc.pid)
    print(f"today's load: {ok} tickets issued ({float(fields.get('calls_per_s', 0)):.0f}/s); RSS {rss:.0f} MB, "
          f"peak {peak:.0f} MB")

    server.kill9()
    listening, answered = timed_start(server, pb)
    client = Client(pb, server.channel())
    waiting = waiting_today(client, branches)
    verdict = "all waiting again" if waiting == ok else f"MISMATCH: {waiting} waiting, {ok} acknowledged"
    print(f"recovery after kill -9: listening after {listening:.2f} s, first answer after {answered:.2f} s; "
          f"today's tickets: {verdict}")
    server.stop()
    if waiting != ok:
        raise SystemExit("recovery lost or duplicated tickets")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, default=REPO / ".build-release" / "release" / "motcua")
    parser.add_argument("--sizes", nargs="+", default=["1000000:30", "10000000:300"], help="tickets:days")
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")))
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--history-cache", type=Path, help="reuse histories written earlier today in this folder "
                        "(written there when missing)")
    args = parser.parse_args()
    if not LOADGEN.exists():
        subprocess.run(["make", "-s", "-C", str(LOADGEN.parents[1])], check=True)
    with tempfile.TemporaryDirectory() as stubs:
        pb = generate_stubs(Path(stubs))
        pb.report = importlib.import_module("motcua.v1.report_pb2")
        pb.report_grpc = importlib.import_module("motcua.v1.report_pb2_grpc")
        work = Path(tempfile.mkdtemp(prefix="motcua-scale-", dir=args.work))
        try:
            for size in args.sizes:
                tickets, days = (int(x) for x in size.split(":"))
                run_size(args.binary, pb, tickets, days, work, args.history_cache)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
