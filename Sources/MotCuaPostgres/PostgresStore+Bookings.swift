public import Appointments
public import MotCuaDomain
public import MotCuaStore
import PostgresNIO
import QueueEngine

/// Appointments: slots' capacity rows, holds and bookings, quotas, check-in, the no-show sweep.
extension PostgresStore {
  public func takeSlot(_ command: TakeSlotCommand) async throws -> BookingOutcome {
    let enforceCapacity = self.enforceCapacity
    return try await self.command { s in
      // The citizen's and phone's locks first: a concurrent request of the same citizen (a retry included) waits
      // here, then sees what the first committed — its idempotent result, or the bookings its quotas count.
      try await Self.lockQuotas(s, citizen: command.citizen, address: command.requester.addressKey)
      let scope = command.requester.idempotencyScope(for: command.citizen)
      if let (key, fingerprint) = command.idempotency,
        let earlier = try await Self.earlierResult(s, principal: scope, key: key, fingerprint: fingerprint),
        let id = earlier.leaseID, let booking = try await Self.booking(s, id: id)
      {
        return BookingOutcome(booking: booking, replayed: true)
      }
      try await Self.expireHolds(s, at: command.at)
      var booking: Booking
      switch command.target {
      case .hold(let holdID):
        guard var held = try await Self.booking(s, id: holdID, forUpdate: true), held.state == .held,
          held.citizen.nationalIDHash == command.citizen.nationalIDHash
        else { throw StoreRefusal.noLiveHold(holdID) }
        held.state = .booked
        held.holdExpiresAt = nil
        try await Self.saveState(s, held, at: command.at)
        booking = held
      case .slot(let slot):
        // A retried hold, or a booking of a slot this citizen holds, takes the hold instead of a new place.
        if var held = try await s.row(
          """
          SELECT * FROM bookings WHERE citizen_hash = \(command.citizen.nationalIDHash)
          AND slot_id = \(slot.id.description) AND state = 'HELD' FOR UPDATE
          """
        ).map(Self.booking) {
          if !command.hold {
            held.state = .booked
            held.holdExpiresAt = nil
            try await Self.saveState(s, held, at: command.at)
          }
          booking = held
          break
        }
        try await Self.checkQuotas(
          s, citizen: command.citizen, field: command.field, day: slot.id.date, requester: command.requester,
          today: command.day, policy: command.policy, excluding: nil)
        try await Self.take(s, slot, enforceCapacity: enforceCapacity)
        booking = Booking(
          id: command.bookingID, code: command.code, slotID: slot.id, field: command.field, start: slot.start,
          end: slot.end, citizen: command.citizen, state: command.hold ? .held : .booked,
          holdExpiresAt: command.hold ? command.at.adding(seconds: command.policy.holdSeconds) : nil, ticketID: nil,
          createdAt: command.at)
        try await Self.insert(s, booking, requester: command.requester, day: command.day)
      }
      if let (key, fingerprint) = command.idempotency {
        try await Self.remember(s, principal: scope, key: key, fingerprint: fingerprint, lease: booking.id, at: command.at)
      }
      return BookingOutcome(booking: booking, replayed: false)
    }
  }

  public func booking(code: String) async throws -> Booking? {
    try await self.command { s in try await s.row("SELECT * FROM bookings WHERE code = \(code)").map(Self.booking) }
  }

