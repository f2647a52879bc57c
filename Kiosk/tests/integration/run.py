#!/usr/bin/env python3
"""Integration tests: the motcua-kiosk binary against the real Swift server on loopback ports.

Mirrors Tests/e2e/motcua_harness.py: `motcua serve --db … --listen 127.0.0.1:PORT --seeds … --ignore-opening-hours
--anonymous-rate 100000`, the port read from "listening on …", tokens from `motcua token create`. Every wait has a
timeout and every server started is killed at exit. Standard library only.

Environment: MOTCUA_BIN (server, default ../.build/debug/motcua), KIOSK_BIN, PROBE_BIN, KIOSK_WRAPPER (e.g. a
valgrind command line put before each kiosk run). --quick runs fewer offline tickets (for valgrind).
"""

from __future__ import annotations

import atexit
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

KIOSK_DIR = Path(__file__).resolve().parents[2]
REPO = KIOSK_DIR.parent
SEEDS = REPO / "seeds"
BRANCH = "hn-hoan-kiem"
SERVICE = "civil-birth-registration"  # prefix A
SERVICE_KILL = "civil-marriage-registration"  # prefix B
SERVICE_WATCH = "civil-death-registration"  # prefix C
OTHER_BRANCH = "hn-ba-dinh"
PROTOC = os.environ.get("PROTOC", "protoc")
PROTO_INCLUDE = os.environ.get("PROTO_INCLUDE", "/usr/include")
HANOI = 7 * 3600  # Asia/Ho_Chi_Minh: UTC+7, no DST
CHECK_IN_EARLY = 15 * 60  # the server's default: check-in opens 15 minutes before the slot

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
KIOSK_TIMEOUT = 120.0

MOTCUA_BIN = Path(os.environ.get("MOTCUA_BIN") or (KIOSK_DIR / ".." / ".build" / "debug" / "motcua")).resolve()
KIOSK_BIN = Path(os.environ.get("KIOSK_BIN") or (KIOSK_DIR / "build" / "motcua-kiosk")).resolve()
PROBE_BIN = Path(os.environ.get("PROBE_BIN") or (KIOSK_DIR / "build" / "motcua-probe")).resolve()
WRAPPER = shlex.split(os.environ.get("KIOSK_WRAPPER", ""))
QUICK = "--quick" in sys.argv
N_OFFLINE = 5 if QUICK else 20

LISTENING_RE = re.compile(r"listening on [^ ]*:(\d+)")
_live: list["Server"] = []


@atexit.register
def _kill_all() -> None:
    for s in list(_live):
        s.kill9()


def spawn(fn, *args, **kwargs):
    """fn(*args) retried for up to 30 s on ETXTBSY (the server binary being relinked by a concurrent build)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return fn(*args, **kwargs)
        except OSError as err:
            if err.errno != 26 or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `motcua serve` on a database file and a fixed port, restartable on both."""

    def __init__(self, workdir: Path, tls: tuple[Path, Path] | None = None) -> None:
        self.workdir = workdir
        self.db = workdir / "motcua.sqlite"
        self.log = workdir / "server.log"
        self.tls = tls
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "Server":
        cmd = [str(MOTCUA_BIN), "serve", "--db", str(self.db), "--listen", self.address, "--seeds", str(SEEDS),
               "--ignore-opening-hours", "--anonymous-rate", "100000"]
        if self.tls:
            cmd += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        log = open(self.log, "ab")
        self.proc = spawn(subprocess.Popen, cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                          start_new_session=True)
        log.close()
        _live.append(self)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"motcua serve exited {self.proc.returncode}:\n{self.tail()}")
            if LISTENING_RE.search(self.log.read_text(errors="replace")) and self._accepts():
                return self
            time.sleep(0.05)
        self.kill9()
        raise RuntimeError(f"motcua serve did not listen within {STARTUP_TIMEOUT:.0f}s:\n{self.tail()}")

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill9()
        if self in _live:
            _live.remove(self)

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
        if self in _live:
            _live.remove(self)

    def tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return "(no log)"

    def token(self, role: str, counter: str | None = None, branch: str | None = BRANCH) -> str:
        cmd = [str(MOTCUA_BIN), "token", "create", "--db", str(self.db), "--seeds", str(SEEDS), "--role", role]
        if branch:
            cmd += ["--branch", branch]
        if counter:
            cmd += ["--counter", counter]
        r = spawn(subprocess.run, cmd, capture_output=True, text=True, timeout=60)
        lines = [l.strip() for l in r.stdout.splitlines() if l.strip()]
        if r.returncode != 0 or not lines:
            raise RuntimeError(f"token create failed: {r.stdout}{r.stderr}")
        return lines[-1]


