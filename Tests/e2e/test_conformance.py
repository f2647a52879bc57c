"""gRPC conformance of `motcua serve` through an independent client (Python grpcio), whatever serves it.

- Every RPC of every service in the contract (enumerated from the generated descriptors) answers a valid
  request: OK, or the documented domain status for a call whose state a test cannot create (CheckIn of a
  booking that starts tomorrow is FAILED_PRECONDITION "too early"). A new RPC without a conformance call here
  fails `test_every_contract_rpc_has_a_conformance_call`.
- Errors carry details (NOT_FOUND, INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED), and a
  non-ASCII message round-trips.
- Deadlines, cancellation mid-stream (one, then 200), metadata, messages larger than a frame up to the 64 KiB
  request limit and one over it, and more concurrent streams on one connection than the server allows.

Raw HTTP/2 cases (bad content-type, compressed messages, torn frames, …) are in test_conformance_wire.py.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from h2_raw import RawGrpcClient, padded
from motcua_harness import (
    HOME_BRANCH, RPC_TIMEOUT, SEEDS, BranchWatcher, Client, bearer, booking_stubs, expect_rpc_error, holidays,
    new_person, retry_transient, separate_channel, vietnam_today, weekdays_ahead,
)

Code = grpc.StatusCode

MAX_REQUEST_BYTES = 64 * 1024
MAX_CONCURRENT_STREAMS = 100
STREAM_TIMEOUT = 60.0  # deadline of every streaming call in this file
SNAPSHOT_TIMEOUT = 30.0
CANCELLED_STREAMS = 200
OVER_LIMIT_STREAMS = 150
CAU_GIAY = (21.0330, 105.7990)
VIETNAMESE_BRANCH = "hn-hoàn-kiếm-không-tồn-tại"


def fresh_key(prefix: str = "cf") -> str:
    return f"{prefix}-{uuid.uuid4()}"


def method_path(full_service: str, method: str) -> str:
    return f"/{full_service}/{method}"


def contract_methods(pb) -> set[str]:
    """'/package.Service/Method' of every RPC in every compiled proto of the contract (Protos/motcua/v1/*.proto
    and the health proto), from the generated modules' service descriptors."""
    stubs_root = Path(pb.common.__file__).resolve().parents[2]  # …/stubs/motcua/v1/common_pb2.py
    modules = [importlib.import_module(f"motcua.v1.{p.stem}") for p in sorted((stubs_root / "motcua" / "v1").glob(
        "*_pb2.py"))]
    modules.append(pb.health)
    methods = set()
    for module in modules:
        for service in module.DESCRIPTOR.services_by_name.values():
            methods |= {method_path(service.full_name, m.name) for m in service.methods}
    return methods


# --------------------------------------------------------------------------------------------------------------
# A channel that records which methods it sent


class _Recorder(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    def __init__(self) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def _record(self, details) -> None:
        method = details.method.decode() if isinstance(details.method, bytes) else details.method
        with self._lock:
            self.sent.append(method)

    def intercept_unary_unary(self, continuation, client_call_details, request):
        self._record(client_call_details)
        return continuation(client_call_details, request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        self._record(client_call_details)
        return continuation(client_call_details, request)


@dataclass
class Env:
    server: object
    pb: object
    client: Client  # on the recording channel
    channel: grpc.Channel  # the recording channel
    recorder: _Recorder
    kiosk: str
    manager: str
    portal: str
    counter_a: str
    counter_b: str
    counter_a_token: str
    service_id: str  # counter A is set up for it
    other_service_id: str
    booking: object  # booking_pb2
    booking_stub: object
    report: object  # report_pb2
    report_stub: object
    slots: list = field(default_factory=list)  # free bookable slots, taken one by one
    counter_a_open: bool = False
    exercised: set = field(default_factory=set)

    # -- tickets at counter A ------------------------------------------------------------------------------------

    def issue(self):
        request = self.pb.kiosk.IssueTicketRequest(branch_id=HOME_BRANCH, service_id=self.service_id,
                                                   idempotency_key=fresh_key())
        return self.client.issue(self.kiosk, request).ticket

    def open_counter_a(self) -> None:
        if not self.counter_a_open:
            assert self.client.open_counter(self.counter_a_token, self.counter_a, [self.service_id]).open
            self.counter_a_open = True

    def called_ticket(self):
        """A ticket issued now and called at counter A (which holds nothing else afterwards)."""
        self.open_counter_a()
        self.issue()
        response = self.client.call_next(self.counter_a_token, self.counter_a, fresh_key("call"))
        assert response.HasField("ticket"), "CallNext found nobody although a ticket was just issued"
        return response.ticket

    def finish(self, ticket) -> None:
        self.client.complete(self.counter_a_token, ticket.ticket_id, self.counter_a)

    # -- appointments ------------------------------------------------------------------------------------------

    def take_slot(self):
        assert self.slots, "no free bookable slot left"
        return self.slots.pop(0)

    def citizen(self, person):
        return self.booking.Citizen(national_id=person.national_id, phone=person.phone)

    def book(self, slot=None):
        slot = slot or self.take_slot()
        person = new_person()
        request = self.booking.BookSlotRequest(slot_id=slot.slot_id, citizen=self.citizen(person),
                                               idempotency_key=fresh_key("bk"))
        response = self.booking_stub.BookSlot(request, metadata=bearer(self.portal), timeout=RPC_TIMEOUT)
        return response, person

    # -- streams -----------------------------------------------------------------------------------------------

    def first_of_stream(self, call):
        """The first message of a server stream, then cancels it (the call has STREAM_TIMEOUT)."""
        try:
            return next(call)
        finally:
            call.cancel()


@pytest.fixture(scope="module")
def env(pb, start_server) -> Env:
    server = start_server("conformance")
    recorder = _Recorder()
    channel = grpc.intercept_channel(separate_channel(server.address), recorder)
    client = Client(pb, channel)
    counters = sorted(client.list_counters(HOME_BRANCH), key=lambda c: c.counter_id)
    services = sorted(s.service_id for s in client.list_services(HOME_BRANCH))
    assert len(counters) >= 2 and len(services) >= 2, "the seeds need ≥2 counters and ≥2 services at the branch"
    a, b = counters[0].counter_id, counters[1].counter_id
    service_id = sorted(counters[0].service_ids)[0]
    bk = booking_stubs(pb)
    report = importlib.import_module("motcua.v1.report_pb2")
    report_grpc = importlib.import_module("motcua.v1.report_pb2_grpc")
    environment = Env(
        server=server, pb=pb, client=client, channel=channel, recorder=recorder,
        kiosk=server.token("kiosk", branch=HOME_BRANCH), manager=server.token("manager"),
        portal=server.token("portal"), counter_a=a, counter_b=b,
        counter_a_token=server.token("counter", branch=HOME_BRANCH, counter=a),
        service_id=service_id, other_service_id=next(s for s in services if s != service_id),
        booking=bk.msg, booking_stub=bk.grpc.BookingServiceStub(channel),
        report=report, report_stub=report_grpc.ReportServiceStub(channel),
    )
    environment.slots = bookable_slots(environment)
    yield environment
    channel.close()


def bookable_slots(env: Env) -> list:
    """Free slots at the home branch on the next opening day, one per (service, start) — enough for the calls."""
    day = weekdays_ahead(1)[0]
    slots = []
    for service in sorted(s.service_id for s in env.client.list_services(HOME_BRANCH)):
        request = env.booking.ListSlotsRequest(service_id=service, branch_id=HOME_BRANCH, date_from=day,
                                               date_to=day, only_free=True)
        found = env.booking_stub.ListSlots(request, metadata=bearer(env.portal), timeout=RPC_TIMEOUT).slots
        slots += [s for s in found if s.free > 0]
        if len(slots) >= 12:
            break
    assert len(slots) >= 6, f"only {len(slots)} free slots at {HOME_BRANCH} on {day}"
    return slots


# --------------------------------------------------------------------------------------------------------------
# One conformance call per RPC: function(env) returns the response (or raises grpc.RpcError)

CALLS: dict[str, Callable[[Env], object]] = {}
DOMAIN_STATUS: dict[str, Code] = {}  # the documented non-OK answer a call may give instead of OK


def conformance_call(path: str, domain_status: Code | None = None):
    def register(fn):
        CALLS[path] = fn
        if domain_status is not None:
            DOMAIN_STATUS[path] = domain_status
        return fn
    return register


# Directory
@conformance_call("/motcua.v1.DirectoryService/ListBranches")
def _list_branches(env):
    branches = env.client.list_branches()
    assert any(b.branch_id == HOME_BRANCH for b in branches)
    return branches


@conformance_call("/motcua.v1.DirectoryService/ListServices")
def _list_services(env):
    services = env.client.list_services(HOME_BRANCH)
    assert env.service_id in {s.service_id for s in services}
    return services


@conformance_call("/motcua.v1.DirectoryService/ListCounters")
def _list_counters(env):
    counters = env.client.list_counters(HOME_BRANCH)
    assert env.counter_a in {c.counter_id for c in counters}
    return counters


# Kiosk
@conformance_call("/motcua.v1.KioskService/IssueTicket")
def _issue_ticket(env):
    ticket = env.issue()
    assert ticket.ticket_id and ticket.number and ticket.tracking_code
    return ticket


@conformance_call("/motcua.v1.KioskService/PredictWait")
def _predict_wait(env):
    response = env.client.predict_wait(HOME_BRANCH, env.service_id)
    assert response.HasField("estimate") and response.estimate.method
    return response


@conformance_call("/motcua.v1.KioskService/LeaseNumbers")
def _lease_numbers(env):
    request = env.pb.kiosk.LeaseNumbersRequest(branch_id=HOME_BRANCH, service_id=env.service_id, count=3,
                                               idempotency_key=fresh_key("lease"))
    lease = env.client.kiosk.LeaseNumbers(request, metadata=bearer(env.kiosk), timeout=RPC_TIMEOUT).lease
    assert lease.lease_id and lease.last_sequence - lease.first_sequence == 2
    return lease


@conformance_call("/motcua.v1.KioskService/CheckIn", domain_status=Code.FAILED_PRECONDITION)
def _check_in(env):
    booked, _ = env.book()
    request = env.pb.kiosk.CheckInRequest(branch_id=HOME_BRANCH, code=booked.booking.code)
    return env.client.kiosk.CheckIn(request, metadata=bearer(env.kiosk), timeout=RPC_TIMEOUT)


# Counter
@conformance_call("/motcua.v1.CounterService/OpenCounter")
def _open_counter(env):
    counter = env.client.open_counter(env.counter_a_token, env.counter_a, [env.service_id])
    assert counter.open and env.service_id in counter.service_ids
    env.counter_a_open = True
    return counter


@conformance_call("/motcua.v1.CounterService/CloseCounter")
def _close_counter(env):
    env.client.open_counter(env.manager, env.counter_b, [env.service_id])
    request = env.pb.counter.CloseCounterRequest(counter_id=env.counter_b)
    counter = env.client.counter.CloseCounter(request, metadata=bearer(env.manager), timeout=RPC_TIMEOUT).counter
    assert not counter.open
    return counter


@conformance_call("/motcua.v1.CounterService/CallNext")
def _call_next(env):
    ticket = env.called_ticket()
    assert ticket.state == env.pb.common.TICKET_STATE_CALLED and ticket.counter_id == env.counter_a
    env.finish(ticket)
    return ticket


def _ticket_command(env, rpc: str, request_type: str, expected_state: str, finish: bool, **extra):
    ticket = env.called_ticket()
    request = getattr(env.pb.counter, request_type)(ticket_id=ticket.ticket_id, counter_id=env.counter_a, **extra)
    response = getattr(env.client.counter, rpc)(request, metadata=bearer(env.counter_a_token), timeout=RPC_TIMEOUT)
    assert response.ticket.state == env.pb.common.TicketState.Value(expected_state), response
    if finish:
        env.finish(response.ticket)
    return response


@conformance_call("/motcua.v1.CounterService/Recall")
def _recall(env):
    response = _ticket_command(env, "Recall", "RecallRequest", "TICKET_STATE_CALLED", True)
    assert response.ticket.recall_count == 1
    return response


@conformance_call("/motcua.v1.CounterService/StartServing")
def _start_serving(env):
    return _ticket_command(env, "StartServing", "StartServingRequest", "TICKET_STATE_SERVING", True)


@conformance_call("/motcua.v1.CounterService/Complete")
def _complete(env):
    return _ticket_command(env, "Complete", "CompleteRequest", "TICKET_STATE_DONE", False)


@conformance_call("/motcua.v1.CounterService/MarkNoShow")
def _mark_no_show(env):
    return _ticket_command(env, "MarkNoShow", "MarkNoShowRequest", "TICKET_STATE_NO_SHOW", False)


@conformance_call("/motcua.v1.CounterService/Transfer")
def _transfer(env):
    response = _ticket_command(env, "Transfer", "TransferRequest", "TICKET_STATE_WAITING", False,
                               service_id=env.other_service_id)
    assert response.ticket.service_id == env.other_service_id
    return response


# Display
@conformance_call("/motcua.v1.DisplayService/WatchBranch")
def _watch_branch(env):
    request = env.pb.display.WatchBranchRequest(branch_id=HOME_BRANCH)
    first = env.first_of_stream(env.client.display.WatchBranch(request, timeout=STREAM_TIMEOUT))
    assert first.WhichOneof("payload") == "snapshot" and first.snapshot.branch_id == HOME_BRANCH
    return first


# Ticket
@conformance_call("/motcua.v1.TicketService/TrackTicket")
def _track_ticket(env):
    issued = env.issue()
    tracked = env.client.track(issued.ticket_id, issued.tracking_code)
    assert tracked.ticket_id == issued.ticket_id and tracked.number == issued.number
    return tracked


@conformance_call("/motcua.v1.TicketService/SubmitFeedback")
def _submit_feedback(env):
    ticket = env.called_ticket()
    env.finish(ticket)
    request = env.pb.ticket.SubmitFeedbackRequest(ticket_id=ticket.ticket_id, tracking_code=ticket.tracking_code,
                                                  score=5, comment="Cán bộ tận tình, nhanh chóng 👍")
    return env.client.tickets.SubmitFeedback(request, timeout=RPC_TIMEOUT)


# Report
@conformance_call("/motcua.v1.ReportService/GetBranchReport")
def _get_branch_report(env):
    today = vietnam_today().isoformat()
    request = env.report.GetBranchReportRequest(branch_id=HOME_BRANCH, date_from=today, date_to=today)
    report = env.report_stub.GetBranchReport(request, metadata=bearer(env.manager), timeout=RPC_TIMEOUT)
    assert report.branch_id == HOME_BRANCH and report.date_from == today
    return report


# Scheduler
@conformance_call("/motcua.v1.SchedulerService/GetCityLoad")
def _get_city_load(env):
    request = env.pb.scheduler.GetCityLoadRequest()
    load = env.client.scheduler.GetCityLoad(request, metadata=bearer(env.manager), timeout=RPC_TIMEOUT).load
    assert HOME_BRANCH in {b.branch_id for b in load.branches}
    return load


@conformance_call("/motcua.v1.SchedulerService/WatchCity")
def _watch_city(env):
    request = env.pb.scheduler.WatchCityRequest(alert_threshold_minutes=45)
    first = env.first_of_stream(env.client.scheduler.WatchCity(request, metadata=bearer(env.manager),
                                                               timeout=STREAM_TIMEOUT))
    assert first.load.branches
    return first


@conformance_call("/motcua.v1.SchedulerService/RecommendBranches")
def _recommend_branches(env):
    pb = env.pb.scheduler
    service_id = env.client.list_services("hn-cau-giay")[0].service_id
    request = pb.RecommendBranchesRequest(location=pb.GeoLocation(latitude=CAU_GIAY[0], longitude=CAU_GIAY[1]),
                                          service_id=service_id, mode=pb.TRAVEL_MODE_MOTORBIKE)
    response = env.client.scheduler.RecommendBranches(request, timeout=RPC_TIMEOUT)
    assert response.recommendations
    return response


# Staff (a plan may move staff and close counters: on a server of its own, see staff_env)
def _next_working_morning() -> Timestamp:
    hanoi = dt.timezone(dt.timedelta(hours=7))
    closed = holidays()
    day = vietnam_today() + dt.timedelta(days=1)
    while day.weekday() >= 5 or day.isoformat() in closed:
        day += dt.timedelta(days=1)
    stamp = Timestamp()
    stamp.FromDatetime(dt.datetime.combine(day, dt.time(9), hanoi).astimezone(dt.timezone.utc))
    return stamp


_STAFF_SERVER: dict = {}


def _staff_client(env) -> tuple[Client, str]:
    """A client of a second server (started on first use; stopped with the module's servers)."""
    if "client" not in _STAFF_SERVER:
        server = env.start_server("conformance-staff")
        channel = grpc.intercept_channel(separate_channel(server.address), env.recorder)
        _STAFF_SERVER.update(client=Client(env.pb, channel), manager=server.token("manager"), channel=channel)
    return _STAFF_SERVER["client"], _STAFF_SERVER["manager"]


def _propose(env):
    client, manager = _staff_client(env)
    request = env.pb.staff.ProposeRebalanceRequest(horizon_start=_next_working_morning(), horizon_hours=4,
                                                   max_moves=5, max_distance_km=15.0)
    return client.staff.ProposeRebalance(request, metadata=bearer(manager), timeout=RPC_TIMEOUT)


@conformance_call("/motcua.v1.StaffService/ListStaff")
def _list_staff(env):
    client, manager = _staff_client(env)
    request = env.pb.staff.ListStaffRequest(branch_id=HOME_BRANCH)
    staff = client.staff.ListStaff(request, metadata=bearer(manager), timeout=RPC_TIMEOUT).staff
    assert staff and all(m.branch_id == HOME_BRANCH or m.home_branch_id == HOME_BRANCH for m in staff)
    return staff


@conformance_call("/motcua.v1.StaffService/ProposeRebalance")
def _propose_rebalance(env):
    plan = _propose(env)
    assert plan.plan_id
    return plan


@conformance_call("/motcua.v1.StaffService/ApplyRebalance")
def _apply_rebalance(env):
    client, manager = _staff_client(env)
    plan = _propose(env)
    request = env.pb.staff.ApplyRebalanceRequest(plan_id=plan.plan_id)
    applied = client.staff.ApplyRebalance(request, metadata=bearer(manager), timeout=RPC_TIMEOUT)
    assert [a.staff_id for a in applied.assignments] == [m.staff_id for m in plan.moves]
    return applied


# Booking
@conformance_call("/motcua.v1.BookingService/ListSlots")
def _list_slots(env):
    day = weekdays_ahead(1)[0]
    request = env.booking.ListSlotsRequest(service_id=env.service_id, branch_id=HOME_BRANCH, date_from=day,
                                           date_to=day)
    slots = env.booking_stub.ListSlots(request, metadata=bearer(env.portal), timeout=RPC_TIMEOUT).slots
    assert slots and all(s.local_date == day for s in slots)
    return slots


@conformance_call("/motcua.v1.BookingService/HoldSlot")
def _hold_slot(env):
    slot = env.take_slot()
    request = env.booking.HoldSlotRequest(slot_id=slot.slot_id, citizen=env.citizen(new_person()))
    hold = env.booking_stub.HoldSlot(request, metadata=bearer(env.portal), timeout=RPC_TIMEOUT)
    assert hold.hold_id and hold.slot.slot_id == slot.slot_id
    return hold


@conformance_call("/motcua.v1.BookingService/BookSlot")
def _book_slot(env):
    response, _ = env.book()
    assert response.booking.code and not response.replayed
    return response


@conformance_call("/motcua.v1.BookingService/GetBooking")
def _get_booking(env):
    booked, person = env.book()
    request = env.booking.GetBookingRequest(code=booked.booking.code, national_id=person.national_id)
    got = env.booking_stub.GetBooking(request, metadata=bearer(env.portal), timeout=RPC_TIMEOUT)
    assert got.booking.booking_id == booked.booking.booking_id
    return got


@conformance_call("/motcua.v1.BookingService/CancelBooking")
def _cancel_booking(env):
    booked, person = env.book()
    request = env.booking.CancelBookingRequest(code=booked.booking.code, national_id=person.national_id)
    cancelled = env.booking_stub.CancelBooking(request, metadata=bearer(env.portal), timeout=RPC_TIMEOUT)
    assert cancelled.booking.state == env.booking.BOOKING_STATE_CANCELLED
    return cancelled


@conformance_call("/motcua.v1.BookingService/RescheduleBooking")
def _reschedule_booking(env):
    booked, person = env.book()
    target = env.take_slot()
    request = env.booking.RescheduleBookingRequest(code=booked.booking.code, national_id=person.national_id,
                                                   new_slot_id=target.slot_id)
    moved = env.booking_stub.RescheduleBooking(request, metadata=bearer(env.portal), timeout=RPC_TIMEOUT)
    assert moved.booking.code == booked.booking.code and moved.booking.start == target.start
    return moved


# Health
@conformance_call("/grpc.health.v1.Health/Check")
def _health_check(env):
    status = env.client.health("")
    assert status == env.pb.health.HealthCheckResponse.SERVING
    return status


@conformance_call("/grpc.health.v1.Health/Watch")
def _health_watch(env):
    request = env.pb.health.HealthCheckRequest(service="")
    first = env.first_of_stream(env.client.health_stub.Watch(request, timeout=STREAM_TIMEOUT))
    assert first.status == env.pb.health.HealthCheckResponse.SERVING
    return first


def run_conformance_call(env: Env, path: str) -> None:
    """Runs the call registered for `path`; it must send `path` and answer OK (or its domain status)."""
    before = len(env.recorder.sent)
    try:
        CALLS[path](env)
    except grpc.RpcError as err:
        allowed = DOMAIN_STATUS.get(path)
        assert err.code() == allowed, f"{path}: {err.code().name} {err.details()!r} (allowed: OK, {allowed})"
        assert (err.details() or "").strip(), f"{path}: {err.code().name} without details"
    sent = env.recorder.sent[before:]
    assert path in sent, f"the conformance call for {path} sent only {sorted(set(sent))}"
    env.exercised.add(path)


@pytest.fixture(scope="module", autouse=True)
def _start_server_for_staff(env, start_server):
    env.start_server = start_server  # the staff calls start their own server lazily
    yield
    channel = _STAFF_SERVER.pop("channel", None)
    if channel is not None:
        channel.close()
    _STAFF_SERVER.clear()


# --------------------------------------------------------------------------------------------------------------
# Every RPC


def test_every_contract_rpc_has_a_conformance_call(pb):
    contract = contract_methods(pb)
    assert "/motcua.v1.KioskService/PredictWait" in contract and "/grpc.health.v1.Health/Watch" in contract
    missing, extra = contract - set(CALLS), set(CALLS) - contract
    assert not missing, f"RPCs in the contract without a conformance call: {sorted(missing)}"
    assert not extra, f"conformance calls for RPCs not in the contract: {sorted(extra)}"


@pytest.mark.parametrize("path", sorted(CALLS))
def test_rpc_answers_a_valid_request(env, path):
    run_conformance_call(env, path)


def test_every_contract_rpc_was_exercised(env, pb):
    """Runs whatever a -k selection skipped, then compares the set of answered methods with the contract."""
    for path in sorted(contract_methods(pb) - env.exercised):
        if path in CALLS:
            run_conformance_call(env, path)
    assert env.exercised == contract_methods(pb), sorted(contract_methods(pb) ^ env.exercised)


# --------------------------------------------------------------------------------------------------------------
# Errors with details


def test_not_found_has_details(env):
    expect_rpc_error(Code.NOT_FOUND, env.client.track, "tk_no_such_ticket", "ABCDEFGH")


def test_invalid_argument_has_details(env):
    request = env.pb.kiosk.IssueTicketRequest(branch_id=HOME_BRANCH, service_id=env.service_id, idempotency_key="")
    err = expect_rpc_error(Code.INVALID_ARGUMENT, env.client.issue, env.kiosk, request)
    assert "idempotency_key" in err.details()


def test_permission_denied_has_details(env):
    expect_rpc_error(Code.PERMISSION_DENIED, env.client.call_next, env.kiosk, env.counter_a)


def test_unauthenticated_has_details(env):
    request = env.pb.kiosk.IssueTicketRequest(branch_id=HOME_BRANCH, service_id=env.service_id,
                                              idempotency_key=fresh_key())
    expect_rpc_error(Code.UNAUTHENTICATED, env.client.issue, None, request)


def test_unknown_method_is_unimplemented_with_details(env):
    call = env.channel.unary_unary("/motcua.v1.KioskService/Nope")  # bytes in, bytes out
    expect_rpc_error(Code.UNIMPLEMENTED, call, b"", timeout=RPC_TIMEOUT)


def test_non_ascii_error_message_round_trips(env):
    err = expect_rpc_error(Code.NOT_FOUND, env.client.list_services, VIETNAMESE_BRANCH)
    assert VIETNAMESE_BRANCH in err.details(), f"the branch id came back as {err.details()!r}"


# --------------------------------------------------------------------------------------------------------------
# Deadlines


def test_unary_deadline_is_deadline_exceeded_and_the_command_is_not_applied(env):
    # The test holds SQLite's write lock, so IssueTicket cannot commit within its 300-ms deadline (PredictWait is
    # answered from memory in well under a millisecond: no unary call is slow on its own). The expired
    # `grpc-timeout` on the wire is in test_conformance_wire.py.
    key = f"deadline-{uuid.uuid4()}"
    request = env.client.issue_request(HOME_BRANCH, env.service_id, key)
    lock = sqlite3.connect(env.server.db_path, timeout=10, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(grpc.RpcError) as raised:
            env.client.kiosk.IssueTicket(request, metadata=bearer(env.kiosk), timeout=0.3)
        assert raised.value.code() == Code.DEADLINE_EXCEEDED, raised.value
        time.sleep(0.5)  # the server's command waits for the lock, past its deadline
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    # The command was rolled back when it finally ran: the same key now makes a new ticket, not a replay.
    retried, _ = retry_transient(lambda: env.client.issue(env.kiosk, request))
    assert not retried.replayed, "a command whose deadline had passed was applied"
    assert env.client.predict_wait(HOME_BRANCH, env.service_id).HasField("estimate")  # still serving


def test_stream_deadline_ends_the_stream(env):
    request = env.pb.display.WatchBranchRequest(branch_id=HOME_BRANCH)
    started = time.monotonic()
    call = env.client.display.WatchBranch(request, timeout=1.0)
    assert next(call).WhichOneof("payload") == "snapshot"
    with pytest.raises(grpc.RpcError) as raised:
        for _ in call:
            pass
    assert raised.value.code() == Code.DEADLINE_EXCEEDED, raised.value
    assert time.monotonic() - started < 15, "the stream outlived its deadline by far"


# --------------------------------------------------------------------------------------------------------------
# Cancellation mid-stream


def open_watch(env: Env, client: Client | None = None):
    request = env.pb.display.WatchBranchRequest(branch_id=HOME_BRANCH)
    return (client or env.client).display.WatchBranch(request, timeout=STREAM_TIMEOUT)


def test_cancel_mid_stream_then_the_server_keeps_serving(env):
    call = open_watch(env)
    assert next(call).WhichOneof("payload") == "snapshot"
    call.cancel()
    with pytest.raises(grpc.RpcError) as raised:
        next(call)
    assert raised.value.code() == Code.CANCELLED
    assert env.client.predict_wait(HOME_BRANCH, env.service_id).HasField("estimate")
    # A ticket issued after the cancel reaches a new watcher (the branch's fan-out survived the cancelled one).
    with BranchWatcher(open_watch(env)) as watcher:
        watcher.wait_until(lambda m: m and m[0].WhichOneof("payload") == "snapshot", SNAPSHOT_TIMEOUT, "snapshot")
        number = env.issue().number
        watcher.wait_until(lambda m: any(x.WhichOneof("payload") == "event" and x.event.number == number for x in m),
                           SNAPSHOT_TIMEOUT, f"the event of ticket {number}")


def test_many_cancelled_streams_leave_the_server_healthy(env):
    for index in range(CANCELLED_STREAMS):
        call = open_watch(env)
        first = next(call)
        assert first.WhichOneof("payload") == "snapshot", f"stream {index}: {first}"
        call.cancel()
    assert env.server.running, f"the server exited:\n{env.server.log_tail()}"
    assert env.client.health("") == env.pb.health.HealthCheckResponse.SERVING
    channel = separate_channel(env.server.address)  # a new connection is served too
    try:
        fresh = Client(env.pb, channel)
        assert fresh.health("") == env.pb.health.HealthCheckResponse.SERVING
        assert env.first_of_stream(open_watch(env, fresh)).WhichOneof("payload") == "snapshot"
    finally:
        channel.close()
    env.client.predict_wait(HOME_BRANCH, env.service_id)


# --------------------------------------------------------------------------------------------------------------
# Metadata


def test_bearer_token_in_metadata_is_accepted(env):
    request = env.pb.kiosk.IssueTicketRequest(branch_id=HOME_BRANCH, service_id=env.service_id,
                                              idempotency_key=fresh_key())
    metadata = (("authorization", f"Bearer {env.kiosk}"), ("x-motcua-trace", "conformance"),
                ("x-motcua-trace-bin", b"\x00\xff\x10"))  # unknown metadata, text and binary, is ignored
    response = env.client.kiosk.IssueTicket(request, metadata=metadata, timeout=RPC_TIMEOUT)
    assert response.ticket.ticket_id and not response.replayed


@pytest.mark.parametrize("authorization", [
    "Bearer", "Bearer ", "Token {token}", "Bearer {token}x", "Bearer{token}", "Bearer {token} {token}",
], ids=["no-token", "empty-token", "other-scheme", "tampered", "no-space", "two-tokens"])
def test_malformed_authorization_is_unauthenticated(env, authorization):
    request = env.pb.kiosk.IssueTicketRequest(branch_id=HOME_BRANCH, service_id=env.service_id,
                                              idempotency_key=fresh_key())
    metadata = (("authorization", authorization.format(token=env.kiosk)),)
    expect_rpc_error(Code.UNAUTHENTICATED, env.client.kiosk.IssueTicket, request, metadata=metadata,
                     timeout=RPC_TIMEOUT)


# --------------------------------------------------------------------------------------------------------------
# Large messages across frames


def raw_predict_wait(env: Env):
    """PredictWait taking the serialised request as bytes (so that it can carry padding)."""
    return env.channel.unary_unary("/motcua.v1.KioskService/PredictWait",
                                   response_deserializer=env.pb.kiosk.PredictWaitResponse.FromString)


def server_max_frame_size(env: Env) -> int:
    with RawGrpcClient("127.0.0.1", env.server.port) as raw:
        return raw.wait_for_settings().get(5, 16384)  # SETTINGS_MAX_FRAME_SIZE, default 16 KiB


@pytest.mark.parametrize("size", [60_000, MAX_REQUEST_BYTES], ids=["60KB", "64KiB"])
def test_large_request_split_across_frames(env, size):
    request = env.pb.kiosk.PredictWaitRequest(branch_id=HOME_BRANCH, service_id=env.service_id)
    body = padded(request, size)
    assert len(body) == size and size > server_max_frame_size(env), "the message must span several DATA frames"
    response = raw_predict_wait(env)(body, timeout=RPC_TIMEOUT)
    assert response.HasField("estimate") and response.estimate.method


def test_request_over_the_limit_is_resource_exhausted(env):
    request = env.pb.kiosk.PredictWaitRequest(branch_id=HOME_BRANCH, service_id=env.service_id)
    expect_rpc_error(Code.RESOURCE_EXHAUSTED, raw_predict_wait(env), padded(request, MAX_REQUEST_BYTES + 1),
                     timeout=RPC_TIMEOUT)
    assert env.client.predict_wait(HOME_BRANCH, env.service_id).HasField("estimate")  # the connection serves on


def test_large_free_text_field_is_answered_without_internal(env):
    # A 60 KB idempotency key: the contract caps keys (INVALID_ARGUMENT), never an INTERNAL or a dropped call.
    request = env.pb.kiosk.IssueTicketRequest(branch_id=HOME_BRANCH, service_id=env.service_id,
                                              idempotency_key="k" * 60_000)
    expect_rpc_error(Code.INVALID_ARGUMENT, env.client.issue, env.kiosk, request)


# --------------------------------------------------------------------------------------------------------------
# More concurrent streams on one connection than the server allows


def test_streams_beyond_the_concurrency_limit(env):
    channel = separate_channel(env.server.address)  # one connection of its own
    client = Client(env.pb, channel)
    watchers: list[BranchWatcher] = []
    try:
        watchers = [BranchWatcher(open_watch(env, client)) for _ in range(OVER_LIMIT_STREAMS)]

        def with_snapshot() -> int:
            return sum(1 for w in watchers if w.messages())

        deadline = time.monotonic() + SNAPSHOT_TIMEOUT
        while with_snapshot() < MAX_CONCURRENT_STREAMS and time.monotonic() < deadline:
            time.sleep(0.05)
        got = with_snapshot()
        errors = [w.error for w in watchers if w.error is not None]
        assert got >= MAX_CONCURRENT_STREAMS, (
            f"{got} of {OVER_LIMIT_STREAMS} streams got a snapshot within {SNAPSHOT_TIMEOUT:.0f}s; "
            f"errors: {[(e.code().name, e.details()) for e in errors[:3]]}")
        assert all(w.messages()[0].WhichOneof("payload") == "snapshot" for w in watchers if w.messages())
        assert not errors, f"streams failed: {[(e.code().name, e.details()) for e in errors[:3]]}"
        # The server stays healthy for other connections meanwhile.
        assert env.client.health("") == env.pb.health.HealthCheckResponse.SERVING
        assert env.client.predict_wait(HOME_BRANCH, env.service_id).HasField("estimate")
    finally:
        for watcher in watchers:
            watcher.close()
        channel.close()
    assert env.server.running, f"the server exited:\n{env.server.log_tail()}"
    assert env.client.health("") == env.pb.health.HealthCheckResponse.SERVING
