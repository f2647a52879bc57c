public import Appointments
import GRDB
public import MotCuaDomain
public import MotCuaStore
import QueueEngine

/// Appointments: slots' capacity rows, holds and bookings, quotas, check-in, the no-show sweep.
extension SQLiteStore {
  public func takeSlot(_ command: TakeSlotCommand) async throws -> BookingOutcome {
    let enforceCapacity = self.enforceCapacity
    return try await self.write { db in
      let scope = command.requester.idempotencyScope(for: command.citizen)
      if let (key, fingerprint) = command.idempotency,
        let earlier = try Self.earlierResult(db, principal: scope, key: key, fingerprint: fingerprint),
        let id = earlier.leaseID, let booking = try Self.booking(db, id: id)
      {
        return BookingOutcome(booking: booking, replayed: true)
      }
      try Self.expireHolds(db, at: command.at)
      var booking: Booking
      switch command.target {
      case .hold(let holdID):
        guard var held = try Self.booking(db, id: holdID), held.state == .held,
          held.citizen.nationalIDHash == command.citizen.nationalIDHash
        else { throw StoreRefusal.noLiveHold(holdID) }
        held.state = .booked
        held.holdExpiresAt = nil
        try Self.saveState(db, held, at: command.at)
        booking = held
      case .slot(let slot):
        // A retried hold, or a booking of a slot this citizen holds, takes the hold instead of a new place.
        if var held = try Row.fetchOne(
          db.cachedStatement(sql: "SELECT * FROM bookings WHERE citizen_hash = ? AND slot_id = ? AND state = 'HELD'"),
          arguments: [command.citizen.nationalIDHash, slot.id.description]
        ).map(Self.booking) {
          if !command.hold {
            held.state = .booked
            held.holdExpiresAt = nil
            try Self.saveState(db, held, at: command.at)
          }
          booking = held
          break
        }
        try Self.checkQuotas(
          db, citizen: command.citizen, field: command.field, day: slot.id.date, requester: command.requester,
          today: command.day, policy: command.policy, excluding: nil)
        try Self.take(db, slot, enforceCapacity: enforceCapacity)
        booking = Booking(
          id: command.bookingID, code: command.code, slotID: slot.id, field: command.field, start: slot.start,
          end: slot.end, citizen: command.citizen, state: command.hold ? .held : .booked,
          holdExpiresAt: command.hold ? command.at.adding(seconds: command.policy.holdSeconds) : nil, ticketID: nil,
          createdAt: command.at)
        try Self.insert(db, booking, requester: command.requester, day: command.day)
      }
      if let (key, fingerprint) = command.idempotency {
        try Self.remember(db, principal: scope, key: key, fingerprint: fingerprint, lease: booking.id, at: command.at)
      }
      return BookingOutcome(booking: booking, replayed: false)
    }
  }

  public func booking(code: String) async throws -> Booking? {
    try await self.pool.read { db in
      try Self.booking(db, code: code)
    }
  }

  public func changeBooking(_ command: ChangeBookingCommand) async throws -> Booking {
    let enforceCapacity = self.enforceCapacity
    return try await self.write { db in
      try Self.expireHolds(db, at: command.at)
      guard var booking = try Self.booking(db, code: command.code),
        booking.citizen.nationalIDHash == command.nationalIDHash
      else { throw StoreRefusal.noBookingForCodeAndID }
      guard booking.state.isActive else { throw StoreRefusal.bookingFinal(booking.displayCode, booking.state.rawValue) }
      guard command.at < booking.start else { throw StoreRefusal.bookingBegun(booking.displayCode) }
      try Self.release(db, booking.slotID)
      if let slot = command.moveTo {
        let requester = BookingRequester(principalID: "reschedule", addressKey: nil)
        try Self.checkQuotas(
          db, citizen: booking.citizen, field: command.field ?? booking.field, day: slot.id.date,
          requester: requester, today: slot.id.date, policy: command.policy, excluding: booking.id)
        try Self.take(db, slot, enforceCapacity: enforceCapacity)
        booking.slotID = slot.id
        booking.start = slot.start
        booking.end = slot.end
        booking.field = command.field ?? booking.field
        booking.state = .booked
        booking.holdExpiresAt = nil
        try db.cachedStatement(
          sql: """
            UPDATE bookings SET slot_id = ?, branch_id = ?, service_id = ?, field = ?, day = ?, start_at = ?,
              end_at = ?, state = 'BOOKED', hold_expires_at = NULL, updated_at = ? WHERE id = ?
            """
        ).execute(
          arguments: [
            slot.id.description, slot.id.branchID.rawValue, slot.id.serviceID.rawValue, booking.field.rawValue,
            slot.id.date.description, slot.start.millisecondsSinceEpoch, slot.end.millisecondsSinceEpoch,
            command.at.millisecondsSinceEpoch, booking.id,
          ])
      } else {
        booking.state = .cancelled
        try Self.saveState(db, booking, at: command.at)
      }
      return booking
    }
  }

