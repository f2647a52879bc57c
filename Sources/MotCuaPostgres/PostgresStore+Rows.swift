import Foundation
import MotCuaDomain
import MotCuaStore
import PostgresNIO
import QueueEngine

/// Row mapping and the steps commands share, each run inside the caller's transaction.
extension PostgresStore {
  /// What an earlier request with this key produced (a ticket or a lease/booking id), or nil if the key is new.
  ///
  /// - Throws: `failedPrecondition` if the key was used for a different request.
  static func earlierResult(
    _ s: PostgresSession, principal: String, key: String, fingerprint: String
  ) async throws -> (ticketID: TicketID?, leaseID: String?)? {
    guard
      let row = try await s.row(
        "SELECT fingerprint, ticket_id, lease_id FROM idempotency WHERE principal = \(principal) AND key = \(key)")
    else { return nil }
    guard try row("fingerprint", as: String.self) == fingerprint else { throw StoreRefusal.keyReused(key) }
    return (try row("ticket_id", as: String?.self).map(TicketID.init), try row("lease_id", as: String?.self))
  }

  /// The ticket an earlier request with this key produced, or nil if the key is new.
  static func idempotent(_ s: PostgresSession, principal: String, key: String, fingerprint: String) async throws
    -> Ticket?
  {
    guard let id = try await self.earlierResult(s, principal: principal, key: key, fingerprint: fingerprint)?.ticketID
    else { return nil }
    return try await self.ticket(s, id)
  }

  /// Records the key's result; a concurrent duplicate fails here (unique violation) and is re-run.
  static func remember(
    _ s: PostgresSession, principal: String, key: String, fingerprint: String, ticket: TicketID? = nil,
    lease: String? = nil, at: Instant
  ) async throws {
    try await s.rows(
      KeyRecord(
        principal: principal, key: key, fingerprint: fingerprint, ticketID: ticket?.rawValue, leaseID: lease,
        createdAt: at.millisecondsSinceEpoch))
  }

  static func insert(
    _ s: PostgresSession, _ t: Ticket, leaseID: String? = nil, clockSkewSeconds: Int64? = nil,
    predicted: WaitEstimate? = nil
  ) async throws {
    try await s.rows(TicketInsert(ticket: t, leaseID: leaseID, clockSkewSeconds: clockSkewSeconds, predicted: predicted))
  }

  static func lease(_ s: PostgresSession, _ id: String) async throws -> NumberLease? {
    try await s.row("SELECT * FROM leases WHERE id = \(id)").map(self.lease)
  }

  static func lease(_ row: RowColumns) throws -> NumberLease {
    guard let day = LocalDate(try row("day", as: String.self)) else {
      throw StoreCorruption("lease \(try row("id", as: String.self)) has an unreadable day")
    }
    return NumberLease(
      id: try row("id"), principalID: try row("principal"), branchID: BranchID(try row("branch_id")),
      serviceID: ServiceID(try row("service_id")), day: day, firstSequence: try row("first_sequence"),
      lastSequence: try row("last_sequence"), createdAt: Instant(millisecondsSinceEpoch: try row("created_at")),
      expiresAt: Instant(millisecondsSinceEpoch: try row("expires_at")))
  }

  /// Issues a waiting ticket with the day's next number of `service` (or `sequence`, taken already) and inserts
  /// it.
  static func issueNext(
    _ s: PostgresSession, id: TicketID, branch: BranchID, service: Service, day: LocalDate, priority: Priority,
    callRank: Int, at: Instant, trackingCode: String, dueAt: Instant?, predicted: WaitEstimate?, sequence: Int? = nil
  ) async throws -> Ticket {
    let sequence = if let sequence { sequence } else { try await self.takeNumbers(s, branch, service.id, day, count: 1) }
    let ticket = Ticket(
      id: id, branchID: branch, serviceID: service.id, originalServiceID: service.id, day: day, sequence: sequence,
      number: TicketNumber.format(prefix: service.prefix, sequence: sequence), priority: priority,
      callRank: callRank, state: .waiting, issuedAt: at, trackingCode: trackingCode, dueAt: dueAt)
    try await self.insert(s, ticket, predicted: predicted)
    return ticket
  }

  /// What an online IssueTicket's key found, in one round trip (`KeyLookupWithNumber`).
  enum KeyLookup {
    /// The ticket an earlier request with this key produced.
    case earlier(TicketID)
    /// A new key: the day's next number of the service, taken.
    case new(sequence: Int)
  }

