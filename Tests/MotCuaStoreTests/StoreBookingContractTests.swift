import Appointments
import MotCuaDomain
import MotCuaStore
import QueueEngine
import Testing

/// Appointments, for every driver: capacity under concurrency, quotas, holds, reschedule, check-in, no-shows.
@Suite struct StoreBookingContractTests {
  static let policy = AppointmentPolicy()
  static let day = LocalDate("2026-11-30")!  // a Monday
  static let now = CivilTime.vietnam.instant(on: LocalDate("2026-11-27")!, minute: 9 * 60)

  static func slot(capacity: Int, minute: Int = 9 * 60, service: Service = Seeds.catalogue.services[0]) -> SlotDefinition {
    let start = CivilTime.vietnam.instant(on: day, minute: minute)
    return SlotDefinition(
      id: SlotID(branchID: BranchID("hn-hoan-kiem"), serviceID: service.id, date: day, start: ClockTime(minuteOfDay: minute)!),
      start: start, end: start.adding(seconds: 900), capacity: capacity)
  }

  static func citizen(_ n: Int, phone: Int? = nil) -> CitizenIdentity {
    CitizenIdentity(nationalIDHash: "id-\(n)", phoneHash: "phone-\(phone ?? n)", phoneLastDigits: "00\(n % 10)")
  }

  static func take(
    _ slot: SlotDefinition, _ citizen: CitizenIdentity, address: String? = nil, hold: Bool = false, at: Instant = now,
    field: ServiceField = .land, key: String? = nil
  ) -> TakeSlotCommand {
    let id = "bk-\(citizen.nationalIDHash)-\(slot.id)-\(hold)"
    return TakeSlotCommand(
      target: .slot(slot), field: field, citizen: citizen,
      requester: BookingRequester(principalID: nil, addressKey: address),
      idempotency: hold ? nil : (key ?? id, "fp-\(slot.id)"), hold: hold, bookingID: id,
      code: String(id.hashValue.magnitude % 100_000_000), day: CivilTime.vietnam.date(of: at), at: at, policy: policy)
  }

  @Test(arguments: StoreDriver.allCases)
  func concurrentBookingsNeverExceedCapacityAndLosersAreToldTheSlotIsFull(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let slot = Self.slot(capacity: 3)
    let results = await withTaskGroup(of: Result<BookingOutcome, any Error>.self) { group in
      for n in 0..<24 {
        group.addTask {
          do { return .success(try await store.takeSlot(Self.take(slot, Self.citizen(n)))) } catch { return .failure(error) }
        }
      }
      return await group.reduce(into: []) { $0.append($1) }
    }
    let won = results.filter { if case .success = $0 { true } else { false } }
    let full = results.filter { if case .failure(let e as DomainError) = $0 { e.code == .failedPrecondition && e.message.contains("slot full") } else { false } }
    #expect(won.count == 3 && full.count == 21)
    #expect(try await store.slotUsage([slot.id])[slot.id] == 3)
  }

