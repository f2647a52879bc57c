"""Helpers shared by the MotCua end-to-end tests.

- generate_stubs(): compiles Protos/ with grpc_tools.protoc into a directory and imports the modules.
- Server: one `motcua serve` process (start, stop, kill -9, restart on the same database, tokens, channels).
- Client: thin typed wrappers around the gRPC stubs; every call carries a deadline.
- BranchWatcher: reads a DisplayService.WatchBranch stream on a background thread, with bounded waits.
- expect_rpc_error(), retry_transient(), ticket-number helpers.

Nothing here blocks without a timeout: a broken server makes tests fail, never hang.
"""

from __future__ import annotations

import atexit
import collections
import importlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Iterable, Sequence

import grpc
import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
PROTOS = REPO / "Protos"

HOME_BRANCH = "hn-hoan-kiem"

RPC_TIMEOUT = 10.0  # every unary call
STARTUP_TIMEOUT = 60.0  # until "listening on …" appears
STOP_TIMEOUT = 15.0  # SIGTERM → exit
TOKEN_TIMEOUT = 60.0  # `motcua token create`
CHANNEL_READY_TIMEOUT = 10.0

# Codes a real kiosk retries with the same idempotency key.
TRANSIENT_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED})

LISTENING_RE = re.compile(r"listening on [^ ]*:(\d+)")

_MOTCUA_MODULES = ("common", "directory", "kiosk", "counter", "display", "ticket", "scheduler", "staff")


def motcua_binary() -> Path:
    override = os.environ.get("MOTCUA_BIN")
    return Path(override) if override else REPO / ".build" / "debug" / "motcua"


# --------------------------------------------------------------------------------------------------------------
# Stubs


def _protoc(include_dirs: Sequence[Path], files: Sequence[str], out_dir: Path, cwd: Path) -> None:
    cmd = [sys.executable, "-m", "grpc_tools.protoc"]
    cmd += [f"-I{d}" for d in include_dirs]
    cmd += [f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", *files]
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"protoc failed ({result.returncode}):\n{result.stderr}")


def generate_stubs(out_dir: Path) -> SimpleNamespace:
    """Compile the contract into out_dir, put it on sys.path and return the modules.

    Returns a namespace with `<name>` (messages) and `<name>_grpc` (stubs) for common, directory, kiosk,
    counter, display, ticket and health. The health proto is compiled from its own directory so that its
    Python module is the top-level `health_pb2` and does not collide with the `grpc` package.
    """
    import grpc_tools

    bundled = Path(grpc_tools.__file__).parent / "_proto"  # google/protobuf/timestamp.proto
    motcua_files = sorted(p.relative_to(PROTOS).as_posix() for p in (PROTOS / "motcua" / "v1").glob("*.proto"))
    _protoc([PROTOS, bundled], motcua_files, out_dir, cwd=PROTOS)
    health_dir = PROTOS / "grpc" / "health" / "v1"
    _protoc([health_dir, bundled], ["health.proto"], out_dir, cwd=health_dir)

    if str(out_dir) not in sys.path:
        sys.path.insert(0, str(out_dir))
    importlib.invalidate_caches()

    modules = {}
    for name in _MOTCUA_MODULES:
        modules[name] = importlib.import_module(f"motcua.v1.{name}_pb2")
        modules[f"{name}_grpc"] = importlib.import_module(f"motcua.v1.{name}_pb2_grpc")
    modules["health"] = importlib.import_module("health_pb2")
    modules["health_grpc"] = importlib.import_module("health_pb2_grpc")
    return SimpleNamespace(**modules)


# --------------------------------------------------------------------------------------------------------------
# Server process

_LIVE_SERVERS: "set[Server]" = set()


@atexit.register
def _kill_leftover_servers() -> None:
    for server in list(_LIVE_SERVERS):
        server.terminate()