  /// The ticket an earlier request with this key produced, or else the day's next number of the service (taken
  /// only for a new key).
  ///
  /// - Throws: `failedPrecondition` if the key was used for a different request.
  static func lookUpKeyTakingNumber(_ s: PostgresSession, _ command: IssueTicketCommand) async throws -> KeyLookup {
    let row = try await s.rows(
      KeyLookupWithNumber(
        principal: command.principalID, key: command.idempotencyKey, branch: command.branchID.rawValue,
        service: command.service.id.rawValue, day: command.day.description)
    ).first
    switch (row?.fingerprint, row?.ticketID, row?.sequence) {
    case (command.fingerprint?, let id?, _): return .earlier(TicketID(id))
    case (_?, _, _): throw StoreRefusal.keyReused(command.idempotencyKey)
    case (nil, _, let sequence?): return .new(sequence: sequence)
    case (nil, _, nil): throw StoreCorruption("the key lookup took no number")
    }
  }

  /// Takes `count` numbers from the branch × service × day counter; returns the last one taken. The row stays
  /// locked until the transaction ends, so numbers are gapless and rolled back with it.
  static func takeNumbers(_ s: PostgresSession, _ branch: BranchID, _ service: ServiceID, _ day: LocalDate, count: Int)
    async throws -> Int
  {
    try await s.value(
      """
      INSERT INTO number_sequences (branch_id, service_id, day, last_sequence)
      VALUES (\(branch.rawValue), \(service.rawValue), \(day.description), \(count))
      ON CONFLICT (branch_id, service_id, day)
      DO UPDATE SET last_sequence = number_sequences.last_sequence + EXCLUDED.last_sequence
      RETURNING last_sequence
      """, as: Int.self)!
  }

  /// Writes the mutable columns of `t`, only if the stored state is still `from`; otherwise the transaction is
  /// re-run.
  static func update(_ s: PostgresSession, _ t: Ticket, from state: TicketState) async throws {
    let changed = try await s.execute(
      """
      UPDATE tickets SET service_id = \(t.serviceID.rawValue), call_rank = \(t.callRank), state = \(t.state.rawValue),
        called_at = \(t.calledAt?.millisecondsSinceEpoch),
        serving_started_at = \(t.servingStartedAt?.millisecondsSinceEpoch),
        completed_at = \(t.completedAt?.millisecondsSinceEpoch), counter_id = \(t.counterID?.rawValue),
        recall_count = \(t.recallCount)
      WHERE id = \(t.id.rawValue) AND state = \(state.rawValue) RETURNING 1
      """)
    guard changed == 1 else { throw ConcurrentChange(refusal: StoreRefusal.ticketChangedConcurrently(t)) }
  }

  static func ticket(_ s: PostgresSession, _ id: TicketID, forUpdate: Bool = false) async throws -> Ticket? {
    try await s.row(
      "SELECT * FROM tickets WHERE id = \(id.rawValue) \(unescaped: forUpdate ? "FOR UPDATE" : "")"
    ).map(self.ticket)
  }

  static func ticket(_ row: RowColumns) throws -> Ticket {
    guard let day = LocalDate(try row("day", as: String.self)), let priority = Priority(rawValue: try row("priority")),
      let state = TicketState(rawValue: try row("state"))
    else {
      throw StoreCorruption("ticket row \(try row("id", as: String.self)) has an unreadable day, priority or state")
    }
    func instant(_ column: String) throws -> Instant? {
      try row(column, as: Int64?.self).map(Instant.init(millisecondsSinceEpoch:))
    }
    return Ticket(
      id: TicketID(try row("id")), branchID: BranchID(try row("branch_id")),
      serviceID: ServiceID(try row("service_id")), originalServiceID: ServiceID(try row("original_service_id")),
      day: day, sequence: try row("sequence"), number: try row("number"), priority: priority,
      callRank: try row("call_rank"), state: state,
      issuedAt: Instant(millisecondsSinceEpoch: try row("issued_at")), calledAt: try instant("called_at"),
      servingStartedAt: try instant("serving_started_at"), completedAt: try instant("completed_at"),
      counterID: try row("counter_id", as: String?.self).map(CounterID.init), recallCount: try row("recall_count"),
      trackingCode: try row("tracking_code"), dueAt: try instant("due_at"))
  }