  public func changeBooking(_ command: ChangeBookingCommand) async throws -> Booking {
    let enforceCapacity = self.enforceCapacity
    return try await self.command { s in
      guard var booking = try await Self.booking(s, code: command.code),
        booking.citizen.nationalIDHash == command.nationalIDHash
      else { throw StoreRefusal.noBookingForCodeAndID }
      // Quota locks before any slot row, in the same order as takeSlot.
      try await Self.lockQuotas(s, citizen: booking.citizen, address: nil)
      try await Self.expireHolds(s, at: command.at)
      guard let current = try await Self.booking(s, code: command.code, forUpdate: true) else {
        throw StoreRefusal.noBookingForCodeAndID
      }
      booking = current
      guard booking.state.isActive else { throw StoreRefusal.bookingFinal(booking.displayCode, booking.state.rawValue) }
      guard command.at < booking.start else { throw StoreRefusal.bookingBegun(booking.displayCode) }
      try await Self.release(s, booking.slotID)
      if let slot = command.moveTo {
        let requester = BookingRequester(principalID: "reschedule", addressKey: nil)
        try await Self.checkQuotas(
          s, citizen: booking.citizen, field: command.field ?? booking.field, day: slot.id.date,
          requester: requester, today: slot.id.date, policy: command.policy, excluding: booking.id)
        try await Self.take(s, slot, enforceCapacity: enforceCapacity)
        booking.slotID = slot.id
        booking.start = slot.start
        booking.end = slot.end
        booking.field = command.field ?? booking.field
        booking.state = .booked
        booking.holdExpiresAt = nil
        try await s.execute(
          """
          UPDATE bookings SET slot_id = \(slot.id.description), branch_id = \(slot.id.branchID.rawValue),
            service_id = \(slot.id.serviceID.rawValue), field = \(booking.field.rawValue),
            day = \(slot.id.date.description), start_at = \(slot.start.millisecondsSinceEpoch),
            end_at = \(slot.end.millisecondsSinceEpoch), state = 'BOOKED', hold_expires_at = NULL,
            updated_at = \(command.at.millisecondsSinceEpoch)
          WHERE id = \(booking.id)
          """)
      } else {
        booking.state = .cancelled
        try await Self.saveState(s, booking, at: command.at)
      }
      return booking
    }
  }

  public func checkIn(_ command: CheckInCommand) async throws -> BookingOutcome {
    try await self.command { s in
      // The booking's row locked: a second check-in waits, then finds it checked in.
      guard var booking = try await Self.booking(s, code: command.code, forUpdate: true) else {
        throw StoreRefusal.noBooking(code: command.code)
      }
      if booking.state == .checkedIn, let id = booking.ticketID, let ticket = try await Self.ticket(s, id) {
        return BookingOutcome(
          booking: booking, replayed: true, ticket: CommandOutcome(ticket: ticket, events: [], replayed: true))
      }
      try CheckInRules.check(booking, command)
      let ticket = try await Self.issueNext(
        s, id: command.ticketID, branch: command.branchID, service: command.service, day: command.day,
        priority: .none, callRank: command.walkInRank, at: command.at, trackingCode: command.trackingCode,
        dueAt: booking.start, predicted: command.predicted)
      booking.state = .checkedIn
      booking.ticketID = ticket.id
      try await s.execute(
        """
        UPDATE bookings SET state = 'CHECKED_IN', ticket_id = \(ticket.id.rawValue),
          updated_at = \(command.at.millisecondsSinceEpoch) WHERE id = \(booking.id)
        """)
      let event = try await Self.record(s, .issued, at: command.at, actor: command.principalID, ticket: ticket, counter: nil)
      return BookingOutcome(
        booking: booking, replayed: false, ticket: CommandOutcome(ticket: ticket, events: [event], replayed: false))
    }
  }

  public func sweepBookings(at: Instant, policy: AppointmentPolicy) async throws -> Int {
    try await self.command { s in
      let lapsed = try await Self.expireHolds(s, at: at)
      let deadline = at.adding(seconds: -policy.checkInLateSeconds).millisecondsSinceEpoch
      let missed = try await Self.release(s, from: "BOOKED", to: "NO_SHOW", when: "start_at <", deadline, at: at)
      return lapsed + missed
    }
  }

  public func slotUsage(_ ids: [SlotID]) async throws -> [SlotID: Int] {
    guard !ids.isEmpty else { return [:] }
    return try await self.command { s in
      var usage: [SlotID: Int] = [:]
      for row in try await s.rows("SELECT id, taken FROM slots WHERE id = ANY(\(ids.map(\.description)))") {
        if let id = SlotID(try row("id", as: String.self)) { usage[id] = try row("taken") }
      }
      return usage
    }
  }

  // MARK: Steps