  @Test(arguments: StoreDriver.allCases)
  func quotasPerFieldPerDayPerPhoneAndPerAddressNameTheirLimit(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let a = Self.slot(capacity: 5, minute: 9 * 60)
    let b = Self.slot(capacity: 5, minute: 10 * 60)
    let c = Self.slot(capacity: 5, minute: 11 * 60)
    _ = try await store.takeSlot(Self.take(a, Self.citizen(1)))
    let sameField = await #expect(throws: DomainError.self) { try await store.takeSlot(Self.take(b, Self.citizen(1))) }
    #expect(sameField?.code == .resourceExhausted && sameField?.message.contains("per field") == true)
    _ = try await store.takeSlot(Self.take(b, Self.citizen(1), field: .civilStatus))
    let perDay = await #expect(throws: DomainError.self) {
      try await store.takeSlot(Self.take(c, Self.citizen(1), field: .planning))
    }
    #expect(perDay?.code == .resourceExhausted && perDay?.message.contains("per citizen per day") == true)
    _ = try await store.takeSlot(Self.take(a, Self.citizen(2, phone: 99)))
    _ = try await store.takeSlot(Self.take(a, Self.citizen(3, phone: 99)))
    let phone = await #expect(throws: DomainError.self) { try await store.takeSlot(Self.take(b, Self.citizen(4, phone: 99))) }
    #expect(phone?.code == .resourceExhausted && phone?.message.contains("phone") == true)
    for n in 10..<13 { _ = try await store.takeSlot(Self.take(c, Self.citizen(n), address: "10.0.0.9")) }
    let address = await #expect(throws: DomainError.self) {
      try await store.takeSlot(Self.take(b, Self.citizen(20), address: "10.0.0.9"))
    }
    #expect(address?.code == .resourceExhausted && address?.message.contains("address") == true)
  }

  @Test(arguments: StoreDriver.allCases)
  func aRetryWithTheSameKeyReturnsTheSameBooking(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let slot = Self.slot(capacity: 2)
    let first = try await store.takeSlot(Self.take(slot, Self.citizen(1), key: "k"))
    let again = try await store.takeSlot(Self.take(slot, Self.citizen(1), key: "k"))
    #expect(again.replayed && again.booking.id == first.booking.id)
    #expect(try await store.slotUsage([slot.id])[slot.id] == 1)
  }

  @Test(arguments: StoreDriver.allCases)
  func aHoldTakesCapacityUntilItLapses(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let slot = Self.slot(capacity: 1)
    let hold = try await store.takeSlot(Self.take(slot, Self.citizen(1), hold: true))
    #expect(hold.booking.state == .held)
    let full = await #expect(throws: DomainError.self) { try await store.takeSlot(Self.take(slot, Self.citizen(2))) }
    #expect(full?.code == .failedPrecondition)
    let later = Self.now.adding(seconds: Self.policy.holdSeconds + 1)
    #expect(try await store.takeSlot(Self.take(slot, Self.citizen(2), at: later)).booking.state == .booked)
    var confirm = Self.take(slot, Self.citizen(1), at: later)
    confirm.target = .hold(hold.booking.id)
    let lapsed = await #expect(throws: DomainError.self) { try await store.takeSlot(confirm) }
    #expect(lapsed?.code == .notFound)
  }

  @Test(arguments: StoreDriver.allCases)
  func rescheduleIsAllOrNothingAndCancelReleases(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let from = Self.slot(capacity: 1, minute: 9 * 60)
    let full = Self.slot(capacity: 1, minute: 10 * 60)
    let open = Self.slot(capacity: 1, minute: 11 * 60)
    let mine = try await store.takeSlot(Self.take(from, Self.citizen(1))).booking
    _ = try await store.takeSlot(Self.take(full, Self.citizen(2)))
    let change = { (to: SlotDefinition?) in
      ChangeBookingCommand(code: mine.code, nationalIDHash: "id-1", moveTo: to, field: .land, at: Self.now, policy: Self.policy)
    }
    let refused = await #expect(throws: DomainError.self) { try await store.changeBooking(change(full)) }
    #expect(refused?.code == .failedPrecondition)
    #expect(try await store.slotUsage([from.id, full.id]) == [from.id: 1, full.id: 1])
    #expect(try await store.booking(code: mine.code)?.slotID == from.id)
    let moved = try await store.changeBooking(change(open))
    #expect(moved.slotID == open.id)
    #expect(try await store.slotUsage([from.id, open.id]) == [from.id: 0, open.id: 1])
    let wrongPerson = await #expect(throws: DomainError.self) {
      try await store.changeBooking(ChangeBookingCommand(
        code: mine.code, nationalIDHash: "id-2", moveTo: nil, field: nil, at: Self.now, policy: Self.policy))
    }
    #expect(wrongPerson?.code == .notFound)
    #expect(try await store.changeBooking(change(nil)).state == .cancelled)
    #expect(try await store.slotUsage([open.id])[open.id] == 0)
  }

  @Test(arguments: StoreDriver.allCases)
  func checkedInAppointmentsGoAheadOfWalkInsOnceDueButNotMoreThanTwiceInARow(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let service = f.serviceA
    f.now = CivilTime.vietnam.instant(on: Self.day, minute: 8 * 60 + 50)
    let slot = Self.slot(capacity: 5, minute: 9 * 60, service: service)
    var codes: [String] = []
    for n in 0..<3 {
      codes.append(try await store.takeSlot(Self.take(slot, Self.citizen(n), at: Self.now, field: service.field)).booking.code)
    }
    var walkIns: [Ticket] = []
    for _ in 0..<2 { walkIns.append(try await store.issueTicket(f.issue(service)).ticket!) }
    let policy = Seeds.catalogue.priorityPolicy(for: f.branch)
    var appointments: [Ticket] = []
    for (n, code) in codes.enumerated() {
      let outcome = try await store.checkIn(CheckInCommand(
        code: code, branchID: f.branch, service: service, principalID: "kiosk", walkInRank: policy.walkInRank,
        day: f.day, at: f.now, ticketID: TicketID("appt-\(n)"), trackingCode: "APPT\(n)", policy: Self.policy))
      appointments.append(outcome.ticket!.ticket!)
    }
    let again = try await store.checkIn(CheckInCommand(
      code: codes[0], branchID: f.branch, service: service, principalID: "kiosk", walkInRank: policy.walkInRank,
      day: f.day, at: f.now, ticketID: TicketID("other"), trackingCode: "X", policy: Self.policy))
    #expect(again.replayed && again.ticket?.ticket?.id == appointments[0].id)
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: [service.id]))
    func call(at minute: Int) async throws -> TicketID? {
      var command = f.callNext(counter)
      command.at = CivilTime.vietnam.instant(on: Self.day, minute: minute)
      command.appointments = (policy.appointmentRank, policy.walkInRank, 2)
      guard let t = try await store.callNext(command).ticket else { return nil }
      _ = try await store.updateTicket(f.update(t.id, .complete(counter: counter)))
      return t.id
    }
    // Before 09:00 the appointments are not due: the walk-in issued first goes first.
    #expect(try await call(at: 8 * 60 + 55) == walkIns[0].id)
    // From 09:00: two appointments, then the waiting walk-in, then the last appointment.
    let order = [try await call(at: 9 * 60), try await call(at: 9 * 60 + 1), try await call(at: 9 * 60 + 2),
      try await call(at: 9 * 60 + 3)]
    #expect(order == [appointments[0].id, appointments[1].id, walkIns[1].id, appointments[2].id])
  }

  /// A counter serving two services takes due appointments of both in check-in order, ahead of the walk-ins of
  /// both, two in a row at most. Negative control: looking for due appointments in the counter's first service
  /// only calls the second service's appointment after the walk-ins.
  @Test(arguments: StoreDriver.allCases)
  func dueAppointmentsOfEveryServiceOfTheCounterGoFirstInCheckInOrder(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let services = [f.serviceA, f.serviceB]
    f.now = CivilTime.vietnam.instant(on: Self.day, minute: 8 * 60 + 50)
    var walkIns: [Ticket] = []
    for service in services { walkIns.append(try await store.issueTicket(f.issue(service)).ticket!) }
    let policy = Seeds.catalogue.priorityPolicy(for: f.branch)
    var appointments: [Ticket] = []
    // Checked in one after the other: A, B, A.
    for (n, service) in [services[0], services[1], services[0]].enumerated() {
      let slot = Self.slot(capacity: 5, minute: 9 * 60, service: service)
      let code = try await store.takeSlot(Self.take(slot, Self.citizen(n), at: Self.now, field: service.field)).booking.code
      f.now = f.now.adding(seconds: 10)
      let outcome = try await store.checkIn(CheckInCommand(
        code: code, branchID: f.branch, service: service, principalID: "kiosk", walkInRank: policy.walkInRank,
        day: f.day, at: f.now, ticketID: TicketID("appt-\(n)"), trackingCode: "APPT\(n)", policy: Self.policy))
      appointments.append(outcome.ticket!.ticket!)
    }
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: services.map(\.id)))
    var order: [TicketID] = []
    for minute in 0..<5 {
      var command = f.callNext(counter)
      command.at = CivilTime.vietnam.instant(on: Self.day, minute: 9 * 60 + minute)
      command.appointments = (policy.appointmentRank, policy.walkInRank, 2)
      guard let t = try await store.callNext(command).ticket else { break }
      order.append(t.id)
      _ = try await store.updateTicket(f.update(t.id, .complete(counter: counter)))
    }
    #expect(order == [appointments[0].id, appointments[1].id, walkIns[0].id, appointments[2].id, walkIns[1].id])
  }

  @Test(arguments: StoreDriver.allCases)
  func checkInTooEarlyTooLateOrAtTheWrongBranchIsExplained(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let service = Seeds.catalogue.services[0]
    let slot = Self.slot(capacity: 2, service: service)
    let code = try await store.takeSlot(Self.take(slot, Self.citizen(1), field: service.field)).booking.code
    func checkIn(branch: String, minute: Int) -> CheckInCommand {
      let at = CivilTime.vietnam.instant(on: Self.day, minute: minute)
      return CheckInCommand(
        code: code, branchID: BranchID(branch), service: service, principalID: "k", walkInRank: 6, day: Self.day,
        at: at, ticketID: TicketID("t-\(minute)"), trackingCode: "T", policy: Self.policy)
    }
    let early = await #expect(throws: DomainError.self) { try await store.checkIn(checkIn(branch: "hn-hoan-kiem", minute: 8 * 60 + 40)) }
    #expect(early?.message.contains("2026-11-30 08:45") == true)
    let elsewhere = await #expect(throws: DomainError.self) { try await store.checkIn(checkIn(branch: "hn-ba-dinh", minute: 9 * 60)) }
    #expect(elsewhere?.message.contains("hn-hoan-kiem") == true)
    let late = await #expect(throws: DomainError.self) { try await store.checkIn(checkIn(branch: "hn-hoan-kiem", minute: 9 * 60 + 11)) }
    #expect(late?.message.contains("walk-in") == true)
  }

  @Test(arguments: StoreDriver.allCases)
  func bookingsNotCheckedInBecomeNoShowsAndFreeTheirPlace(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let slot = Self.slot(capacity: 1)
    let booking = try await store.takeSlot(Self.take(slot, Self.citizen(1))).booking
    #expect(try await store.sweepBookings(at: slot.start.adding(seconds: 599), policy: Self.policy) == 0)
    #expect(try await store.sweepBookings(at: slot.start.adding(seconds: 601), policy: Self.policy) == 1)
    #expect(try await store.booking(code: booking.code)?.state == .noShow)
    #expect(try await store.slotUsage([slot.id])[slot.id] == 0)
  }
}