  /// The counter's recorded state; `forUpdate` locks its row until the transaction ends.
  static func counterState(_ s: PostgresSession, _ id: CounterID, forUpdate: Bool = false) async throws
    -> CounterState?
  {
    try await s.row(
      "SELECT * FROM counter_states WHERE counter_id = \(id.rawValue) \(unescaped: forUpdate ? "FOR UPDATE" : "")"
    ).map(self.counterState)
  }

  static func counterState(_ row: RowColumns) throws -> CounterState {
    CounterState(
      counterID: CounterID(try row("counter_id")), branchID: BranchID(try row("branch_id")),
      isOpen: try row("is_open"), serviceIDs: try JSON.decode([ServiceID].self, try row("service_ids")),
      currentTicketID: try row("current_ticket_id", as: String?.self).map(TicketID.init),
      currentNumber: try row("current_number"))
  }

  static func save(_ s: PostgresSession, _ c: CounterState, at: Instant) async throws {
    try await s.execute(
      """
      INSERT INTO counter_states (counter_id, branch_id, is_open, service_ids, current_ticket_id,
        current_number, updated_at)
      VALUES (\(c.counterID.rawValue), \(c.branchID.rawValue), \(c.isOpen), \(try JSON.encode(c.serviceIDs)),
        \(c.currentTicketID?.rawValue), \(c.currentNumber), \(at.millisecondsSinceEpoch))
      ON CONFLICT (counter_id) DO UPDATE SET is_open = EXCLUDED.is_open, service_ids = EXCLUDED.service_ids,
        current_ticket_id = EXCLUDED.current_ticket_id, current_number = EXCLUDED.current_number,
        updated_at = EXCLUDED.updated_at
      """)
  }

  /// Appends the branch's next event (its sequence taken like a ticket number: gapless, in the transaction) with
  /// the queue lengths after the change in the services it touched, in one round trip (`EventAppend`).
  static func record(
    _ s: PostgresSession, _ kind: BranchEvent.Kind, at: Instant, actor: String, ticket: Ticket?,
    counter: CounterState?, from: ServiceID? = nil
  ) async throws -> BranchEvent {
    guard let branch = ticket?.branchID ?? counter?.branchID else {
      preconditionFailure("an event concerns a ticket or a counter")
    }
    let services = ticket.map { [$0.serviceID] + (from.map { [$0] } ?? []) } ?? []
    guard
      let row = try await s.rows(
        EventAppend(
          branch: branch.rawValue, day: ticket?.day.description ?? "", services: services.map(\.rawValue),
          kind: kind.rawValue, at: at.millisecondsSinceEpoch, actor: actor, ticketID: ticket?.id.rawValue,
          ticketJSON: try ticket.map(JSON.encode), counterJSON: try counter.map(JSON.encode),
          fromService: from?.rawValue)
      ).first
    else { throw StoreCorruption("the event of branch \(branch) was not inserted") }
    return BranchEvent(
      branchID: branch, sequence: UInt64(row.sequence), kind: kind, at: at, actor: actor, ticket: ticket,
      counter: counter, fromServiceID: from,
      waitingAfter: Dictionary(zip(services, row.waiting.map { Int($0) }), uniquingKeysWith: { first, _ in first }))
  }

  static func event(_ row: RowColumns) throws -> BranchEvent {
    let kindText: String = try row("kind")
    guard let kind = BranchEvent.Kind(rawValue: kindText) else {
      throw StoreCorruption("event row has an unknown kind '\(kindText)'")
    }
    let waiting = try JSON.decode([String: Int].self, try row("waiting_after"))
    return BranchEvent(
      branchID: BranchID(try row("branch_id")), sequence: UInt64(try row("sequence", as: Int64.self)), kind: kind,
      at: Instant(millisecondsSinceEpoch: try row("at")), actor: try row("actor"),
      ticket: try row("ticket", as: String?.self).map { try JSON.decode(Ticket.self, $0) },
      counter: try row("counter", as: String?.self).map { try JSON.decode(CounterState.self, $0) },
      fromServiceID: try row("from_service_id", as: String?.self).map(ServiceID.init),
      waitingAfter: Dictionary(uniqueKeysWithValues: waiting.map { (ServiceID($0.key), $0.value) }))
  }
}