  /// Serialises the requests of one citizen, one phone (and one address): transaction-scoped advisory locks,
  /// taken in a fixed order so two requests never wait on each other crosswise.
  static func lockQuotas(_ s: PostgresSession, citizen: CitizenIdentity, address: String?) async throws {
    var keys = ["citizen:\(citizen.nationalIDHash)", "phone:\(citizen.phoneHash)"]
    if let address { keys.append("address:\(address)") }
    for key in keys.sorted() {
      try await s.execute("SELECT pg_advisory_xact_lock(hashtext(\(key)))")
    }
  }

  /// Lapses holds whose time is up and gives their capacity back. Returns how many lapsed.
  @discardableResult
  static func expireHolds(_ s: PostgresSession, at: Instant) async throws -> Int {
    try await self.release(s, from: "HELD", to: "EXPIRED", when: "hold_expires_at <=", at.millisecondsSinceEpoch, at: at)
  }

  /// Moves the `from` bookings whose `condition` (a column and comparison) holds against `limit` to state `to`
  /// and gives their places back, in one statement: a booking a concurrent sweep changed is not counted twice.
  /// Returns how many changed.
  private static func release(
    _ s: PostgresSession, from: String, to: String, when condition: String, _ limit: Int64, at: Instant
  ) async throws -> Int {
    try await s.value(
      """
      WITH changed AS (
        UPDATE bookings SET state = \(to), updated_at = \(at.millisecondsSinceEpoch)
        WHERE state = \(from) AND \(unescaped: condition) \(limit)
        RETURNING slot_id),
      released AS (
        UPDATE slots SET taken = slots.taken - c.n
        FROM (SELECT slot_id, COUNT(*) AS n FROM changed GROUP BY slot_id) c WHERE slots.id = c.slot_id
        RETURNING 1)
      SELECT (SELECT COUNT(*) FROM changed) + 0 * (SELECT COUNT(*) FROM released)
      """, as: Int.self) ?? 0
  }

  /// Takes one place in `slot`: a conditional update, so capacity holds whatever runs concurrently (a
  /// concurrent taker waits for the row and re-checks `taken < capacity` on the committed value).
  static func take(_ s: PostgresSession, _ slot: SlotDefinition, enforceCapacity: Bool) async throws {
    try await s.execute(
      """
      INSERT INTO slots (id, branch_id, service_id, day, start_at, end_at, capacity, taken)
      VALUES (\(slot.id.description), \(slot.id.branchID.rawValue), \(slot.id.serviceID.rawValue),
        \(slot.id.date.description), \(slot.start.millisecondsSinceEpoch), \(slot.end.millisecondsSinceEpoch),
        \(slot.capacity), 0)
      ON CONFLICT (id) DO UPDATE SET capacity = EXCLUDED.capacity
      """)
    let taken = try await s.execute(
      enforceCapacity
        ? "UPDATE slots SET taken = taken + 1 WHERE id = \(slot.id.description) AND taken < capacity RETURNING 1"
        : "UPDATE slots SET taken = taken + 1 WHERE id = \(slot.id.description) RETURNING 1")
    guard taken == 1 else { throw StoreRefusal.slotFull(slot.id) }
  }

  static func release(_ s: PostgresSession, _ slot: SlotID) async throws {
    try await s.execute("UPDATE slots SET taken = taken - 1 WHERE id = \(slot.description) AND taken > 0")
  }