class Server:
    """One `motcua serve` process on a database file; restartable on the same file."""

    def __init__(
        self,
        binary: Path,
        db_path: Path,
        log_path: Path,
        *,
        anonymous_rate: int = 100000,
        tls: tuple[Path, Path] | None = None,
        seeds: Path = SEEDS,
    ) -> None:
        self.binary = binary
        self.db_path = db_path
        self.log_path = log_path
        self.anonymous_rate = anonymous_rate
        self.tls = tls  # (cert, key) or None
        self.seeds = seeds
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._tail: collections.deque[str] = collections.deque(maxlen=60)
        self._channels: list[grpc.Channel] = []

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def serve_command(self) -> list[str]:
        cmd = [
            str(self.binary), "serve",
            *self.database_args(),
            "--listen", "127.0.0.1:0",
            "--seeds", str(self.seeds),
            "--ignore-opening-hours",
            "--anonymous-rate", str(self.anonymous_rate),
        ]
        if self.tls:
            cert, key = self.tls
            cmd += ["--tls-cert", str(cert), "--tls-key", str(key)]
        return cmd

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> "Server":
        assert not self.running, "server already running"
        self.port = None
        ready = threading.Event()
        self.proc = subprocess.Popen(
            self.serve_command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # the port line is on stderr; keep everything in one log
            start_new_session=True,
        )
        _LIVE_SERVERS.add(self)
        threading.Thread(target=self._pump_output, args=(self.proc, ready), daemon=True).start()
        if not ready.wait(STARTUP_TIMEOUT) or self.port is None:
            state = "exited with %s" % self.proc.poll() if not self.running else "still running"
            self.terminate()
            raise RuntimeError(
                f"motcua serve did not report 'listening on …' within {STARTUP_TIMEOUT:.0f}s ({state}).\n"
                f"command: {' '.join(self.serve_command())}\nlog tail:\n{self.log_tail()}"
            )
        return self

    def restart(self) -> "Server":
        """Start again on the same database (after stop() or kill9()); the port changes."""
        assert not self.running, "stop or kill the server before restarting it"
        self._close_channels()
        return self.start()

    def stop(self) -> int:
        """SIGTERM and wait for the exit; returns the exit status."""
        assert self.proc is not None
        self._close_channels()
        if self.running:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise AssertionError(f"server ignored SIGTERM for {STOP_TIMEOUT:.0f}s; killed.\n{self.log_tail()}")
        finally:
            _LIVE_SERVERS.discard(self)

    def kill9(self) -> None:
        assert self.proc is not None
        if self.running:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT)
        _LIVE_SERVERS.discard(self)

    def terminate(self) -> None:
        """Teardown: never raises, always leaves no process behind."""
        self._close_channels()
        if self.proc is not None and self.running:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        _LIVE_SERVERS.discard(self)

    def _pump_output(self, proc: subprocess.Popen, ready: threading.Event) -> None:
        with open(self.log_path, "ab") as log:
            for raw in proc.stdout:  # until EOF, so the pipe never fills
                log.write(raw)
                log.flush()
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                self._tail.append(line)
                if not ready.is_set():
                    match = LISTENING_RE.search(line)
                    if match:
                        self.port = int(match.group(1))
                        ready.set()
        ready.set()  # EOF: the process is gone; start() sees port is None

    def log_tail(self) -> str:
        return "\n".join(self._tail) or "(no output)"

    # -- clients -----------------------------------------------------------------------------------------------

    @property
    def address(self) -> str:
        assert self.port is not None, "server not started"
        return f"127.0.0.1:{self.port}"

    def channel(self) -> grpc.Channel:
        """A ready channel: TLS (trusting the server's certificate) when the server uses TLS."""
        if self.tls:
            channel = secure_channel(self.address, self.tls[0])
        else:
            channel = grpc.insecure_channel(self.address)
        grpc.channel_ready_future(channel).result(timeout=CHANNEL_READY_TIMEOUT)
        self._channels.append(channel)
        return channel

    def _close_channels(self) -> None:
        for channel in self._channels:
            channel.close()
        self._channels.clear()

    def database_args(self) -> list[str]:
        return ["--db", str(self.db_path)]

    def token(self, role: str, *, branch: str | None = None, counter: str | None = None) -> str:
        cmd = [str(self.binary), "token", "create", *self.database_args(), "--seeds", str(self.seeds),
               "--role", role]
        if branch:
            cmd += ["--branch", branch]
        if counter:
            cmd += ["--counter", counter]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=TOKEN_TIMEOUT)
        lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        if result.returncode != 0 or not lines:
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return lines[-1]