class Kiosk:
    """Runs motcua-kiosk with one journal and a base configuration."""

    def __init__(self, workdir: Path, server: str, token: str, *extra: str) -> None:
        self.journal = workdir / f"journal-{id(self)}.db"
        self.base = ["--server", server, "--branch", BRANCH, "--token", token, "--journal", str(self.journal),
                     "--retries", "2", "--timeout-ms", "10000", *extra]

    def run(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("MOTCUA_KIOSK_"):
                del e[k]
        e.update(env or {})
        return subprocess.run([*WRAPPER, str(KIOSK_BIN), *self.base, *args], capture_output=True, text=True,
                              timeout=KIOSK_TIMEOUT, env=e)


def last_line(out: str) -> str:
    lines = [l for l in out.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def expect_ok(r: subprocess.CompletedProcess, what: str) -> None:
    assert r.returncode == 0, f"{what}: exit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}"


def expect_fail(r: subprocess.CompletedProcess, code: int, words: str, what: str) -> None:
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode == code, f"{what}: exit {r.returncode}, wanted {code}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    assert len(lines) == 1 and lines[0].startswith("motcua-kiosk: "), f"{what}: not one line: {r.stderr!r}"
    assert words.lower() in lines[0].lower(), f"{what}: {words!r} not in {lines[0]!r}"
    assert "AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr, r.stderr


def drain(server: Server, service: str) -> list[str]:
    """Numbers of the service's queue in call order (a counter opened for it calls until nobody waits)."""
    r = subprocess.run([str(PROBE_BIN), "--server", server.address, "counters", BRANCH], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    counters = [l.split("\t") for l in r.stdout.splitlines() if l.strip()]
    set_up = [c[0] for c in counters if service in (c[1].split(",") if len(c) > 1 else [])]
    counter = (set_up or [c[0] for c in counters])[0]
    token = server.token("counter", counter=counter)
    r = subprocess.run([str(PROBE_BIN), "--server", server.address, "drain", token, counter, service],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [l.strip() for l in r.stdout.splitlines() if l.strip()]


# ----------------------------------------------------------------------------------------------------------------
# Tests


def test_services_and_issue(tmp: Path) -> None:
    server = Server(tmp).start()
    try:
        kiosk = Kiosk(tmp, server.address, server.token("kiosk"))
        r = kiosk.run("services")
        expect_ok(r, "services")
        assert f"{SERVICE}\tA\t" in r.stdout and "Đăng ký khai sinh" in r.stdout, r.stdout
        png, escpos = tmp / "t.png", tmp / "t.escpos"
        r = kiosk.run("issue", "--service", SERVICE, "--priority", "elderly", "--preview", str(png),
                      "--printer", str(escpos))
        expect_ok(r, "issue")
        assert re.fullmatch(r"A\d{3,}", last_line(r.stdout)), r.stdout
        assert "Chi nhánh Hoàn Kiếm" in r.stdout and "wait: khoảng" in r.stdout, r.stdout
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        data = escpos.read_bytes()
        assert data[:2] == b"\x1b\x40" and b"\x1d\x76\x30\x00" in data and data[-4:] == b"\x1d\x56\x42\x00"
        r = kiosk.run("reprint", "--printer", str(escpos))
        expect_ok(r, "reprint")
        assert "REPRINT" in r.stdout and last_line(r.stdout) == "A001", r.stdout
        r = kiosk.run("status")
        expect_ok(r, "status")
        assert "connection: online" in r.stdout and f"lease {SERVICE}:" in r.stdout, r.stdout
    finally:
        server.stop()


def test_errors_are_one_line(tmp: Path) -> None:
    server = Server(tmp).start()
    try:
        token = server.token("kiosk")
        kiosk = Kiosk(tmp, server.address, token)
        expect_fail(kiosk.run("issue", "--service", "no-such-service"), 5, "not found", "unknown service")
        bad = Kiosk(tmp, server.address, "mct_not_a_real_token")
        expect_fail(bad.run("issue", "--service", SERVICE), 4, "token refused", "bad token")
        other = Kiosk(tmp, server.address, token)
        other.base[other.base.index("--branch") + 1] = "hn-ba-dinh"
        expect_fail(other.run("issue", "--service", SERVICE), 4, "token refused", "token of another branch")
        expect_fail(kiosk.run("issue", "--service", SERVICE, "--printer", "/dev/usb/mk-missing-lp"), 10,
                    "printer /dev/usb/mk-missing-lp is missing", "missing printer")
        expect_fail(kiosk.run("issue", "--service", SERVICE, "--printer", "/dev/full"), 10, "/dev/full",
                    "printer error")
        expect_fail(kiosk.run("issue", "--service", SERVICE, "--priority", "vip"), 1, "unknown priority", "priority")
        expect_fail(kiosk.run("issue", "--service", SERVICE, "--server", "nohost"), 1, "HOST:PORT", "bad address")
        expect_fail(kiosk.run("issue", "--service", SERVICE, "--tls"), 3, "TLS", "TLS to an h2c server")
    finally:
        server.stop()
    dead = Kiosk(tmp, f"127.0.0.1:{free_port()}", "tok")
    expect_fail(dead.run("issue", "--service", SERVICE), 8, "please see staff", "unreachable, no lease")
    expect_fail(dead.run("services"), 2, "server unreachable", "services unreachable")
    expect_fail(dead.run("sync"), 2, "server unreachable", "sync unreachable")
    r = dead.run("status")
    expect_ok(r, "status offline")
    assert "connection: offline" in r.stdout, r.stdout


def fake_server(handler) -> tuple[int, threading.Thread]:
    """A one-connection TCP server that hands the socket to handler (bounded by timeouts)."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.settimeout(60)

    def serve():
        try:
            conn, _ = ls.accept()
            conn.settimeout(10)
            with conn:
                handler(conn)
        except OSError:
            pass
        finally:
            ls.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return ls.getsockname()[1], t


def test_malformed_responses(tmp: Path) -> None:
    def garbage(conn):
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        time.sleep(0.5)

    def truncated(conn):
        conn.sendall(b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")  # SETTINGS
        conn.recv(4096)
        block = b"\x88" + b"\x0f\x10" + bytes([16]) + b"application/grpc"  # :status 200, content-type
        conn.sendall(len(block).to_bytes(3, "big") + b"\x01\x04" + (1).to_bytes(4, "big") + block)
        body = b"\x00\x00\x00\x00\x64" + b"0123456789"  # says 100 bytes, has 10; END_STREAM
        conn.sendall(len(body).to_bytes(3, "big") + b"\x00\x01" + (1).to_bytes(4, "big") + body)
        time.sleep(0.5)

    for name, handler, words in (("garbage", garbage, "malformed response"),
                                 ("truncated", truncated, "malformed response")):
        port, t = fake_server(handler)
        kiosk = Kiosk(tmp, f"127.0.0.1:{port}", "tok", "--retries", "0")
        r = kiosk.run("issue", "--service", SERVICE, "--printer", str(tmp / f"{name}.bin"))
        expect_fail(r, 7, words, name)
        assert not (tmp / f"{name}.bin").exists(), f"{name}: a ticket was printed"
        t.join(15)


def test_tls(tmp: Path) -> None:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(key),
                    "-out", str(cert), "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True, timeout=60)
    other, other_key = tmp / "other.pem", tmp / "other-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout",
                    str(other_key), "-out", str(other), "-subj", "/CN=localhost"], check=True, capture_output=True,
                   timeout=60)
    server = Server(tmp, tls=(cert, key)).start()
    try:
        token = server.token("kiosk")
        kiosk = Kiosk(tmp, server.address, token, "--tls", "--ca-file", str(cert))
        r = kiosk.run("issue", "--service", SERVICE)
        expect_ok(r, "issue over TLS")
        assert re.fullmatch(r"A\d{3,}", last_line(r.stdout)), r.stdout
        untrusted = Kiosk(tmp, server.address, token, "--tls", "--ca-file", str(other))
        expect_fail(untrusted.run("issue", "--service", SERVICE), 3, "certificate not trusted", "wrong CA")
        plain = Kiosk(tmp, server.address, token, "--retries", "0")
        r = plain.run("issue", "--service", SERVICE, "--printer", str(tmp / "plain.bin"))
        assert r.returncode != 0 and not (tmp / "plain.bin").exists(), (r.returncode, r.stdout, r.stderr)
    finally:
        server.stop()


def test_watch(tmp: Path) -> None:
    server = Server(tmp).start()
    try:
        kiosk = Kiosk(tmp, server.address, server.token("kiosk"))
        cmd = [*WRAPPER, str(KIOSK_BIN), *kiosk.base, "watch", "--count", "2", "--duration", "60"]
        watcher = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            first = watcher.stdout.readline()  # the snapshot
            assert first.startswith("snapshot seq="), first
            r = kiosk.run("issue", "--service", SERVICE_WATCH)
            expect_ok(r, "issue while watching")
            number = last_line(r.stdout)
            out, err = watcher.communicate(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            if watcher.poll() is None:
                watcher.kill()
                watcher.wait(5)
        assert watcher.returncode == 0, err
        assert f"ISSUED {number}" in out and "C:1 waiting/0 open (khoảng" in out, out
    finally:
        server.stop()


class KillingProxy:
    """Forwards TCP to the server; on the first connection, when the server starts answering a request (a HEADERS
    frame on a client stream), it kills the server (SIGKILL) and drops the client: the request was committed,
    the answer lost. Later connections wait (bounded) for the server to come back."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.killed = threading.Event()
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(8)
        self.ls.settimeout(1)
        self.port = self.ls.getsockname()[1]
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        first = True
        while not self.stop:
            try:
                c, _ = self.ls.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(c, first), daemon=True).start()
            first = False

    def _upstream(self) -> socket.socket | None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self.stop:
            try:
                return socket.create_connection(("127.0.0.1", self.server.port), timeout=1)
            except OSError:
                time.sleep(0.05)
        return None

    def _handle(self, client: socket.socket, kill_mode: bool) -> None:
        up = self._upstream()
        if up is None:
            client.close()
            return
        client.settimeout(30)
        up.settimeout(30)

        def c2s():
            try:
                while True:
                    d = client.recv(65536)
                    if not d:
                        break
                    up.sendall(d)
            except OSError:
                pass
            try:
                up.shutdown(socket.SHUT_WR)  # the client left: let the server close its side too
            except OSError:
                pass

        threading.Thread(target=c2s, daemon=True).start()
        buf = b""
        try:
            while True:
                d = up.recv(65536)
                if not d:
                    break
                if not kill_mode:
                    client.sendall(d)
                    continue
                buf += d
                while len(buf) >= 9:  # forward whole frames until a response HEADERS appears
                    length = int.from_bytes(buf[:3], "big")
                    ftype, stream = buf[3], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
                    if len(buf) < 9 + length:
                        break
                    if ftype == 0x1 and stream % 2 == 1:
                        self.server.kill9()
                        self.killed.set()
                        raise ConnectionAbortedError
                    client.sendall(buf[:9 + length])
                    buf = buf[9 + length:]
        except (OSError, ConnectionAbortedError):
            pass
        finally:
            for s in (client, up):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self) -> None:
        self.stop = True
        self.ls.close()


def test_server_killed_mid_request(tmp: Path) -> None:
    server = Server(tmp).start()
    proxy = KillingProxy(server)
    try:
        token = server.token("kiosk")
        kiosk = Kiosk(tmp, f"127.0.0.1:{proxy.port}", token, "--retries", "5")

        def restart_when_killed():
            if proxy.killed.wait(60):
                server.start()

        restarter = threading.Thread(target=restart_when_killed, daemon=True)
        restarter.start()
        r = kiosk.run("issue", "--service", SERVICE_KILL)
        restarter.join(70)
        expect_ok(r, "issue across a server kill")
        assert proxy.killed.is_set(), "the proxy never saw a response to kill on"
        assert "replayed: yes" in r.stdout, r.stdout
        number = last_line(r.stdout)
        assert number == "B001", r.stdout
        assert drain(server, SERVICE_KILL) == ["B001"], "the retry issued a second ticket"
    finally:
        proxy.close()
        server.stop()


def test_offline_period(tmp: Path) -> None:
    server = Server(tmp).start()
    try:
        token = server.token("kiosk")
        kiosk = Kiosk(tmp, server.address, token, "--lease-size", str(N_OFFLINE), "--retries", "1")
        r = kiosk.run("issue", "--service", SERVICE)
        expect_ok(r, "online issue")
        assert last_line(r.stdout) == "A001", r.stdout
        r = kiosk.run("status")
        assert f"lease {SERVICE}: {N_OFFLINE} left (A002 to A{1 + N_OFFLINE:03d}" in r.stdout, r.stdout

        server.stop()
        offline = []
        for i in range(N_OFFLINE):
            r = kiosk.run("issue", "--service", SERVICE, "--printer", str(tmp / f"off{i}.bin"))
            expect_ok(r, f"offline issue {i}")
            assert "offline: yes" in r.stdout, r.stdout
            assert (tmp / f"off{i}.bin").stat().st_size > 1000
            offline.append(last_line(r.stdout))
        assert offline == [f"A{n:03d}" for n in range(2, 2 + N_OFFLINE)], offline
        r = kiosk.run("issue", "--service", SERVICE, "--printer", str(tmp / "staff.bin"))
        expect_fail(r, 8, "please see staff", "lease exhausted")
        assert not (tmp / "staff.bin").exists()
        r = kiosk.run("status")
        expect_ok(r, "status offline")
        assert "connection: offline" in r.stdout and f"unsynced: {N_OFFLINE}" in r.stdout, r.stdout

        server.start()
        # Another kiosk issues online after the restart and before the replay: it is later in the queue.
        other = Kiosk(tmp, server.address, token, "--lease-size", "5")
        r = other.run("issue", "--service", SERVICE)
        expect_ok(r, "online issue after restart")
        later = last_line(r.stdout)
        assert later == f"A{2 + N_OFFLINE:03d}", r.stdout

        r = kiosk.run("sync")
        expect_ok(r, "sync")
        assert f"replayed: {N_OFFLINE}\nremaining: 0\nrejected: 0" in r.stdout, r.stdout
        r = kiosk.run("sync")
        expect_ok(r, "second sync")
        assert "replayed: 0\nremaining: 0" in r.stdout, r.stdout
        r = kiosk.run("status")
        assert "unsynced: 0" in r.stdout and "rejected" not in r.stdout, r.stdout

        called = drain(server, SERVICE)
        expected = ["A001", *offline, later]
        assert len(called) == len(set(called)), f"duplicated numbers: {called}"
        assert set(called) == set(expected), f"lost or extra: {sorted(set(expected) ^ set(called))}"
        assert called == expected, f"queue order is not issue order: {called}"
    finally:
        server.stop()


def probe(server: Server, *args: str) -> list[list[str]]:
    r = subprocess.run([str(PROBE_BIN), "--server", server.address, *args], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, f"probe {args[0]}: {r.stderr}"
    return [l.split("\t") for l in r.stdout.splitlines() if l.strip()]


def hanoi_date(unix_s: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(unix_s + HANOI))


def test_checkin(tmp: Path) -> None:
    """checkin against the real server: too early, another branch, unknown code, offline; a successful check-in
    only when a slot starts within the check-in window now (slots exist in opening hours only)."""
    server = Server(tmp).start()
    try:
        portal = server.token("portal", branch=None)
        kiosk = Kiosk(tmp, server.address, server.token("kiosk"))
        other = Kiosk(tmp, server.address, server.token("kiosk", branch=OTHER_BRANCH))
        other.base[other.base.index("--branch") + 1] = OTHER_BRANCH
        now = time.time()
        slots = [(sid, int(start)) for sid, start, _free in
                 probe(server, "slots", BRANCH, SERVICE, hanoi_date(now), hanoi_date(now + 30 * 86400))]
        far = next(((sid, st) for sid, st in slots if st > now + CHECK_IN_EARLY + 600), None)
        assert far, f"no slot after the check-in window in 30 days: {slots[:3]}"
        code, branch, _ = probe(server, "book", portal, far[0], "001090000001", "0912000001")[0]
        assert branch == BRANCH, branch

        r = kiosk.run("checkin", "--code", code, "--printer", str(tmp / "early.bin"))
        expect_fail(r, 6, "opens", "check-in too early")
        assert "too early" in r.stderr and not (tmp / "early.bin").exists(), r.stderr
        expect_fail(other.run("checkin", "--code", code), 6, f"({BRANCH})", "check-in at another branch")
        expect_fail(other.run("checkin", "--code", code), 6, "Chi nhánh Hoàn Kiếm", "the booked branch by name")
        expect_fail(kiosk.run("checkin", "--code", "ZZZZ-2345"), 5, "NOT_FOUND", "unknown booking code")
        expect_fail(kiosk.run("checkin", "--code", "bad"), 6, "8 letters", "malformed booking code")
        expect_fail(kiosk.run("checkin"), 1, "--code", "checkin without a code")

        near = next(((sid, st) for sid, st in slots if now + 20 < st <= now + CHECK_IN_EARLY - 20), None)
        if near is None:
            print("skipped: no slot within the check-in window now", flush=True)
        else:
            code, _, start = probe(server, "book", portal, near[0], "001090000002", "0912000002")[0]
            png = tmp / "appt.png"
            r = kiosk.run("checkin", "--code", code, "--preview", str(png), "--printer", str(tmp / "appt.bin"))
            expect_ok(r, "check-in within the window")
            number = last_line(r.stdout)
            assert re.fullmatch(r"A\d{3,}", number), r.stdout
            hhmm = time.strftime("%H:%M", time.gmtime(int(start) + HANOI))
            assert f"appointment: {hhmm}" in r.stdout and "Chi nhánh Hoàn Kiếm" in r.stdout, r.stdout
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and (tmp / "appt.bin").stat().st_size > 1000
            r = kiosk.run("checkin", "--code", code)
            expect_ok(r, "second check-in")
            assert last_line(r.stdout) == number, f"a second check-in gave another ticket: {r.stdout}"
    finally:
        server.stop()
    dead = Kiosk(tmp, f"127.0.0.1:{free_port()}", "tok", "--retries", "1")
    r = dead.run("checkin", "--code", "K7QX-M2PA", "--printer", str(tmp / "offline.bin"))
    expect_fail(r, 8, "cannot check in offline: please see staff", "check-in offline")
    assert not (tmp / "offline.bin").exists()


def grpc_fake(answers: dict[int, bytes]):
    """A fake h2c gRPC server: the request on client stream 1 gets `answers[1]` (a whole response message, status
    OK); any other call gets UNIMPLEMENTED (trailers only)."""
    def frame(ftype: int, flags: int, stream: int, payload: bytes) -> bytes:
        return len(payload).to_bytes(3, "big") + bytes([ftype, flags]) + stream.to_bytes(4, "big") + payload

    def literal(name: bytes, value: bytes) -> bytes:
        return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value

    def handler(conn):
        conn.sendall(frame(4, 0, 0, b""))  # SETTINGS
        buf = b""
        while True:
            d = conn.recv(65536)
            if not d:
                return
            buf += d
            if buf.startswith(b"PRI * HTTP/2.0"):
                buf = buf[24:]
            while len(buf) >= 9 and len(buf) >= 9 + int.from_bytes(buf[:3], "big"):
                length = int.from_bytes(buf[:3], "big")
                ftype, flags, stream = buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
                buf = buf[9 + length:]
                if ftype == 4 and not flags & 1:
                    conn.sendall(frame(4, 1, 0, b""))  # SETTINGS ACK
                if ftype != 0 or not flags & 1 or stream % 2 == 0:
                    continue
                head = b"\x88" + literal(b"content-type", b"application/grpc")
                if stream in answers:
                    msg = answers[stream]
                    conn.sendall(frame(1, 4, stream, head) +
                                 frame(0, 0, stream, b"\x00" + len(msg).to_bytes(4, "big") + msg) +
                                 frame(1, 5, stream, literal(b"grpc-status", b"0")))
                else:
                    conn.sendall(frame(1, 5, stream, head + literal(b"grpc-status", b"12") +
                                       literal(b"grpc-message", b"not here")))
    return fake_server(handler)


def test_checkin_prints_appointment(tmp: Path) -> None:
    """A successful check-in whatever the clock: a fake server answers CheckIn (bytes made by protoc --encode)."""
    text = """ticket { ticket_id: "tk_fakecheckin" number: "A042" branch_id: "hn-hoan-kiem"
               service_id: "civil-birth-registration" people_ahead: 2 estimate { p50_seconds: 300 p90_seconds: 600 }
               issued_at { seconds: 1795829400 } tracking_code: "NS823XD6" service_name: "Đăng ký khai sinh" }
               booking { code: "K7QX-M2PA" branch_id: "hn-hoan-kiem" service_id: "civil-birth-registration"
               start { seconds: 1795830300 } state: BOOKING_STATE_CHECKED_IN }"""
    enc = subprocess.run([PROTOC, f"-I{REPO / 'Protos'}", f"-I{PROTO_INCLUDE}", "--encode=motcua.v1.CheckInResponse",
                          "motcua/v1/kiosk.proto"], input=text.encode(), capture_output=True, timeout=60)
    assert enc.returncode == 0, enc.stderr
    port, t = grpc_fake({1: enc.stdout})
    kiosk = Kiosk(tmp, f"127.0.0.1:{port}", "tok", "--retries", "0")
    png, escpos = tmp / "appt.png", tmp / "appt.bin"
    r = kiosk.run("checkin", "--code", "K7QX-M2PA", "--preview", str(png), "--printer", str(escpos))
    expect_ok(r, "check-in (fake server)")
    assert last_line(r.stdout) == "A042", r.stdout
    assert "appointment: 08:45 28/11/2026 (booking K7QX-M2PA)" in r.stdout, r.stdout  # 01:45 UTC
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and escpos.read_bytes()[-4:] == b"\x1d\x56\x42\x00"
    t.join(15)
    r = kiosk.run("reprint")
    expect_ok(r, "reprint of a checked-in ticket")
    assert "appointment: 08:45" in r.stdout and "REPRINT" in r.stdout and last_line(r.stdout) == "A042", r.stdout


def encode_golden(name: str) -> bytes:
    """protoc --encode of tests/golden/NAME.txtpb, whose header names the message and the .proto."""
    path = KIOSK_DIR / "tests" / "golden" / f"{name}.txtpb"
    text = path.read_text(encoding="utf-8")
    message = re.search(r"^# message: *(\S+)", text, re.M).group(1)
    proto = re.search(r"^# proto: *(\S+)", text, re.M).group(1)
    enc = subprocess.run([PROTOC, f"-I{REPO / 'Protos'}", f"-I{PROTO_INCLUDE}", f"--encode={message}", proto],
                         input=text.encode(), capture_output=True, timeout=60)
    assert enc.returncode == 0, enc.stderr
    return enc.stdout


def png_height(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", data[:16]
    return int.from_bytes(data[20:24], "big")


def test_issue_prints_suggestion(tmp: Path) -> None:
    """IssueTicketResponse.suggestion on the ticket and in the output: a fake server answers IssueTicket with the
    golden responses (with and without a suggestion; the real server sets it only when the branch is overloaded)."""
    heights = {}
    for name in ("issue_ticket_response", "issue_ticket_response_suggestion"):
        port, t = grpc_fake({1: encode_golden(name)})
        kiosk = Kiosk(tmp, f"127.0.0.1:{port}", "tok", "--retries", "0")
        png, escpos = tmp / f"{name}.png", tmp / f"{name}.bin"
        r = kiosk.run("issue", "--service", SERVICE, "--preview", str(png), "--printer", str(escpos))
        expect_ok(r, f"issue (fake server, {name})")
        t.join(15)
        assert last_line(r.stdout) == "A017", r.stdout
        assert escpos.read_bytes()[-4:] == b"\x1d\x56\x42\x00"
        heights[name] = png_height(png)
        if name == "issue_ticket_response":
            assert "suggestion" not in r.stdout, r.stdout
            continue
        want = "suggestion: Chi nhánh Ba Đình (3,5 km, ~14 phút đi đường) dự kiến chờ 15 phút — tại đây 70 phút."
        assert want in r.stdout, r.stdout
        assert "suggestion address: 25 phố Liễu Giai" in r.stdout, r.stdout
        assert "suggestion branch: hn-ba-dinh (this ticket stays valid here)" in r.stdout, r.stdout
        assert r.stdout.index("wait: ") < r.stdout.index("suggestion: "), r.stdout
        r = kiosk.run("reprint", "--preview", str(tmp / "reprint.png"))
        expect_ok(r, "reprint of a ticket with a suggestion")
        assert want in r.stdout and "REPRINT" in r.stdout and last_line(r.stdout) == "A017", r.stdout
    # The preview (the same raster as the printer's) grows by the suggestion's block.
    assert heights["issue_ticket_response_suggestion"] > heights["issue_ticket_response"] + 100, heights


TESTS = [test_services_and_issue, test_errors_are_one_line, test_malformed_responses, test_tls, test_watch,
         test_server_killed_mid_request, test_offline_period, test_checkin, test_checkin_prints_appointment,
         test_issue_prints_suggestion]


def main() -> int:
    for binary in (MOTCUA_BIN, KIOSK_BIN, PROBE_BIN):
        if not binary.is_file():
            print(f"integration: {binary} not found (build the server, or set MOTCUA_BIN)", file=sys.stderr)
            return 2
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    passed = failed = 0
    started = time.monotonic()
    for test in TESTS:
        if only and test.__name__ not in only:
            continue
        tmp = Path(tempfile.mkdtemp(prefix=f"mk-{test.__name__}-"))
        t0 = time.monotonic()
        try:
            test(tmp)
            passed += 1
            print(f"PASS {test.__name__} ({time.monotonic() - t0:.1f}s)", flush=True)
            shutil.rmtree(tmp, ignore_errors=True)
        except Exception:
            failed += 1
            print(f"FAIL {test.__name__} ({time.monotonic() - t0:.1f}s); files kept in {tmp}", flush=True)
            traceback.print_exc()
            for s in list(_live):
                print(f"server log tail:\n{s.tail()}")
        finally:
            for s in list(_live):
                s.kill9()
    print(f"integration ({time.monotonic() - started:.0f}s):")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
