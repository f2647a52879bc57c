import Foundation
import GRDB
import MotCuaDomain
import MotCuaStore
import QueueEngine

/// Row mapping and the steps commands share, each run inside the caller's transaction.
extension SQLiteStore {
  /// What an earlier request with this key produced (a ticket or a lease id), or nil if the key is new.
  ///
  /// - Throws: `failedPrecondition` if the key was used for a different request.
  static func earlierResult(
    _ db: Database, principal: String, key: String, fingerprint: String
  ) throws -> (ticketID: TicketID?, leaseID: String?)? {
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(
          sql: "SELECT fingerprint, ticket_id, lease_id FROM idempotency WHERE principal = ? AND key = ?"),
        arguments: [principal, key])
    else { return nil }
    guard row["fingerprint"] as String == fingerprint else { throw StoreRefusal.keyReused(key) }
    return ((row["ticket_id"] as String?).map(TicketID.init), row["lease_id"])
  }

  /// The ticket an earlier request with this key produced, or nil if the key is new.
  static func idempotent(_ db: Database, principal: String, key: String, fingerprint: String) throws -> Ticket? {
    guard let id = try self.earlierResult(db, principal: principal, key: key, fingerprint: fingerprint)?.ticketID
    else { return nil }
    return try self.ticket(db, id)
  }

  static func remember(
    _ db: Database, principal: String, key: String, fingerprint: String, ticket: TicketID? = nil,
    lease: String? = nil, at: Instant
  ) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO idempotency (principal, key, fingerprint, ticket_id, lease_id, created_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """
    ).execute(
      arguments: [principal, key, fingerprint, ticket?.rawValue, lease, at.millisecondsSinceEpoch])
  }

  static func insert(
    _ db: Database, _ t: Ticket, leaseID: String? = nil, clockSkewSeconds: Int64? = nil, predicted: WaitEstimate? = nil
  ) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO tickets (id, branch_id, service_id, original_service_id, day, sequence, number, priority,
          call_rank, state, issued_at, called_at, serving_started_at, completed_at, counter_id, recall_count,
          tracking_code, lease_id, clock_skew_seconds, due_at, predicted_mean_seconds, predicted_p50_seconds,
          predicted_p90_seconds)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(
      arguments: [
        t.id.rawValue, t.branchID.rawValue, t.serviceID.rawValue, t.originalServiceID.rawValue,
        t.day.description, t.sequence, t.number, t.priority.rawValue, t.callRank, t.state.rawValue,
        t.issuedAt.millisecondsSinceEpoch, t.calledAt?.millisecondsSinceEpoch,
        t.servingStartedAt?.millisecondsSinceEpoch, t.completedAt?.millisecondsSinceEpoch,
        t.counterID?.rawValue, t.recallCount, t.trackingCode, leaseID, clockSkewSeconds,
        t.dueAt?.millisecondsSinceEpoch, predicted?.meanSeconds, predicted?.p50Seconds, predicted?.p90Seconds,
      ])
  }

  static func lease(_ db: Database, _ id: String) throws -> NumberLease? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM leases WHERE id = ?"), arguments: [id]).map(self.lease)
  }

  static func lease(_ row: Row) throws -> NumberLease {
    guard let day = LocalDate(row["day"] as String) else {
      throw StoreCorruption("lease \(row["id"] as String) has an unreadable day")
    }
    return NumberLease(
      id: row["id"], principalID: row["principal"], branchID: BranchID(row["branch_id"]),
      serviceID: ServiceID(row["service_id"]), day: day, firstSequence: row["first_sequence"],
      lastSequence: row["last_sequence"], createdAt: Instant(millisecondsSinceEpoch: row["created_at"]),
      expiresAt: Instant(millisecondsSinceEpoch: row["expires_at"]))
  }

  /// Issues a waiting ticket with the day's next number of `service` (walk-in, priority or checked-in
  /// appointment) and inserts it.
  static func issueNext(
    _ db: Database, id: TicketID, branch: BranchID, service: Service, day: LocalDate, priority: Priority,
    callRank: Int, at: Instant, trackingCode: String, dueAt: Instant?, predicted: WaitEstimate?
  ) throws -> Ticket {
    let sequence = try self.takeNumbers(db, branch, service.id, day, count: 1)
    let ticket = Ticket(
      id: id, branchID: branch, serviceID: service.id, originalServiceID: service.id, day: day, sequence: sequence,
      number: TicketNumber.format(prefix: service.prefix, sequence: sequence), priority: priority,
      callRank: callRank, state: .waiting, issuedAt: at, trackingCode: trackingCode, dueAt: dueAt)
    try self.insert(db, ticket, predicted: predicted)
    return ticket
  }

  /// Takes `count` numbers from the branch × service × day counter; returns the last one taken.
  static func takeNumbers(_ db: Database, _ branch: BranchID, _ service: ServiceID, _ day: LocalDate, count: Int)
    throws -> Int
  {
    try Int.fetchOne(
      db.cachedStatement(
        sql: """
          INSERT INTO number_sequences (branch_id, service_id, day, last_sequence) VALUES (?, ?, ?, ?)
          ON CONFLICT (branch_id, service_id, day) DO UPDATE SET last_sequence = last_sequence + excluded.last_sequence
          RETURNING last_sequence
          """),
      arguments: [branch.rawValue, service.rawValue, day.description, count])!
  }

  /// Writes the mutable columns of `t`, only if the stored state is still `from`.
  static func update(_ db: Database, _ t: Ticket, from state: TicketState) throws {
    try db.cachedStatement(
      sql: """
        UPDATE tickets SET service_id = ?, call_rank = ?, state = ?, called_at = ?, serving_started_at = ?,
          completed_at = ?, counter_id = ?, recall_count = ?
        WHERE id = ? AND state = ?
        """
    ).execute(
      arguments: [
        t.serviceID.rawValue, t.callRank, t.state.rawValue, t.calledAt?.millisecondsSinceEpoch,
        t.servingStartedAt?.millisecondsSinceEpoch, t.completedAt?.millisecondsSinceEpoch,
        t.counterID?.rawValue, t.recallCount, t.id.rawValue, state.rawValue,
      ])
    guard db.changesCount == 1 else { throw StoreRefusal.ticketChangedConcurrently(t) }
  }

  static func ticket(_ db: Database, _ id: TicketID) throws -> Ticket? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tickets WHERE id = ?"), arguments: [id.rawValue])
      .map(self.ticket)
  }

  static func ticket(_ row: Row) throws -> Ticket {
    guard let day = LocalDate(row["day"] as String), let priority = Priority(rawValue: row["priority"]),
      let state = TicketState(rawValue: row["state"])
    else { throw StoreCorruption("ticket row \(row["id"] as String) has an unreadable day, priority or state") }
    func instant(_ column: String) -> Instant? {
      (row[column] as Int64?).map(Instant.init(millisecondsSinceEpoch:))
    }
    return Ticket(
      id: TicketID(row["id"]), branchID: BranchID(row["branch_id"]), serviceID: ServiceID(row["service_id"]),
      originalServiceID: ServiceID(row["original_service_id"]), day: day, sequence: row["sequence"],
      number: row["number"], priority: priority, callRank: row["call_rank"], state: state,
      issuedAt: Instant(millisecondsSinceEpoch: row["issued_at"]), calledAt: instant("called_at"),
      servingStartedAt: instant("serving_started_at"), completedAt: instant("completed_at"),
      counterID: (row["counter_id"] as String?).map(CounterID.init), recallCount: row["recall_count"],
      trackingCode: row["tracking_code"], dueAt: instant("due_at"))
  }

  static func counterState(_ db: Database, _ id: CounterID) throws -> CounterState? {
    try Row.fetchOne(
      db.cachedStatement(sql: "SELECT * FROM counter_states WHERE counter_id = ?"), arguments: [id.rawValue]
    ).map(self.counterState)
  }

  static func counterState(_ row: Row) throws -> CounterState {
    CounterState(
      counterID: CounterID(row["counter_id"]), branchID: BranchID(row["branch_id"]),
      isOpen: row["is_open"], serviceIDs: try JSON.decode([ServiceID].self, row["service_ids"]),
      currentTicketID: (row["current_ticket_id"] as String?).map(TicketID.init),
      currentNumber: row["current_number"])
  }

  static func save(_ db: Database, _ c: CounterState, at: Instant) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO counter_states (counter_id, branch_id, is_open, service_ids, current_ticket_id,
          current_number, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (counter_id) DO UPDATE SET is_open = excluded.is_open, service_ids = excluded.service_ids,
          current_ticket_id = excluded.current_ticket_id, current_number = excluded.current_number,
          updated_at = excluded.updated_at
        """
    ).execute(
      arguments: [
        c.counterID.rawValue, c.branchID.rawValue, c.isOpen, try JSON.encode(c.serviceIDs),
        c.currentTicketID?.rawValue, c.currentNumber, at.millisecondsSinceEpoch,
      ])
  }

  /// Appends the branch's next event — the history row and what boards are sent — with the queue lengths
  /// after the change in the services it touched.
  static func record(
    _ db: Database, _ kind: BranchEvent.Kind, at: Instant, actor: String, ticket: Ticket?,
    counter: CounterState?, from: ServiceID? = nil
  ) throws -> BranchEvent {
    guard let branch = ticket?.branchID ?? counter?.branchID else {
      preconditionFailure("an event concerns a ticket or a counter")
    }
    let sequence = try Int64.fetchOne(
      db.cachedStatement(
        sql: """
          INSERT INTO branch_sequences (branch_id, last_sequence) VALUES (?, 1)
          ON CONFLICT (branch_id) DO UPDATE SET last_sequence = last_sequence + 1 RETURNING last_sequence
          """),
      arguments: [branch.rawValue])!
    var waitingAfter: [ServiceID: Int] = [:]
    if let ticket {
      for service in [ticket.serviceID] + (from.map { [$0] } ?? []) {
        waitingAfter[service] = try Int.fetchOne(
          db.cachedStatement(sql: "SELECT n FROM waiting_counts WHERE branch_id = ? AND day = ? AND service_id = ?"),
          arguments: [branch.rawValue, ticket.day.description, service.rawValue]) ?? 0
      }
    }
    let event = BranchEvent(
      branchID: branch, sequence: UInt64(sequence), kind: kind, at: at, actor: actor, ticket: ticket,
      counter: counter, fromServiceID: from, waitingAfter: waitingAfter)
    try db.cachedStatement(
      sql: """
        INSERT INTO events (branch_id, sequence, kind, at, actor, ticket_id, ticket, counter, from_service_id,
          waiting_after)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(
      arguments: [
        branch.rawValue, sequence, kind.rawValue, at.millisecondsSinceEpoch, actor, ticket?.id.rawValue,
        try ticket.map(JSON.encode), try counter.map(JSON.encode), from?.rawValue,
        try JSON.encode(Dictionary(uniqueKeysWithValues: waitingAfter.map { ($0.key.rawValue, $0.value) })),
      ])
    return event
  }

  static func event(_ row: Row) throws -> BranchEvent {
    guard let kind = BranchEvent.Kind(rawValue: row["kind"]) else {
      throw StoreCorruption("event row has an unknown kind '\(row["kind"] as String)'")
    }
    let waiting = try JSON.decode([String: Int].self, row["waiting_after"])
    return BranchEvent(
      branchID: BranchID(row["branch_id"]), sequence: UInt64(row["sequence"] as Int64), kind: kind,
      at: Instant(millisecondsSinceEpoch: row["at"]), actor: row["actor"],
      ticket: try (row["ticket"] as String?).map { try JSON.decode(Ticket.self, $0) },
      counter: try (row["counter"] as String?).map { try JSON.decode(CounterState.self, $0) },
      fromServiceID: (row["from_service_id"] as String?).map(ServiceID.init),
      waitingAfter: Dictionary(uniqueKeysWithValues: waiting.map { (ServiceID($0.key), $0.value) }))
  }
}