def secure_channel(address: str, root_cert: Path) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(root_certificates=Path(root_cert).read_bytes())
    return grpc.secure_channel(address, credentials, options=[("grpc.ssl_target_name_override", "localhost")])


# --------------------------------------------------------------------------------------------------------------
# Client


def bearer(token: str | None):
    return None if token is None else (("authorization", f"Bearer {token}"),)


class Client:
    """The RPCs the tests use, each with a deadline; token=None sends no authorization header."""

    def __init__(self, pb: SimpleNamespace, channel: grpc.Channel) -> None:
        self.pb = pb
        self.directory = pb.directory_grpc.DirectoryServiceStub(channel)
        self.kiosk = pb.kiosk_grpc.KioskServiceStub(channel)
        self.counter = pb.counter_grpc.CounterServiceStub(channel)
        self.display = pb.display_grpc.DisplayServiceStub(channel)
        self.tickets = pb.ticket_grpc.TicketServiceStub(channel)
        self.scheduler = pb.scheduler_grpc.SchedulerServiceStub(channel)
        self.staff = pb.staff_grpc.StaffServiceStub(channel)
        self.health_stub = pb.health_grpc.HealthStub(channel)

    # Directory
    def list_branches(self):
        return list(self.directory.ListBranches(self.pb.directory.ListBranchesRequest(), timeout=RPC_TIMEOUT).branches)

    def list_services(self, branch_id: str):
        request = self.pb.directory.ListServicesRequest(branch_id=branch_id)
        return list(self.directory.ListServices(request, timeout=RPC_TIMEOUT).services)

    def list_counters(self, branch_id: str):
        request = self.pb.directory.ListCountersRequest(branch_id=branch_id)
        return list(self.directory.ListCounters(request, timeout=RPC_TIMEOUT).counters)

    # Kiosk
    def issue_request(self, branch_id: str, service_id: str, key: str, priority: int = 0):
        return self.pb.kiosk.IssueTicketRequest(
            branch_id=branch_id, service_id=service_id, priority=priority, idempotency_key=key)

    def issue(self, token: str | None, request):
        return self.kiosk.IssueTicket(request, metadata=bearer(token), timeout=RPC_TIMEOUT)

    def predict_wait(self, branch_id: str, service_id: str):
        request = self.pb.kiosk.PredictWaitRequest(branch_id=branch_id, service_id=service_id)
        return self.kiosk.PredictWait(request, timeout=RPC_TIMEOUT)

    # Counter
    def open_counter(self, token: str | None, counter_id: str, service_ids: Iterable[str] = ()):
        request = self.pb.counter.OpenCounterRequest(counter_id=counter_id, service_ids=list(service_ids))
        return self.counter.OpenCounter(request, metadata=bearer(token), timeout=RPC_TIMEOUT).counter

    def call_next(self, token: str | None, counter_id: str, key: str = ""):
        """The CallNextResponse; test resp.HasField("ticket")."""
        request = self.pb.counter.CallNextRequest(counter_id=counter_id, idempotency_key=key)
        return self.counter.CallNext(request, metadata=bearer(token), timeout=RPC_TIMEOUT)

    def complete(self, token: str | None, ticket_id: str, counter_id: str):
        request = self.pb.counter.CompleteRequest(ticket_id=ticket_id, counter_id=counter_id)
        return self.counter.Complete(request, metadata=bearer(token), timeout=RPC_TIMEOUT).ticket

    # Ticket
    def track(self, ticket_id: str, tracking_code: str):
        request = self.pb.ticket.TrackTicketRequest(ticket_id=ticket_id, tracking_code=tracking_code)
        return self.tickets.TrackTicket(request, timeout=RPC_TIMEOUT).ticket

    # Health
    def health(self, service: str = ""):
        request = self.pb.health.HealthCheckRequest(service=service)
        return self.health_stub.Check(request, timeout=RPC_TIMEOUT).status

    # Display
    def watch(self, branch_id: str, after_sequence: int = 0, deadline: float = 120.0) -> "BranchWatcher":
        request = self.pb.display.WatchBranchRequest(branch_id=branch_id, after_sequence=after_sequence)
        return BranchWatcher(self.display.WatchBranch(request, timeout=deadline))


