"""Touts against citizens, over real gRPC and without tokens.

Touts control 1,000 valid identities but only 50 phone numbers and 10 client addresses (127.0.0.11–20), and
book as fast as they can for 60 s from a pool of 500 slots they know in advance. 200 ordinary citizens, each
with their own identity, phone and address (127.0.1.1–200), arrive over the same minute and book at human pace:
ListSlots, think, BookSlot a random free slot, another one on "slot full". The server must keep the touts to
≤ 10% of the pool's capacity and serve ≥ 95% of the citizens.

grpcio cannot choose its source address, so every address is a LoopbackForwarder (motcua_harness) relaying
to the server from a socket bound to that address.
"""

from __future__ import annotations

import collections
import itertools
import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import grpc

from motcua_harness import (
    BookingClient, LoopbackForwarder, Person, branch_service_pairs, new_person, separate_channel, weekdays_ahead,
)

Code = grpc.StatusCode

SIM_SECONDS = 60.0
POOL_SLOTS = 500
SLOTS_PER_OFFER = 10  # at most this many pool slots per branch × service × day, to spread the pool
POOL_DAYS = 3

TOUT_ADDRESSES = [f"127.0.0.{i}" for i in range(11, 21)]
TOUT_IDENTITIES = 1000
TOUT_PHONES = 50
TOUT_THREADS_PER_ADDRESS = 2
TOUT_BACKOFF = 0.05  # seconds a tout waits after being refused, before the next try

CITIZEN_ADDRESSES = [f"127.0.1.{i}" for i in range(1, 201)]
CITIZEN_ARRIVALS_WITHIN = 45.0  # citizens arrive uniformly over the first 45 s of the minute
CITIZEN_THINK = (0.5, 2.0)  # seconds between reading the slot list and booking
CITIZEN_RETRY_THINK = (0.3, 1.0)
CITIZEN_MAX_REQUESTS = 8  # within the per-address allowance of 10 booking requests a minute

MAX_TOUT_SHARE = 0.10
MIN_CITIZENS_SERVED = 0.95
JOIN_GRACE = 20.0  # after the minute, for calls in flight (each has a 10 s deadline)
SEED = 20261127


@dataclass(frozen=True)
class Offer:
    """Pool slots a citizen sees when they search one branch, service and day."""

    branch_id: str
    service_id: str
    day: str


@dataclass
class Pool:
    slots: dict  # slot_id → Slot
    offers: dict  # Offer → [slot_id]

    @property
    def capacity(self) -> int:
        return sum(s.capacity for s in self.slots.values())


@dataclass
class Tally:
    """Outcomes of every call, thread-safe."""

    tout_bookings: list = field(default_factory=list)  # (address, Person, Booking)
    citizen_bookings: dict = field(default_factory=dict)  # citizen index → Booking
    statuses: collections.Counter = field(default_factory=collections.Counter)  # (who, code name, reason) → n
    unexpected: list = field(default_factory=list)  # (who, request, code, details)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, who: str, code: str, reason: str = "") -> None:
        with self.lock:
            self.statuses[(who, code, reason)] += 1

    def odd(self, who: str, what: str, code, details: str) -> None:
        with self.lock:
            self.unexpected.append((who, what, code.name if code else None, details))


def refusal_reason(details: str) -> str:
    for reason in ("slot full", "booking requests per minute", "per phone number", "from one address per day",
                   "per citizen per field per day", "per citizen per day"):
        if reason in details:
            return reason
    return "other"


def build_pool(portal: BookingClient, pairs: list[tuple[str, str]], days: list[str]) -> Pool:
    """POOL_SLOTS untouched capacity-1 slots, at most SLOTS_PER_OFFER per branch × service × day."""
    slots, offers = {}, collections.defaultdict(list)
    for branch_id, service_id in pairs:
        for slot in portal.list_slots(service_id, days[0], days[-1], branch_id=branch_id, only_free=True):
            offer = Offer(branch_id, service_id, slot.local_date)
            if slot.capacity == 1 and slot.free == 1 and len(offers[offer]) < SLOTS_PER_OFFER:
                slots[slot.slot_id] = slot
                offers[offer].append(slot.slot_id)
                if len(slots) == POOL_SLOTS:
                    return Pool(slots, dict(offers))
    raise AssertionError(f"only {len(slots)} free capacity-1 slots over {days}")