  /// The quotas that stop touts; each breach names its limit. Run under `lockQuotas`.
  static func checkQuotas(
    _ s: PostgresSession, citizen: CitizenIdentity, field: ServiceField, day: LocalDate, requester: BookingRequester,
    today: LocalDate, policy: AppointmentPolicy, excluding: String?
  ) async throws {
    guard
      let row = try await s.row(
        """
        SELECT
          COUNT(*) FILTER (WHERE citizen_hash = \(citizen.nationalIDHash) AND day = \(day.description)
            AND field = \(field.rawValue)) AS citizen_field_day,
          COUNT(*) FILTER (WHERE citizen_hash = \(citizen.nationalIDHash) AND day = \(day.description)) AS citizen_day,
          COUNT(*) FILTER (WHERE phone_hash = \(citizen.phoneHash)) AS phone,
          COUNT(*) FILTER (WHERE address_key = \(requester.addressKey) AND created_day = \(today.description)) AS address
        FROM bookings WHERE state IN ('HELD', 'BOOKED') AND id IS DISTINCT FROM \(excluding)
          AND (citizen_hash = \(citizen.nationalIDHash) OR phone_hash = \(citizen.phoneHash)
            OR address_key = \(requester.addressKey))
        """)
    else { return }
    let usage = QuotaUsage(
      citizenFieldDay: try row("citizen_field_day"), citizenDay: try row("citizen_day"), phone: try row("phone"),
      address: requester.addressKey == nil ? nil : try row("address", as: Int.self))
    try usage.check(policy, field: field, day: day)
  }

  static func insert(_ s: PostgresSession, _ b: Booking, requester: BookingRequester, day: LocalDate) async throws {
    try await s.execute(
      """
      INSERT INTO bookings (id, code, slot_id, branch_id, service_id, field, day, start_at, end_at, citizen_hash,
        phone_hash, phone_last_digits, address_key, state, hold_expires_at, ticket_id, principal, created_at,
        created_day, updated_at)
      VALUES (\(b.id), \(b.code), \(b.slotID.description), \(b.slotID.branchID.rawValue),
        \(b.slotID.serviceID.rawValue), \(b.field.rawValue), \(b.slotID.date.description),
        \(b.start.millisecondsSinceEpoch), \(b.end.millisecondsSinceEpoch), \(b.citizen.nationalIDHash),
        \(b.citizen.phoneHash), \(b.citizen.phoneLastDigits), \(requester.addressKey), \(b.state.rawValue),
        \(b.holdExpiresAt?.millisecondsSinceEpoch), \(b.ticketID?.rawValue), \(requester.principalID ?? "citizen"),
        \(b.createdAt.millisecondsSinceEpoch), \(day.description), \(b.createdAt.millisecondsSinceEpoch))
      """)
  }

  static func saveState(_ s: PostgresSession, _ b: Booking, at: Instant) async throws {
    try await s.execute(
      """
      UPDATE bookings SET state = \(b.state.rawValue), hold_expires_at = \(b.holdExpiresAt?.millisecondsSinceEpoch),
        updated_at = \(at.millisecondsSinceEpoch) WHERE id = \(b.id)
      """)
  }

  static func booking(_ s: PostgresSession, id: String, forUpdate: Bool = false) async throws -> Booking? {
    try await s.row("SELECT * FROM bookings WHERE id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")")
      .map(self.booking)
  }

  static func booking(_ s: PostgresSession, code: String, forUpdate: Bool = false) async throws -> Booking? {
    try await s.row("SELECT * FROM bookings WHERE code = \(code) \(unescaped: forUpdate ? "FOR UPDATE" : "")")
      .map(self.booking)
  }

  static func booking(_ row: RowColumns) throws -> Booking {
    guard let slot = SlotID(try row("slot_id", as: String.self)), let state = Booking.State(rawValue: try row("state"))
    else { throw StoreCorruption("booking \(try row("id", as: String.self)) has an unreadable slot or state") }
    return Booking(
      id: try row("id"), code: try row("code"), slotID: slot,
      field: ServiceField(rawValue: try row("field")) ?? .other,
      start: Instant(millisecondsSinceEpoch: try row("start_at")), end: Instant(millisecondsSinceEpoch: try row("end_at")),
      citizen: CitizenIdentity(
        nationalIDHash: try row("citizen_hash"), phoneHash: try row("phone_hash"),
        phoneLastDigits: try row("phone_last_digits")),
      state: state, holdExpiresAt: try row("hold_expires_at", as: Int64?.self).map(Instant.init(millisecondsSinceEpoch:)),
      ticketID: try row("ticket_id", as: String?.self).map(TicketID.init),
      createdAt: Instant(millisecondsSinceEpoch: try row("created_at")))
  }
}