/// Regressions found in review.
@Suite struct StoreBookingRegressionTests {
  @Test(arguments: StoreDriver.allCases)
  func aRetriedHoldOrABookingOfTheHeldSlotReusesTheHold(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let slot = StoreBookingContractTests.slot(capacity: 2)
    let citizen = StoreBookingContractTests.citizen(1)
    var hold = StoreBookingContractTests.take(slot, citizen, hold: true)
    let first = try await store.takeSlot(hold)
    hold.bookingID = "another-id"
    hold.code = "OTHER123"
    let retried = try await store.takeSlot(hold)
    #expect(retried.booking.id == first.booking.id)
    let booked = try await store.takeSlot(StoreBookingContractTests.take(slot, citizen))
    #expect(booked.booking.id == first.booking.id && booked.booking.state == .booked)
    #expect(try await store.slotUsage([slot.id])[slot.id] == 1)
  }

  @Test(arguments: StoreDriver.allCases)
  func aBookingCannotBeCancelledOnceItHasBegun(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let slot = StoreBookingContractTests.slot(capacity: 1)
    let booking = try await store.takeSlot(StoreBookingContractTests.take(slot, StoreBookingContractTests.citizen(1))).booking
    let late = await #expect(throws: DomainError.self) {
      try await store.changeBooking(ChangeBookingCommand(
        code: booking.code, nationalIDHash: "id-1", moveTo: nil, field: nil, at: slot.start.adding(seconds: 60),
        policy: AppointmentPolicy()))
    }
    #expect(late?.code == .failedPrecondition)
  }
}