class BranchWatcher:
    """Collects a WatchBranch stream on a daemon thread; the call itself has a deadline."""

    def __init__(self, call) -> None:
        self._call = call
        self._messages: list = []
        self.arrivals: list[float] = []  # time.time() at which each message arrived
        self._cond = threading.Condition()
        self.finished = False
        self.error: grpc.RpcError | None = None
        self._thread = threading.Thread(target=self._read, daemon=True, name="watch-branch")
        self._thread.start()

    def _read(self) -> None:
        try:
            for message in self._call:
                arrived = time.time()
                with self._cond:
                    self._messages.append(message)
                    self.arrivals.append(arrived)
                    self._cond.notify_all()
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.CANCELLED:
                self.error = err
        finally:
            with self._cond:
                self.finished = True
                self._cond.notify_all()

    def messages(self) -> list:
        with self._cond:
            return list(self._messages)

    def wait_until(self, predicate: Callable[[list], bool], timeout: float, what: str) -> list:
        """Wait until predicate(messages) holds; fail (never hang) after timeout or if the stream ended."""
        with self._cond:
            self._cond.wait_for(lambda: self.finished or predicate(self._messages), timeout)
            messages = list(self._messages)
        if not predicate(messages):
            ended = f"stream ended ({self.error.code().name}: {self.error.details()})" if self.error else (
                "stream ended" if self.finished else "stream still open")
            raise AssertionError(f"WatchBranch: {what} not seen within {timeout:.0f}s; "
                                 f"{len(messages)} messages received; {ended}")
        return messages

    def close(self) -> None:
        self._call.cancel()
        self._thread.join(timeout=5)

    def __enter__(self) -> "BranchWatcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def stream_events(messages: list) -> list:
    return [m.event for m in messages if m.WhichOneof("payload") == "event"]


# --------------------------------------------------------------------------------------------------------------
# Assertions and small utilities


def expect_rpc_error(code: grpc.StatusCode, fn: Callable, *args, **kwargs) -> grpc.RpcError:
    """Call fn, which must fail with `code` and a non-empty details message."""
    with pytest.raises(grpc.RpcError) as info:
        fn(*args, **kwargs)
    err = info.value
    assert err.code() == code, f"expected {code.name}, got {err.code().name}: {err.details()!r}"
    assert (err.details() or "").strip(), f"{code.name} carries no details message"
    return err


def retry_transient(fn: Callable, attempts: int = 6, first_delay: float = 0.05):
    """fn() retried on UNAVAILABLE/ABORTED as a real client would; returns (result, number_of_retries)."""
    delay = first_delay
    for attempt in range(attempts):
        try:
            return fn(), attempt
        except grpc.RpcError as err:
            if err.code() not in TRANSIENT_CODES or attempt == attempts - 1:
                raise
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def expected_numbers(prefix: str, count: int) -> set[str]:
    """prefix001 … prefix<count>: the gapless numbering of one service on one day."""
    return {f"{prefix}{i:03d}" for i in range(1, count + 1)}


def number_pattern(prefix: str) -> re.Pattern:
    return re.compile(re.escape(prefix) + r"\d{3,}")


def counters_for_service(client: Client, branch_id: str, service_id: str, count: int) -> list:
    """`count` counters of the branch, preferring those set up for the service (tests open them with it)."""
    counters = sorted(client.list_counters(branch_id), key=lambda c: c.counter_id)
    set_up = [c for c in counters if service_id in c.service_ids]
    others = [c for c in counters if service_id not in c.service_ids]
    chosen = (set_up + others)[:count]
    assert len(chosen) == count, f"branch {branch_id} has {len(counters)} counters, the test needs {count}"
    return chosen