  public func checkIn(_ command: CheckInCommand) async throws -> BookingOutcome {
    try await self.write { db in
      guard var booking = try Self.booking(db, code: command.code) else {
        throw StoreRefusal.noBooking(code: command.code)
      }
      if booking.state == .checkedIn, let id = booking.ticketID, let ticket = try Self.ticket(db, id) {
        return BookingOutcome(booking: booking, replayed: true, ticket: CommandOutcome(ticket: ticket, events: [], replayed: true))
      }
      try CheckInRules.check(booking, command)
      let ticket = try Self.issueNext(
        db, id: command.ticketID, branch: command.branchID, service: command.service, day: command.day,
        priority: .none, callRank: command.walkInRank, at: command.at, trackingCode: command.trackingCode,
        dueAt: booking.start, predicted: command.predicted)
      booking.state = .checkedIn
      booking.ticketID = ticket.id
      try db.cachedStatement(
        sql: "UPDATE bookings SET state = 'CHECKED_IN', ticket_id = ?, updated_at = ? WHERE id = ?"
      ).execute(arguments: [ticket.id.rawValue, command.at.millisecondsSinceEpoch, booking.id])
      let event = try Self.record(db, .issued, at: command.at, actor: command.principalID, ticket: ticket, counter: nil)
      return BookingOutcome(
        booking: booking, replayed: false, ticket: CommandOutcome(ticket: ticket, events: [event], replayed: false))
    }
  }

  public func sweepBookings(at: Instant, policy: AppointmentPolicy) async throws -> Int {
    try await self.write { db in
      var changed = try Self.expireHolds(db, at: at)
      let deadline = at.adding(seconds: -policy.checkInLateSeconds).millisecondsSinceEpoch
      try db.cachedStatement(
        sql: """
          UPDATE slots SET taken = taken - (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = slots.id
            AND b.state = 'BOOKED' AND b.start_at < ?)
          WHERE id IN (SELECT slot_id FROM bookings WHERE state = 'BOOKED' AND start_at < ?)
          """
      ).execute(arguments: [deadline, deadline])
      try db.cachedStatement(
        sql: "UPDATE bookings SET state = 'NO_SHOW', updated_at = ? WHERE state = 'BOOKED' AND start_at < ?"
      ).execute(arguments: [at.millisecondsSinceEpoch, deadline])
      changed += db.changesCount
      return changed
    }
  }

  public func slotUsage(_ ids: [SlotID]) async throws -> [SlotID: Int] {
    guard !ids.isEmpty else { return [:] }
    // The ids go in as one JSON array: one statement, compiled once, whatever their number.
    let idList = try JSON.encode(ids.map(\.description))
    return try await self.pool.read { db in
      var usage: [SlotID: Int] = [:]
      for row in try Row.fetchAll(
        db.cachedStatement(sql: "SELECT id, taken FROM slots WHERE id IN (SELECT value FROM json_each(?))"),
        arguments: [idList])
      {
        if let id = SlotID(row["id"] as String) { usage[id] = row["taken"] }
      }
      return usage
    }
  }

  // MARK: Steps

  /// Lapses holds whose time is up and gives their capacity back. Returns how many lapsed.
  @discardableResult
  static func expireHolds(_ db: Database, at: Instant) throws -> Int {
    let now = at.millisecondsSinceEpoch
    try db.cachedStatement(
      sql: """
        UPDATE slots SET taken = taken - (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = slots.id
          AND b.state = 'HELD' AND b.hold_expires_at <= ?)
        WHERE id IN (SELECT slot_id FROM bookings WHERE state = 'HELD' AND hold_expires_at <= ?)
        """
    ).execute(arguments: [now, now])
    try db.cachedStatement(
      sql: "UPDATE bookings SET state = 'EXPIRED', updated_at = ? WHERE state = 'HELD' AND hold_expires_at <= ?"
    ).execute(arguments: [now, now])
    return db.changesCount
  }