class Touts:
    """The touts: threads per address sharing 1,000 identities (each phone serves 20 of them) and the pool's
    slot list; each thread tries a different slot, the next identity on every try."""

    def __init__(self, pb, pool: Pool, tally: Tally, deadline: float) -> None:
        self.pb, self.tally, self.deadline = pb, tally, deadline
        phones = [new_person().phone for _ in range(TOUT_PHONES)]
        identities = [new_person(phones[i % TOUT_PHONES]) for i in range(TOUT_IDENTITIES)]
        self._identities = itertools.cycle(identities)
        targets = list(pool.slots)
        random.Random(SEED).shuffle(targets)
        self._targets = collections.deque(targets)
        self._lock = threading.Lock()
        self.attempts = 0

    def _next(self) -> tuple[Person, str | None]:
        """A fresh identity and a slot no other tout thread is trying right now."""
        with self._lock:
            self.attempts += 1
            return next(self._identities), (self._targets.popleft() if self._targets else None)

    def _retry_later(self, slot_id: str) -> None:
        with self._lock:
            self._targets.appendleft(slot_id)

    def run(self, forwarder: LoopbackForwarder) -> None:
        channel = forwarder.channel()
        client = BookingClient(self.pb, channel, None)
        try:
            while time.monotonic() < self.deadline:
                person, slot_id = self._next()
                if slot_id is None:
                    return
                try:
                    booking = client.book(person, f"tout-{uuid.uuid4()}", slot_id=slot_id).booking
                except grpc.RpcError as err:
                    details = err.details() or ""
                    reason = refusal_reason(details)
                    self.tally.count("tout", err.code().name, reason)
                    if err.code() == Code.FAILED_PRECONDITION and reason == "slot full":
                        continue  # taken by a citizen: on to the next slot
                    self._retry_later(slot_id)
                    if err.code() != Code.RESOURCE_EXHAUSTED or reason == "other":
                        self.tally.odd("tout", f"BookSlot {slot_id}", err.code(), details)
                    time.sleep(TOUT_BACKOFF)
                    continue
                self.tally.count("tout", "OK")
                with self.tally.lock:
                    self.tally.tout_bookings.append((forwarder.source_ip, person, booking))
        finally:
            channel.close()


def citizen(index: int, pb, forwarder: LoopbackForwarder, pool: Pool, tally: Tally, arrival: float,
            deadline: float, rng: random.Random) -> None:
    """One citizen: searches their offer (then others), books a random free pool slot, retries on "slot full"."""
    time.sleep(max(0.0, arrival - time.monotonic()))
    person = new_person()
    offers = list(pool.offers)
    rng.shuffle(offers)
    channel = forwarder.channel()
    client = BookingClient(pb, channel, None)
    requests = 0

    def call(what: str, fn, *args, **kwargs):
        nonlocal requests
        requests += 1
        try:
            return fn(*args, **kwargs), None
        except grpc.RpcError as err:
            details = err.details() or ""
            tally.count("citizen", err.code().name, refusal_reason(details))
            if not (err.code() == Code.FAILED_PRECONDITION and "slot full" in details):
                tally.odd(f"citizen {index}", what, err.code(), details)
            return None, err

    try:
        for offer in offers:
            if requests >= CITIZEN_MAX_REQUESTS or time.monotonic() >= deadline:
                return
            listed, err = call(f"ListSlots {offer}", client.list_slots, offer.service_id, offer.day,
                               branch_id=offer.branch_id, only_free=True)
            if err:
                return
            candidates = [s.slot_id for s in listed if s.slot_id in pool.slots]
            time.sleep(rng.uniform(*CITIZEN_THINK))
            while candidates and requests < CITIZEN_MAX_REQUESTS and time.monotonic() < deadline:
                slot_id = candidates.pop(rng.randrange(len(candidates)))
                booked, err = call(f"BookSlot {slot_id}", client.book, person, f"citizen-{uuid.uuid4()}",
                                   slot_id=slot_id)
                if booked:
                    tally.count("citizen", "OK")
                    with tally.lock:
                        tally.citizen_bookings[index] = booked.booking
                    return
                if err.code() != Code.FAILED_PRECONDITION:
                    return
                time.sleep(rng.uniform(*CITIZEN_RETRY_THINK))
    finally:
        channel.close()