def service_with_most_counters(client: Client, branch_id: str):
    """The branch's service that the most counters are set up for (ties: smallest id)."""
    services = client.list_services(branch_id)
    assert services, f"branch {branch_id} lists no services"
    counters = client.list_counters(branch_id)
    return min(services, key=lambda s: (-sum(s.service_id in c.service_ids for c in counters), s.service_id))


# --------------------------------------------------------------------------------------------------------------
# Appointments (BookingService): stubs, client, identities, opening days, servers with extra flags, and
# loopback forwarders that make a client appear to the server from another 127.x.y.z address.

import datetime as _dt  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import socket  # noqa: E402

VIETNAM = _dt.timezone(_dt.timedelta(hours=7))
BOOKING_HORIZON_DAYS = 30


def booking_stubs(pb: SimpleNamespace) -> SimpleNamespace:
    """`msg` (booking_pb2) and `grpc` (booking_pb2_grpc); generate_stubs compiled them but imports only the rest."""
    del pb  # only to make sure generate_stubs ran and put the stubs on sys.path
    return SimpleNamespace(msg=importlib.import_module("motcua.v1.booking_pb2"),
                           grpc=importlib.import_module("motcua.v1.booking_pb2_grpc"))


class ServerWithArgs(Server):
    """A Server whose `serve` command gets extra flags (e.g. --unsafe-disable-capacity-check)."""

    def __init__(self, *args, extra_args: Sequence[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.extra_args = list(extra_args)

    def serve_command(self) -> list[str]:
        return super().serve_command() + self.extra_args


class Person(collections.namedtuple("Person", "national_id phone")):
    """A citizen as the booking RPCs see them."""


_person_numbers = itertools.count(1)
_person_lock = threading.Lock()


def new_person(phone: str | None = None) -> Person:
    """A citizen with a national ID never used before in this process (12 digits) and, unless given, a phone
    never used before (10 digits starting 09)."""
    with _person_lock:
        n = next(_person_numbers)
    return Person(f"001{n:09d}", phone or f"09{n:08d}")


def vietnam_today() -> _dt.date:
    return _dt.datetime.now(VIETNAM).date()


def holidays() -> set[str]:
    return {h["date"] for h in json.loads((SEEDS / "holidays.json").read_text(encoding="utf-8"))}


def service_fields() -> dict[str, str]:
    """service id → its field (CIVIL_STATUS, LAND, …), from the seeds."""
    return {s["id"]: s["field"] for s in json.loads((SEEDS / "services.json").read_text(encoding="utf-8"))}


def seed_branches() -> list[dict]:
    return json.loads((SEEDS / "branches.json").read_text(encoding="utf-8"))


def weekdays_ahead(count: int, skip: int = 0) -> list[str]:
    """The next `count` Monday–Friday dates ("YYYY-MM-DD", Vietnam civil time) after today that are not public
    holidays, skipping the first `skip` of them; all within the booking horizon."""
    closed = holidays()
    today = vietnam_today()
    days = []
    for offset in range(1, BOOKING_HORIZON_DAYS + 1):
        day = today + _dt.timedelta(days=offset)
        if day.weekday() < 5 and day.isoformat() not in closed:
            days.append(day.isoformat())
    assert len(days) >= skip + count, f"only {len(days)} open weekdays in the next {BOOKING_HORIZON_DAYS} days"
    return days[skip:skip + count]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def separate_channel(address: str) -> grpc.Channel:
    """A ready insecure channel with its own TCP connection (grpcio otherwise shares one per target)."""
    channel = grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
    try:
        grpc.channel_ready_future(channel).result(timeout=CHANNEL_READY_TIMEOUT)
    except grpc.FutureTimeoutError:
        channel.close()
        raise AssertionError(f"channel to {address} not ready within {CHANNEL_READY_TIMEOUT:.0f}s")
    return channel


class BookingClient:
    """BookingService (and KioskService.CheckIn) calls, each with a deadline; token=None calls without a token."""

    def __init__(self, pb: SimpleNamespace, channel: grpc.Channel, token: str | None = None) -> None:
        self.bk = booking_stubs(pb).msg
        self.stub = booking_stubs(pb).grpc.BookingServiceStub(channel)
        self.kiosk = pb.kiosk_grpc.KioskServiceStub(channel)
        self.pb = pb
        self.metadata = bearer(token)

    def _citizen(self, person: Person):
        return self.bk.Citizen(national_id=person.national_id, phone=person.phone)

    def list_slots(self, service_id: str, date_from: str, date_to: str | None = None, *, branch_id: str = "",
                   near: tuple[float, float, float] | None = None, only_free: bool = False) -> list:
        request = self.bk.ListSlotsRequest(service_id=service_id, branch_id=branch_id, date_from=date_from,
                                           date_to=date_to or date_from, only_free=only_free)
        if near:
            request.latitude, request.longitude, request.radius_km = near
        return list(self.stub.ListSlots(request, metadata=self.metadata, timeout=RPC_TIMEOUT).slots)

    def hold(self, slot_id: str, person: Person):
        request = self.bk.HoldSlotRequest(slot_id=slot_id, citizen=self._citizen(person))
        return self.stub.HoldSlot(request, metadata=self.metadata, timeout=RPC_TIMEOUT)

    def book(self, person: Person, key: str, *, slot_id: str = "", hold_id: str = ""):
        """The BookSlotResponse (booking, replayed)."""
        request = self.bk.BookSlotRequest(slot_id=slot_id, hold_id=hold_id, citizen=self._citizen(person),
                                          idempotency_key=key)
        return self.stub.BookSlot(request, metadata=self.metadata, timeout=RPC_TIMEOUT)

    def get(self, code: str, national_id: str):
        request = self.bk.GetBookingRequest(code=code, national_id=national_id)
        return self.stub.GetBooking(request, metadata=self.metadata, timeout=RPC_TIMEOUT).booking

    def cancel(self, code: str, national_id: str):
        request = self.bk.CancelBookingRequest(code=code, national_id=national_id)
        return self.stub.CancelBooking(request, metadata=self.metadata, timeout=RPC_TIMEOUT).booking

    def reschedule(self, code: str, national_id: str, new_slot_id: str):
        request = self.bk.RescheduleBookingRequest(code=code, national_id=national_id, new_slot_id=new_slot_id)
        return self.stub.RescheduleBooking(request, metadata=self.metadata, timeout=RPC_TIMEOUT).booking

    def check_in(self, kiosk_token: str, branch_id: str, code: str):
        request = self.pb.kiosk.CheckInRequest(branch_id=branch_id, code=code)
        return self.kiosk.CheckIn(request, metadata=bearer(kiosk_token), timeout=RPC_TIMEOUT)

    def free_by_slot(self, slots: Iterable) -> dict[str, int]:
        """slot_id → `free` as ListSlots reports it now, for the given slots (one ListSlots per branch/service)."""
        wanted = collections.defaultdict(set)
        for slot in slots:
            wanted[(slot.branch_id, slot.service_id)].add(slot.local_date)
        free: dict[str, int] = {}
        for (branch_id, service_id), dates in wanted.items():
            for slot in self.list_slots(service_id, min(dates), max(dates), branch_id=branch_id):
                free[slot.slot_id] = slot.free
        return free


def collect_slots(client: BookingClient, combos: Iterable[tuple[str, str]], dates: Sequence[str],
                  accept: Callable, count: int) -> list:
    """Up to `count` free slots accepted by `accept(slot)`, from ListSlots of each (branch, service) in turn over
    dates[0]…dates[-1] (only slots on `dates`)."""
    chosen: list = []
    wanted_dates = set(dates)
    for branch_id, service_id in combos:
        for slot in client.list_slots(service_id, dates[0], dates[-1], branch_id=branch_id, only_free=True):
            if slot.local_date in wanted_dates and slot.free == slot.capacity and accept(slot):
                chosen.append(slot)
                if len(chosen) == count:
                    return chosen
    return chosen


def branch_service_pairs(client: Client) -> list[tuple[str, str]]:
    """Every (branch_id, service_id) the directory lists, interleaved by branch so consecutive pairs differ."""
    per_branch = [[(b.branch_id, s.service_id) for s in sorted(client.list_services(b.branch_id),
                                                                key=lambda s: s.service_id)]
                  for b in sorted(client.list_branches(), key=lambda b: b.branch_id)]
    return [pair for group in itertools.zip_longest(*per_branch) for pair in group if pair]


class LoopbackForwarder:
    """Relays TCP connections so that the server sees them coming from `source_ip` (e.g. 127.0.0.11).

    grpcio cannot bind a client's source address; instead the client connects to `self.address`
    (127.0.0.1:<ephemeral>) and every accepted connection is relayed to `target` from a socket bound to
    (source_ip, 0). Threads: one accepting (polls every 0.2 s for close()), two pumping per connection.
    """

    def __init__(self, source_ip: str, target: tuple[str, int]) -> None:
        self.source_ip = source_ip
        self.target = target
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.address = "127.0.0.1:%d" % self._listener.getsockname()[1]
        self._spawn(self._accept_loop, f"fwd-accept-{source_ip}")

    def _spawn(self, target: Callable, name: str, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                downstream, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=CHANNEL_READY_TIMEOUT,
                                                    source_address=(self.source_ip, 0))
            except OSError:
                downstream.close()
                continue
            downstream.settimeout(None)
            upstream.settimeout(None)
            for sock in (downstream, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets += [downstream, upstream]
            self._spawn(self._pump, f"fwd-up-{self.source_ip}", downstream, upstream)
            self._spawn(self._pump, f"fwd-down-{self.source_ip}", upstream, downstream)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def channel(self) -> grpc.Channel:
        return separate_channel(self.address)

    def close(self) -> None:
        """Stop accepting, cut every relayed connection and join the threads (bounded)."""
        self._closed.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept() at once
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for thread in threads:
            thread.join(timeout=2)

    def __enter__(self) -> "LoopbackForwarder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------------------------------------------
# Several servers on one PostgreSQL (scripts/postgres-server.sh starts a throw-away PostgreSQL 15)

POSTGRES_SCRIPT = REPO / "scripts" / "postgres-server.sh"


class PostgresCluster:
    """A PostgreSQL server of the test's own in a temporary directory: start, crash (`pg_ctl stop -m
    immediate`), restart on the same port, fresh databases, psql queries."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.url = ""

    def _run(self, command: str) -> str:
        result = subprocess.run([str(POSTGRES_SCRIPT), command, str(self.directory)], capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            log = self.directory / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"postgres-server.sh {command} failed:\n{result.stdout}\n{result.stderr}\n{tail}")
        return result.stdout.strip()

    def start(self) -> "PostgresCluster":
        self.url = self._run("start")
        return self

    def crash(self) -> None:
        self._run("crash")

    def restart(self) -> None:
        self._run("restart")

    def stop(self) -> None:
        try:
            self._run("stop")
        except RuntimeError:
            pass

    def psql(self, sql: str, database: str = "postgres") -> str:
        url = self.url.rsplit("/", 1)[0] + "/" + database
        result = subprocess.run(["psql", url, "-Atq", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True,
                                text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout.strip()

    def new_database(self, name: str) -> str:
        """Creates database `name` and returns its URL."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name


class PostgresServer(Server):
    """A `motcua serve --postgres URL` process; every server of a test shares the PII key file."""

    def __init__(self, binary: Path, url: str, workdir: Path, key_file: Path, extra_args: Sequence[str] = (),
                 **kwargs) -> None:
        super().__init__(binary, workdir / "unused.sqlite", workdir / "server.log", **kwargs)
        self.url = url
        self.key_file = key_file
        self.extra_args = list(extra_args)

    def database_args(self) -> list[str]:
        return ["--postgres", self.url, "--postgres-pool-size", "8"]

    def serve_command(self) -> list[str]:
        return super().serve_command() + ["--pii-key-file", str(self.key_file)] + self.extra_args


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]