  /// Takes one place in `slot`: a conditional update, so capacity holds whatever runs concurrently.
  static func take(_ db: Database, _ slot: SlotDefinition, enforceCapacity: Bool) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO slots (id, branch_id, service_id, day, start_at, end_at, capacity, taken)
        VALUES (?, ?, ?, ?, ?, ?, ?, 0)
        ON CONFLICT (id) DO UPDATE SET capacity = excluded.capacity
        """
    ).execute(
      arguments: [
        slot.id.description, slot.id.branchID.rawValue, slot.id.serviceID.rawValue, slot.id.date.description,
        slot.start.millisecondsSinceEpoch, slot.end.millisecondsSinceEpoch, slot.capacity,
      ])
    try db.cachedStatement(
      sql: enforceCapacity
        ? "UPDATE slots SET taken = taken + 1 WHERE id = ? AND taken < capacity"
        : "UPDATE slots SET taken = taken + 1 WHERE id = ?"
    ).execute(arguments: [slot.id.description])
    guard db.changesCount == 1 else { throw StoreRefusal.slotFull(slot.id) }
  }

  static func release(_ db: Database, _ slot: SlotID) throws {
    try db.cachedStatement(sql: "UPDATE slots SET taken = taken - 1 WHERE id = ? AND taken > 0")
      .execute(arguments: [slot.description])
  }

  /// The quotas that stop touts; each breach names its limit.
  static func checkQuotas(
    _ db: Database, citizen: CitizenIdentity, field: ServiceField, day: LocalDate, requester: BookingRequester,
    today: LocalDate, policy: AppointmentPolicy, excluding: String?
  ) throws {
    let active = "state IN ('HELD', 'BOOKED') AND id IS NOT ?"
    // One statement per quota below, each compiled once per connection.
    func count(_ sql: String, _ arguments: StatementArguments) throws -> Int {
      try Int.fetchOne(
        db.cachedStatement(sql: "SELECT COUNT(*) FROM bookings WHERE \(active) AND \(sql)"),
        arguments: [excluding] + arguments) ?? 0
    }
    let usage = QuotaUsage(
      citizenFieldDay: try count(
        "citizen_hash = ? AND day = ? AND field = ?", [citizen.nationalIDHash, day.description, field.rawValue]),
      citizenDay: try count("citizen_hash = ? AND day = ?", [citizen.nationalIDHash, day.description]),
      phone: try count("phone_hash = ?", [citizen.phoneHash]),
      address: try requester.addressKey.map { try count("address_key = ? AND created_day = ?", [$0, today.description]) })
    try usage.check(policy, field: field, day: day)
  }

  static func insert(_ db: Database, _ b: Booking, requester: BookingRequester, day: LocalDate) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO bookings (id, code, slot_id, branch_id, service_id, field, day, start_at, end_at, citizen_hash,
          phone_hash, phone_last_digits, address_key, state, hold_expires_at, ticket_id, principal, created_at,
          created_day, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(
      arguments: [
        b.id, b.code, b.slotID.description, b.slotID.branchID.rawValue, b.slotID.serviceID.rawValue, b.field.rawValue,
        b.slotID.date.description, b.start.millisecondsSinceEpoch, b.end.millisecondsSinceEpoch,
        b.citizen.nationalIDHash, b.citizen.phoneHash, b.citizen.phoneLastDigits, requester.addressKey,
        b.state.rawValue, b.holdExpiresAt?.millisecondsSinceEpoch, b.ticketID?.rawValue,
        requester.principalID ?? "citizen", b.createdAt.millisecondsSinceEpoch, day.description,
        b.createdAt.millisecondsSinceEpoch,
      ])
  }

  static func saveState(_ db: Database, _ b: Booking, at: Instant) throws {
    try db.cachedStatement(
      sql: "UPDATE bookings SET state = ?, hold_expires_at = ?, updated_at = ? WHERE id = ?"
    ).execute(
      arguments: [b.state.rawValue, b.holdExpiresAt?.millisecondsSinceEpoch, at.millisecondsSinceEpoch, b.id])
  }

  static func booking(_ db: Database, id: String) throws -> Booking? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM bookings WHERE id = ?"), arguments: [id]).map(self.booking)
  }

  static func booking(_ db: Database, code: String) throws -> Booking? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM bookings WHERE code = ?"), arguments: [code])
      .map(self.booking)
  }

  static func booking(_ row: Row) throws -> Booking {
    guard let slot = SlotID(row["slot_id"] as String), let state = Booking.State(rawValue: row["state"]) else {
      throw StoreCorruption("booking \(row["id"] as String) has an unreadable slot or state")
    }
    return Booking(
      id: row["id"], code: row["code"], slotID: slot, field: ServiceField(rawValue: row["field"]) ?? .other,
      start: Instant(millisecondsSinceEpoch: row["start_at"]), end: Instant(millisecondsSinceEpoch: row["end_at"]),
      citizen: CitizenIdentity(
        nationalIDHash: row["citizen_hash"], phoneHash: row["phone_hash"], phoneLastDigits: row["phone_last_digits"]),
      state: state, holdExpiresAt: (row["hold_expires_at"] as Int64?).map(Instant.init(millisecondsSinceEpoch:)),
      ticketID: (row["ticket_id"] as String?).map(TicketID.init),
      createdAt: Instant(millisecondsSinceEpoch: row["created_at"]))
  }
}