def start_threads(specs: list[tuple[str, callable, tuple]]) -> list[threading.Thread]:
    threads = [threading.Thread(target=fn, args=args, name=name, daemon=True) for name, fn, args in specs]
    for thread in threads:
        thread.start()
    return threads


def join_all(threads: list[threading.Thread], until: float) -> list[str]:
    for thread in threads:
        thread.join(timeout=max(0.0, until - time.monotonic()))
    return [t.name for t in threads if t.is_alive()]


def test_touts_get_few_slots_and_citizens_are_served(pb, start_server, make_client):
    server = start_server("touts")
    portal_channel = separate_channel(server.address)
    portal = BookingClient(pb, portal_channel, server.token("portal"))
    pairs = branch_service_pairs(make_client(server))
    pool = build_pool(portal, pairs, weekdays_ahead(POOL_DAYS))
    target = ("127.0.0.1", server.port)
    forwarders: list[LoopbackForwarder] = []
    try:
        for address in TOUT_ADDRESSES + CITIZEN_ADDRESSES:
            forwarders.append(LoopbackForwarder(address, target))
        tout_forwarders, citizen_forwarders = forwarders[:len(TOUT_ADDRESSES)], forwarders[len(TOUT_ADDRESSES):]

        tally = Tally()
        start = time.monotonic()
        deadline = start + SIM_SECONDS
        touts = Touts(pb, pool, tally, deadline)
        rng = random.Random(SEED)
        specs = [(f"tout-{f.source_ip}-{k}", touts.run, (f,))
                 for f in tout_forwarders for k in range(TOUT_THREADS_PER_ADDRESS)]
        specs += [(f"citizen-{i}", citizen,
                   (i, pb, f, pool, tally, start + rng.uniform(0, CITIZEN_ARRIVALS_WITHIN), deadline,
                    random.Random(SEED + i)))
                  for i, f in enumerate(citizen_forwarders)]
        stuck = join_all(start_threads(specs), deadline + JOIN_GRACE)
        elapsed = time.monotonic() - start
        assert not stuck, f"{len(stuck)} threads still running {JOIN_GRACE:.0f}s after the minute: {stuck[:5]}"
    finally:
        for forwarder in forwarders:
            forwarder.close()

    try:
        free = portal.free_by_slot(pool.slots.values())
    finally:
        portal_channel.close()
    taken = sum(s.capacity - free[s.slot_id] for s in pool.slots.values())

    capacity = pool.capacity
    tout_count, served = len(tally.tout_bookings), len(tally.citizen_bookings)
    tout_share, served_share = tout_count / capacity, served / len(CITIZEN_ADDRESSES)
    print(f"\ntouts took {tout_count}/{capacity} slots ({tout_share:.1%}) in {touts.attempts} attempts; "
          f"citizens served {served}/{len(CITIZEN_ADDRESSES)} ({served_share:.1%}); "
          f"pool: {len(pool.slots)} slots, total capacity {capacity}, {taken} taken; {elapsed:.1f}s")
    for (who, code, reason), n in sorted(tally.statuses.items()):
        print(f"  {who:8} {code:20} {reason:30} {n}")

    assert not tally.unexpected, f"{len(tally.unexpected)} unexpected replies: {tally.unexpected[:5]}"
    assert taken == tout_count + served, "ListSlots disagrees with the acknowledged bookings"
    per_address = collections.Counter(address for address, _, _ in tally.tout_bookings)
    per_phone = collections.Counter(person.phone for _, person, _ in tally.tout_bookings)
    assert max(per_address.values(), default=0) <= 3, f"tout bookings per address: {per_address}"
    assert max(per_phone.values(), default=0) <= 2, f"tout bookings per phone: {per_phone}"
    assert tout_share <= MAX_TOUT_SHARE, f"touts took {tout_share:.1%} of the capacity"
    assert served_share >= MIN_CITIZENS_SERVED, f"only {served_share:.1%} of the citizens got a slot"
