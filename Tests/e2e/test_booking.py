"""Appointments over real gRPC: no slot is ever overbooked when 64 citizens race for it, every loser is told
"slot full", acknowledged bookings survive kill -9, the check itself catches overbooking (negative control
against --unsafe-disable-capacity-check), and the functional contract of BookingService (holds, idempotent
retries, quotas, cancel, reschedule, lookup, validation, search by location, check-in too early)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
import uuid
from dataclasses import dataclass, field

import grpc
import pytest

from motcua_harness import (
    BOOKING_HORIZON_DAYS, VIETNAM, BookingClient, Client, LoopbackForwarder, Person, ServerWithArgs,
    booking_stubs, branch_service_pairs, collect_slots, expect_rpc_error, haversine_km, holidays, new_person,
    seed_branches, separate_channel, service_fields, vietnam_today, weekdays_ahead,
)

Code = grpc.StatusCode

# The race: SLOTS_PER_CAPACITY slots of capacity 1 and as many of capacity 3, CONTENDERS clients per slot —
# by default the 200 slots (12,800 calls; 64 s on an idle 2-CPU machine with the debug server).
# MOTCUA_RACE_SLOTS_PER_CAPACITY=50 runs a quicker 100.
SLOTS_PER_CAPACITY = int(os.environ.get("MOTCUA_RACE_SLOTS_PER_CAPACITY", "100"))
CONTENDERS = 64
CHANNELS = 8
BARRIER_TIMEOUT = 30.0
RACE_TIMEOUT = 240.0
# The negative control: fewer slots and clients against a server that does not check capacity.
CONTROL_SLOTS = 20
CONTROL_CONTENDERS = 16

HANOI_CENTRE = (21.0285, 105.8542)
NEARBY_KM = 5.0
HOLD_SECONDS = 300


def booking_state(pb, name: str) -> int:
    return booking_stubs(pb).msg.BookingState.Value(f"BOOKING_STATE_{name}")


def fresh_key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4()}"


def status_of(fn, *args, **kwargs):
    """(result, None) or (None, (code, details)) — for loops that classify outcomes."""
    try:
        return fn(*args, **kwargs), None
    except grpc.RpcError as err:
        return None, (err.code(), err.details() or "")


@pytest.fixture(scope="module")
def start_booking_server(tmp_path_factory, motcua_bin):
    """start_booking_server(name, *extra_flags) → a running server on a fresh database; all killed at teardown."""
    servers: list[ServerWithArgs] = []

    def start(name: str, *extra_args: str) -> ServerWithArgs:
        workdir = tmp_path_factory.mktemp(name)
        server = ServerWithArgs(motcua_bin, workdir / "motcua.sqlite", workdir / "server.log", extra_args=extra_args)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.terminate()


# --------------------------------------------------------------------------------------------------------------
# The race harness and the capacity checker


@dataclass
class SlotRace:
    """One slot and what each of its contenders got back."""

    slot: object
    contenders: list  # Person per contender
    outcomes: list = field(default_factory=list)  # per contender: ("ok", Booking) or (StatusCode, details)

    @property
    def winners(self) -> list[tuple[Person, object]]:
        return [(p, o[1]) for p, o in zip(self.contenders, self.outcomes) if o[0] == "ok"]

    @property
    def losers(self) -> list[tuple[Person, tuple]]:
        return [(p, o) for p, o in zip(self.contenders, self.outcomes) if o[0] != "ok"]


def race_for_slots(clients: list[BookingClient], slots: list, contenders: int) -> list[SlotRace]:
    """For each slot in turn, `contenders` threads (each a distinct citizen, spread over the clients' channels)
    are released together by a barrier and call BookSlot on it once."""
    races = [SlotRace(slot, [new_person() for _ in range(contenders)], [None] * contenders) for slot in slots]
    barrier = threading.Barrier(contenders, timeout=BARRIER_TIMEOUT)
    crashes: list[BaseException] = []

    def contender(index: int) -> None:
        client = clients[index % len(clients)]
        try:
            for race in races:
                barrier.wait()
                person = race.contenders[index]
                booked, error = status_of(client.book, person, fresh_key("race"), slot_id=race.slot.slot_id)
                race.outcomes[index] = ("ok", booked.booking) if booked else error
        except BaseException as exc:  # a broken barrier or a bug: stop everyone, report it
            crashes.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=contender, args=(i,), name=f"contender-{i}", daemon=True)
               for i in range(contenders)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + RACE_TIMEOUT
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), f"the race did not finish within {RACE_TIMEOUT:.0f}s"
    assert not crashes, f"contender threads failed: {crashes[:3]!r}"
    return races


@dataclass
class CapacityReport:
    over_capacity: list  # (slot_id, capacity, winners)
    under_filled: list  # (slot_id, capacity, winners): places left although more citizens asked than it holds
    free_mismatch: list  # (slot_id, capacity, winners, free reported by ListSlots)
    bad_losers: list  # (slot_id, code, details): a loser not told FAILED_PRECONDITION "slot full"

    @property
    def clean(self) -> bool:
        return not (self.over_capacity or self.under_filled or self.free_mismatch or self.bad_losers)


def check_capacity(client: BookingClient, races: list[SlotRace]) -> CapacityReport:
    """Compares the acknowledged bookings of each slot with its capacity and with what ListSlots says is free."""
    free = client.free_by_slot(r.slot for r in races)
    report = CapacityReport([], [], [], [])
    for race in races:
        slot, won = race.slot, len(race.winners)
        if won > slot.capacity:
            report.over_capacity.append((slot.slot_id, slot.capacity, won))
        if won < min(slot.capacity, len(race.contenders)):
            report.under_filled.append((slot.slot_id, slot.capacity, won))
        if free.get(slot.slot_id) != max(0, slot.capacity - won):
            report.free_mismatch.append((slot.slot_id, slot.capacity, won, free.get(slot.slot_id)))
        for _, (code, details) in race.losers:
            if code != Code.FAILED_PRECONDITION or "slot full" not in details:
                report.bad_losers.append((slot.slot_id, code, details))
    return report


def describe(report: CapacityReport) -> str:
    return (f"over capacity: {len(report.over_capacity)} {report.over_capacity[:5]}; "
            f"under-filled: {len(report.under_filled)} {report.under_filled[:5]}; "
            f"ListSlots free disagrees: {len(report.free_mismatch)} {report.free_mismatch[:5]}; "
            f"losers not told 'slot full': {len(report.bad_losers)} {report.bad_losers[:5]}")


def race_slots(portal: BookingClient, directory: Client, per_capacity: dict[int, int]) -> list:
    """Untouched slots over the next open weekdays: per_capacity[c] slots of capacity c, spread over branches
    and services (pairs interleaved by branch)."""
    pairs = branch_service_pairs(directory)
    days = weekdays_ahead(5)
    chosen = []
    for capacity, count in per_capacity.items():
        slots = collect_slots(portal, pairs, days, lambda s, c=capacity: s.capacity == c, count)
        assert len(slots) == count, f"only {len(slots)} free slots of capacity {capacity} over {days}"
        chosen += slots
    return chosen


def portal_clients(pb, server, token: str, count: int) -> tuple[list[BookingClient], list[grpc.Channel]]:
    channels = [separate_channel(server.address) for _ in range(count)]
    return [BookingClient(pb, ch, token) for ch in channels], channels


def close_all(channels) -> None:
    for channel in channels:
        channel.close()


# --------------------------------------------------------------------------------------------------------------
# Concurrency


def test_racing_citizens_never_overbook_and_bookings_survive_kill_9(pb, start_booking_server, make_client):
    server = start_booking_server("race")
    token = server.token("portal")
    clients, channels = portal_clients(pb, server, token, CHANNELS)
    try:
        slots = race_slots(clients[0], make_client(server), {1: SLOTS_PER_CAPACITY, 3: SLOTS_PER_CAPACITY})
        started = time.monotonic()
        races = race_for_slots(clients, slots, CONTENDERS)
        elapsed = time.monotonic() - started
        report = check_capacity(clients[0], races)
        acknowledged = [(race.slot, person, booking) for race in races for person, booking in race.winners]
        print(f"race: {len(slots)} slots × {CONTENDERS} clients = {len(slots) * CONTENDERS} BookSlot calls in "
              f"{elapsed:.1f}s; {len(acknowledged)} bookings acknowledged")
        assert report.clean, describe(report)
        assert len(acknowledged) == sum(s.capacity for s in slots)
        assert len({b.code for _, _, b in acknowledged}) == len(acknowledged), "booking codes are not unique"
        for slot, person, booking in acknowledged:
            assert booking.state == booking_state(pb, "BOOKED")
            assert (booking.branch_id, booking.service_id, booking.start, booking.local_date) == (
                slot.branch_id, slot.service_id, slot.start, slot.local_date)
            assert booking.phone_last_digits == person.phone[-3:]
    finally:
        close_all(channels)

    server.kill9()
    server.restart()
    clients, channels = portal_clients(pb, server, token, 1)
    try:
        lost = []
        for slot, person, booking in acknowledged:
            found, error = status_of(clients[0].get, booking.code, person.national_id)
            if error or (found.booking_id, found.state, found.branch_id, found.service_id, found.start) != (
                    booking.booking_id, booking.state, slot.branch_id, slot.service_id, slot.start):
                lost.append((booking.code, slot.slot_id, error or found))
        assert not lost, f"{len(lost)}/{len(acknowledged)} acknowledged bookings lost or changed by kill -9: {lost[:3]}"
        after_restart = check_capacity(clients[0], races)
        assert after_restart.clean, "after restart: " + describe(after_restart)
    finally:
        close_all(channels)


def test_negative_control_capacity_check_detects_overbooking(pb, start_booking_server, make_client):
    server = start_booking_server("race-unsafe", "--unsafe-disable-capacity-check")
    clients, channels = portal_clients(pb, server, server.token("portal"), 4)
    try:
        slots = race_slots(clients[0], make_client(server), {1: CONTROL_SLOTS})
        report = check_capacity(clients[0], race_for_slots(clients, slots, CONTROL_CONTENDERS))
    finally:
        close_all(channels)
    print(f"negative control: {len(report.over_capacity)}/{CONTROL_SLOTS} slots over capacity")
    assert not report.clean
    assert len(report.over_capacity) >= 1, describe(report)


# --------------------------------------------------------------------------------------------------------------
# Functional contract


class SlotPool:
    """Untouched slots of one server, handed out at most once so that tests never share a slot."""

    def __init__(self, slots: list) -> None:
        self._slots = list(slots)
        self._used: set[str] = set()
        self.field = service_fields()

    def take(self, accept=lambda s: True, count: int = 1) -> list:
        chosen = [s for s in self._slots if s.slot_id not in self._used and accept(s)][:count]
        assert len(chosen) == count, f"the pool has {len(chosen)} matching slots, the test needs {count}"
        self._used.update(s.slot_id for s in chosen)
        return chosen

    def take_one(self, accept=lambda s: True):
        return self.take(accept)[0]

    def take_spread(self, count: int, same, differ, accept=lambda s: True) -> list:
        """`count` slots that agree on same(slot) and all differ in differ(slot)."""
        groups: dict = {}
        for s in self._slots:
            if s.slot_id not in self._used and accept(s):
                groups.setdefault(same(s), {}).setdefault(differ(s), s)
        for group in groups.values():
            if len(group) >= count:
                chosen = list(group.values())[:count]
                self._used.update(s.slot_id for s in chosen)
                return chosen
        raise AssertionError(f"no {count} slots agreeing on {same} and differing in {differ}")


@dataclass
class Env:
    server: ServerWithArgs
    pb: object
    portal: BookingClient
    directory: Client
    pool: SlotPool
    days: list

    def book(self, person: Person, slot, client: BookingClient | None = None):
        return (client or self.portal).book(person, fresh_key("bk"), slot_id=slot.slot_id).booking

    def free(self, slot) -> int:
        return self.portal.free_by_slot([slot])[slot.slot_id]

    def state(self, name: str) -> int:
        return booking_state(self.pb, name)

    @contextlib.contextmanager
    def tokenless(self, source_ip: str):
        """A BookingClient without a token whose calls reach the server from source_ip (127.x.y.z)."""
        with LoopbackForwarder(source_ip, ("127.0.0.1", self.server.port)) as forwarder:
            channel = forwarder.channel()
            try:
                yield BookingClient(self.pb, channel, None)
            finally:
                channel.close()


@pytest.fixture(scope="module")
def env(pb, start_booking_server, make_client) -> Env:
    server = start_booking_server("booking")
    directory = make_client(server)
    channel = separate_channel(server.address)
    portal = BookingClient(pb, channel, server.token("portal"))
    days = weekdays_ahead(3)
    branches = sorted({b for b, _ in branch_service_pairs(directory)})[:6]
    pairs = [(b, s.service_id) for b in branches for s in directory.list_services(b)]
    slots = collect_slots(portal, pairs, days, lambda s: True, 100_000)
    yield Env(server, pb, portal, directory, SlotPool(slots), days)
    channel.close()


def expect_limit(fn, *args, naming: str, **kwargs) -> None:
    err = expect_rpc_error(Code.RESOURCE_EXHAUSTED, fn, *args, **kwargs)
    assert "limit reached" in err.details() and naming in err.details(), err.details()


def test_hold_then_book_with_the_hold(env):
    slot = env.pool.take_one(lambda s: s.capacity >= 2)
    person = new_person()
    before = time.time()
    hold = env.portal.hold(slot.slot_id, person)
    assert hold.hold_id and hold.slot.slot_id == slot.slot_id
    assert before + HOLD_SECONDS - 60 <= hold.expires_at.seconds <= time.time() + HOLD_SECONDS + 5, hold.expires_at
    assert env.free(slot) == slot.capacity - 1, "a hold takes a place"

    expect_rpc_error(Code.NOT_FOUND, env.portal.book, new_person(), fresh_key("steal"), hold_id=hold.hold_id)
    response = env.portal.book(person, fresh_key("hold"), hold_id=hold.hold_id)
    booking = response.booking
    assert not response.replayed
    assert (booking.state, booking.branch_id, booking.service_id, booking.start) == (
        env.state("BOOKED"), slot.branch_id, slot.service_id, slot.start)
    assert env.free(slot) == slot.capacity - 1, "booking a hold must take its place, not another one"
    assert env.portal.get(booking.code, person.national_id).state == env.state("BOOKED")


def test_retry_with_the_same_key_returns_the_same_booking(env):
    # A portal's keys are its own.
    slot = env.pool.take_one(lambda s: s.capacity >= 2)
    person, key = new_person(), fresh_key("retry")
    first = env.portal.book(person, key, slot_id=slot.slot_id)
    again = env.portal.book(person, key, slot_id=slot.slot_id)
    assert not first.replayed and again.replayed
    assert (again.booking.booking_id, again.booking.code) == (first.booking.booking_id, first.booking.code)
    assert env.free(slot) == slot.capacity - 1, "a replayed BookSlot took a second place"

    # Without a token the key belongs to the citizen, whichever address the retry comes from.
    slot = env.pool.take_one(lambda s: s.capacity >= 2)
    person, key = new_person(), fresh_key("retry")
    with env.tokenless("127.0.3.1") as citizen:
        first = citizen.book(person, key, slot_id=slot.slot_id)
        again = citizen.book(person, key, slot_id=slot.slot_id)
    with env.tokenless("127.0.3.2") as other_address:
        third = other_address.book(person, key, slot_id=slot.slot_id)
    assert not first.replayed and again.replayed and third.replayed
    assert {first.booking.code, again.booking.code, third.booking.code} == {first.booking.code}
    assert env.free(slot) == slot.capacity - 1


def test_quota_one_booking_per_citizen_per_field_per_day(env):
    field_of = env.pool.field
    a, b = env.pool.take_spread(2, same=lambda s: (s.local_date, field_of[s.service_id]),
                                differ=lambda s: s.service_id)
    later = env.pool.take_one(lambda s: field_of[s.service_id] == field_of[a.service_id]
                              and s.local_date > a.local_date)
    national_id = new_person().national_id
    env.book(Person(national_id, new_person().phone), a)
    expect_limit(env.book, Person(national_id, new_person().phone), b, naming="per field per day")
    assert env.free(b) == b.capacity, "a refused booking took a place"
    env.book(Person(national_id, new_person().phone), later)  # the same field on another day is fine


def test_quota_two_bookings_per_citizen_per_day(env):
    field_of = env.pool.field
    slots = env.pool.take_spread(3, same=lambda s: s.local_date, differ=lambda s: field_of[s.service_id])
    national_id = new_person().national_id
    for slot in slots[:2]:
        env.book(Person(national_id, new_person().phone), slot)
    expect_limit(env.book, Person(national_id, new_person().phone), slots[2], naming="per citizen per day")


def test_quota_two_active_bookings_per_phone(env):
    slots = env.pool.take(count=3)
    phone = new_person().phone
    # The same number written three ways is one phone.
    spellings = [phone, "+84" + phone[1:], f"{phone[:3]} {phone[3:6]} {phone[6:]}"]
    people = [new_person(spelling) for spelling in spellings]
    first = env.book(people[0], slots[0])
    env.book(people[1], slots[1])
    expect_limit(env.book, people[2], slots[2], naming="per phone number")
    env.portal.cancel(first.code, people[0].national_id)
    env.book(people[2], slots[2])  # only active bookings count


def test_quota_three_bookings_per_address_per_day_without_a_token(env):
    slots = env.pool.take(count=4)
    people = [new_person() for _ in slots]
    with env.tokenless("127.0.3.3") as citizen:
        for person, slot in zip(people[:3], slots[:3]):
            env.book(person, slot, client=citizen)
        expect_limit(env.book, people[3], slots[3], client=citizen, naming="from one address per day")
    env.book(people[3], slots[3])  # a portal is exempt


def test_booking_rate_limit_per_address_ignores_anonymous_rate(env):
    # The server runs with --anonymous-rate 100000 (the harness default); booking calls stay at 10 a minute.
    service_id, day = env.pool.take_one().service_id, env.days[0]
    branch_id = env.pool.take_one(lambda s: s.service_id == service_id).branch_id
    with env.tokenless("127.0.3.4") as citizen:
        for _ in range(10):
            citizen.list_slots(service_id, day, branch_id=branch_id)
        expect_limit(citizen.list_slots, service_id, day, branch_id=branch_id, naming="booking requests per minute")
    env.portal.list_slots(service_id, day, branch_id=branch_id)  # the portal is not limited per address


def test_cancel_frees_the_slot(env):
    slot = env.pool.take_one(lambda s: s.capacity == 1)
    owner, other = new_person(), new_person()
    booking = env.book(owner, slot)
    assert env.free(slot) == 0
    err = expect_rpc_error(Code.FAILED_PRECONDITION, env.book, other, slot)
    assert "slot full" in err.details()

    cancelled = env.portal.cancel(booking.code, owner.national_id)
    assert cancelled.state == env.state("CANCELLED")
    assert env.portal.get(booking.code, owner.national_id).state == env.state("CANCELLED")
    assert env.free(slot) == 1, "cancelling did not give the place back"
    env.book(other, slot)
    assert env.free(slot) == 0

    _, error = status_of(env.portal.cancel, booking.code, owner.national_id)
    assert error and error[0] not in (Code.INTERNAL, Code.UNKNOWN), f"cancelling twice: {error}"
    assert env.free(slot) == 0, "a second cancel of the same booking gave a place back again"


def test_reschedule_to_a_full_slot_fails_and_keeps_the_booking(env):
    old, full, spare = env.pool.take(lambda s: s.capacity == 1, count=3)
    owner = new_person()
    booking = env.book(owner, old)
    env.book(new_person(), full)

    err = expect_rpc_error(Code.FAILED_PRECONDITION, env.portal.reschedule, booking.code, owner.national_id,
                           full.slot_id)
    assert "slot full" in err.details()
    kept = env.portal.get(booking.code, owner.national_id)
    assert (kept.state, kept.branch_id, kept.service_id, kept.start) == (
        env.state("BOOKED"), old.branch_id, old.service_id, old.start)
    assert (env.free(old), env.free(full)) == (0, 0), "a failed reschedule changed the slots"

    moved = env.portal.reschedule(booking.code, owner.national_id, spare.slot_id)
    assert (moved.code, moved.state, moved.branch_id, moved.service_id, moved.start) == (
        booking.code, env.state("BOOKED"), spare.branch_id, spare.service_id, spare.start)
    assert (env.free(old), env.free(spare)) == (1, 0)


def test_booking_lookup_needs_the_right_national_id(env):
    owner = new_person()
    booking = env.book(owner, env.pool.take_one())
    assert env.portal.get(booking.code, owner.national_id).booking_id == booking.booking_id
    assert env.portal.get(booking.code.lower().replace("-", ""), owner.national_id).booking_id == booking.booking_id
    stranger = new_person().national_id
    expect_rpc_error(Code.NOT_FOUND, env.portal.get, booking.code, stranger)
    expect_rpc_error(Code.NOT_FOUND, env.portal.cancel, booking.code, stranger)
    expect_rpc_error(Code.NOT_FOUND, env.portal.get, "ZZZZ-ZZZZ", owner.national_id)
    assert env.portal.get(booking.code, owner.national_id).state == env.state("BOOKED")


@pytest.mark.parametrize("national_id, phone", [
    ("001099000001", "091234567"),  # 9-digit phone
    ("001099000002", "09123456789"),  # 11 digits
    ("001099000003", "1912345678"),  # no leading 0
    ("001099000004", "09123x5678"),
    ("001099000005", ""),
    ("00109900000", "0912345678"),  # 11-digit national ID
    ("00109900000a", "0912345678"),
    ("", "0912345678"),
])
def test_invalid_citizen_is_invalid_argument(env, national_id, phone):
    slot = env.pool.take_one()
    expect_rpc_error(Code.INVALID_ARGUMENT, env.portal.book, Person(national_id, phone), fresh_key("bad"),
                     slot_id=slot.slot_id)
    expect_rpc_error(Code.INVALID_ARGUMENT, env.portal.hold, slot.slot_id, Person(national_id, phone))
    assert env.free(slot) == slot.capacity


def test_phone_in_international_form_is_accepted(env):
    person = new_person()
    international = Person(person.national_id, "+84" + person.phone[1:])
    booking = env.book(international, env.pool.take_one())
    assert booking.phone_last_digits == person.phone[-3:]


def test_list_slots_by_location(env):
    branches = {b["id"]: b for b in seed_branches()}
    distance = {b: haversine_km(*HANOI_CENTRE, branches[b]["latitude"], branches[b]["longitude"]) for b in branches}
    day = env.days[0]
    # A service offered both near the centre and further out, so that the radius really filters.
    offered = {}
    for branch_id, service_id in branch_service_pairs(env.directory):
        offered.setdefault(service_id, set()).add(branch_id)
    service_id = max(offered, key=lambda s: (len(offered[s]), s))
    near = {b for b in offered[service_id] if distance[b] <= NEARBY_KM}
    assert near and offered[service_id] - near, "the seeds no longer have branches on both sides of the radius"

    slots = env.portal.list_slots(service_id, day, near=(*HANOI_CENTRE, NEARBY_KM))
    expected = {b for b in near if env.portal.list_slots(service_id, day, branch_id=b)}
    assert {s.branch_id for s in slots} == expected
    assert [(s.start.seconds, s.branch_id) for s in slots] == sorted((s.start.seconds, s.branch_id) for s in slots)
    for s in slots:
        assert s.distance_km == pytest.approx(distance[s.branch_id], abs=0.15), (s.branch_id, s.distance_km)
    assert any(s.distance_km > 0 for s in slots), "distance_km is not set"


def test_slots_only_on_opening_days_in_the_future_within_the_horizon(env):
    slot = env.pool.take_one()
    today = vietnam_today()
    last = today + dt.timedelta(days=BOOKING_HORIZON_DAYS)
    slots = env.portal.list_slots(slot.service_id, today.isoformat(), last.isoformat(), branch_id=slot.branch_id)
    closed, now = holidays(), time.time()
    assert [s.start.seconds for s in slots] == sorted(s.start.seconds for s in slots)
    for s in slots:
        start = dt.datetime.fromtimestamp(s.start.seconds, VIETNAM)
        assert s.start.seconds > now and start.date().isoformat() == s.local_date <= last.isoformat(), s.slot_id
        assert s.local_date not in closed and start.weekday() < 6, f"slot on a closed day: {s.slot_id}"
        closing = 12 if start.weekday() == 5 else 17
        assert 8 <= start.hour and start + dt.timedelta(seconds=s.end.seconds - s.start.seconds) <= start.replace(
            hour=closing, minute=0), f"slot outside opening hours: {s.slot_id}"
    assert set(env.days) <= {s.local_date for s in slots}, "an open weekday has no slots"
    too_long = (today + dt.timedelta(days=31)).isoformat()
    expect_rpc_error(Code.INVALID_ARGUMENT, env.portal.list_slots, slot.service_id, today.isoformat(), too_long,
                     branch_id=slot.branch_id)


def test_check_in_too_early_and_at_another_branch(env):
    slot = env.pool.take_one()
    owner = new_person()
    booking = env.book(owner, slot)
    kiosk = env.server.token("kiosk", branch=slot.branch_id)
    err = expect_rpc_error(Code.FAILED_PRECONDITION, env.portal.check_in, kiosk, slot.branch_id, booking.code)
    opens = dt.datetime.fromtimestamp(booking.check_in_opens.seconds, VIETNAM).strftime("%Y-%m-%d %H:%M")
    assert booking.check_in_opens.seconds == booking.start.seconds - 15 * 60
    assert "too early" in err.details() and opens in err.details(), err.details()

    other_branch = next(b for b, _ in branch_service_pairs(env.directory) if b != slot.branch_id)
    other_kiosk = env.server.token("kiosk", branch=other_branch)
    err = expect_rpc_error(Code.FAILED_PRECONDITION, env.portal.check_in, other_kiosk, other_branch, booking.code)
    assert slot.branch_id in err.details(), err.details()
    assert env.portal.get(booking.code, owner.national_id).state == env.state("BOOKED")
