public import Appointments
public import Logging
public import MotCuaDomain
public import MotCuaStore
import PostgresNIO
import QueueEngine

/// The shared store: a PostgreSQL database several servers use at once. Each command is one READ COMMITTED
/// transaction; what must be serial is serialised by the database (row locks on the numbering and event
/// sequence rows, `FOR UPDATE SKIP LOCKED` when calling, conditional updates for slot capacity, advisory locks
/// for quotas), and a conflict re-runs the whole transaction. Commits are announced with NOTIFY, which
/// `followChanges` turns into `StoreChange`s.
public final class PostgresStore: SharedStore {
  let configuration: PostgresStoreConfiguration
  let client: PostgresClient
  let logger: Logger
  /// Test-only switch for the booking suite's negative control: false lets a slot be booked over capacity.
  let enforceCapacity: Bool
  /// Set when the configuration cannot be used (a bad URL); every command then throws it.
  let configurationError: (any Error)?
  /// When a command last got a connection.
  let poolActivity = PoolActivity()

  /// Creates the store; nothing connects until `run()` runs and a command needs a connection.
  ///
  /// - Parameter enforceCapacity: always true in production; false only to show a test can catch overbooking.
  public init(_ configuration: PostgresStoreConfiguration, logger: Logger, enforceCapacity: Bool = true) {
    self.configuration = configuration
    self.logger = logger
    self.enforceCapacity = enforceCapacity
    var clientConfiguration: PostgresClient.Configuration
    do {
      clientConfiguration = try configuration.clientConfiguration()
      self.configurationError = nil
    } catch {
      clientConfiguration = PostgresClient.Configuration(
        host: "127.0.0.1", port: 1, username: "invalid", password: nil, database: nil, tls: .disable)
      self.configurationError = error
    }
    self.client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
  }

  /// Runs the connection pool; must be running (in a task / as a service) while the store is used. Returns when
  /// cancelled.
  public func run() async {
    await self.client.run()
  }

  /// Checks durability settings and runs pending migrations. Call once after `run()` started.
  ///
  /// - Throws: `PostgresDurabilityError` when `fsync` or `synchronous_commit` is off and unsafe durability was not
  ///   allowed; `DomainError.unavailable` when the database cannot be reached.
  public func prepare() async throws {
    if let configurationError { throw configurationError }
    let allowUnsafe = self.configuration.allowUnsafeDurability
    try await self.transaction { s in
      let fsync = try await s.value("SHOW fsync", as: String.self) ?? ""
      let commit = try await s.value("SHOW synchronous_commit", as: String.self) ?? ""
      if !allowUnsafe {
        guard fsync == "on" else { throw PostgresDurabilityError(setting: "fsync", value: fsync) }
        guard ["on", "remote_write", "remote_apply", "local"].contains(commit) else {
          throw PostgresDurabilityError(setting: "synchronous_commit", value: commit)
        }
      }
      // Two servers starting at once: the second waits here, then finds the migrations applied.
      try await s.execute("SELECT pg_advisory_xact_lock(hashtext('motcua:migrations'))")
      try await s.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)")
      let applied = Set(try await s.rows("SELECT name FROM schema_migrations").map { try $0("name", as: String.self) })
      for migration in PostgresMigrations.all where !applied.contains(migration.name) {
        for statement in PostgresMigrations.statements(migration.sql) {
          try await s.execute(PostgresQuery(unsafeSQL: statement))
        }
        try await s.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (\(migration.name), now())")
      }
    }
  }

  /// `transaction`, after checking the configuration could be used.
  @discardableResult
  func command<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
    if let configurationError { throw configurationError }
    return try await self.transaction(body)
  }

  /// Always nil: durability is the PostgreSQL server's, and a lost connection is retried (commands fail with
  /// UNAVAILABLE meanwhile), not a fault that needs a restart.
  public var fault: String? { nil }

  // MARK: Commands

  public func issueTicket(_ command: IssueTicketCommand) async throws -> CommandOutcome {
    try await self.command { s in
      let ticket: Ticket
      var skew: Int64? = nil
      if let offline = command.offline {
        if let earlier = try await Self.idempotent(
          s, principal: command.principalID, key: command.idempotencyKey, fingerprint: command.fingerprint)
        {
          return CommandOutcome(ticket: earlier, events: [], replayed: true)
        }
        let lease = try OfflineReplay.check(try await Self.lease(s, offline.leaseID), for: command, offline)
        let used = try await s.value(
          """
          SELECT EXISTS (SELECT 1 FROM tickets WHERE id = \(offline.ticketID.rawValue) OR (branch_id = \(lease.branchID.rawValue)
            AND original_service_id = \(lease.serviceID.rawValue) AND day = \(lease.day.description)
            AND sequence = \(offline.sequence)))
          """, as: Bool.self)
        guard used != true else { throw OfflineReplay.alreadyIssued(lease, offline) }
        (ticket, skew) = try OfflineReplay.ticket(for: command, offline, lease: lease)
        try await Self.insert(s, ticket, leaseID: lease.id, clockSkewSeconds: skew, predicted: command.predicted)
      } else {
        let sequence: Int
        switch try await Self.lookUpKeyTakingNumber(s, command) {
        case .earlier(let id):
          guard let earlier = try await Self.ticket(s, id) else {
            throw StoreCorruption("the key \(command.idempotencyKey) names a ticket that is not stored")
          }
          return CommandOutcome(ticket: earlier, events: [], replayed: true)
        case .new(let taken):
          sequence = taken
        }
        ticket = try await Self.issueNext(
          s, id: command.ticketID, branch: command.branchID, service: command.service, day: command.day,
          priority: command.priority, callRank: command.callRank, at: command.at,
          trackingCode: command.trackingCode, dueAt: nil, predicted: command.predicted, sequence: sequence)
      }
      try await Self.remember(
        s, principal: command.principalID, key: command.idempotencyKey, fingerprint: command.fingerprint,
        ticket: ticket.id, at: command.at)
      let event = try await Self.record(
        s, .issued, at: command.at, actor: command.principalID, ticket: ticket, counter: nil)
      return CommandOutcome(ticket: ticket, events: [event], replayed: false, clockSkewSuspected: skew != nil)
    }
  }

  public func earlierTicket(principal: String, key: String, fingerprint: String) async throws -> Ticket? {
    try await self.command { s in
      try await Self.idempotent(s, principal: principal, key: key, fingerprint: fingerprint)
    }
  }

  public func earlierBooking(scope: String, key: String, fingerprint: String) async throws -> Booking? {
    try await self.command { s in
      guard let id = try await Self.earlierResult(s, principal: scope, key: key, fingerprint: fingerprint)?.leaseID
      else { return nil }
      return try await Self.booking(s, id: id)
    }
  }

  public func leaseNumbers(_ command: LeaseNumbersCommand) async throws -> NumberLease {
    try await self.command { s in
      let fingerprint = "LeaseNumbers|\(command.branchID)|\(command.serviceID)|\(command.count)"
      if let earlier = try await Self.earlierResult(
        s, principal: command.principalID, key: command.idempotencyKey, fingerprint: fingerprint),
        let id = earlier.leaseID, let lease = try await Self.lease(s, id)
      {
        return lease
      }
      let last = try await Self.takeNumbers(s, command.branchID, command.serviceID, command.day, count: command.count)
      let lease = NumberLease(
        id: command.leaseID, principalID: command.principalID, branchID: command.branchID,
        serviceID: command.serviceID, day: command.day, firstSequence: last - command.count + 1, lastSequence: last,
        createdAt: command.at, expiresAt: command.expiresAt)
      try await s.execute(
        """
        INSERT INTO leases (id, principal, branch_id, service_id, day, first_sequence, last_sequence, created_at,
          expires_at)
        VALUES (\(lease.id), \(lease.principalID), \(lease.branchID.rawValue), \(lease.serviceID.rawValue),
          \(lease.day.description), \(lease.firstSequence), \(lease.lastSequence),
          \(lease.createdAt.millisecondsSinceEpoch), \(lease.expiresAt.millisecondsSinceEpoch))
        """)
      try await Self.remember(
        s, principal: command.principalID, key: command.idempotencyKey, fingerprint: fingerprint, lease: lease.id,
        at: command.at)
      return lease
    }
  }

  public func leases(branch: BranchID, day: LocalDate) async throws -> [(lease: NumberLease, unused: [Int])] {
    let found = try await self.command { s in
      var result: [LeaseUsage] = []
      for row in try await s.rows(
        "SELECT * FROM leases WHERE branch_id = \(branch.rawValue) AND day = \(day.description) ORDER BY first_sequence")
      {
        let lease = try Self.lease(row)
        let used = Set(
          try await s.rows(
            """
            SELECT sequence FROM tickets WHERE branch_id = \(branch.rawValue)
            AND original_service_id = \(lease.serviceID.rawValue) AND day = \(day.description)
            AND sequence BETWEEN \(lease.firstSequence) AND \(lease.lastSequence)
            """
          ).map { try $0("sequence", as: Int.self) })
        result.append(LeaseUsage(lease: lease, unused: (lease.firstSequence...lease.lastSequence).filter { !used.contains($0) }))
      }
      return result
    }
    return found.map { ($0.lease, $0.unused) }
  }

  public func callNext(_ command: CallNextCommand) async throws -> CommandOutcome {
    try await self.command { s in
      // The counter's row first: two calls of one counter are serial, and a retried key sees the first's result.
      let locked = try await Self.counterState(s, command.counterID, forUpdate: true)
      let fingerprint = "CallNext|\(command.counterID)"
      if let key = command.idempotencyKey,
        let earlier = try await Self.idempotent(s, principal: command.principalID, key: key, fingerprint: fingerprint)
      {
        return CommandOutcome(ticket: earlier, events: [], replayed: true)
      }
      guard var counter = locked, counter.isOpen else { throw StoreRefusal.counterClosed(command.counterID) }
      if let heldID = counter.currentTicketID, let held = try await Self.ticket(s, heldID),
        held.state == .called || held.state == .serving
      {
        throw StoreRefusal.counterHolds(command.counterID, held, closing: false)
      }
      guard !counter.serviceIDs.isEmpty,
        let (waiting, rank) = try await Self.nextWaiting(s, command, services: counter.serviceIDs)
      else { return CommandOutcome(ticket: nil, events: [], replayed: false) }
      let called = try TicketLifecycle.apply(.call(counter: command.counterID), to: waiting, at: command.at)
      if let rules = command.appointments {
        try await s.execute(
          """
          INSERT INTO counter_fairness (counter_id, consecutive_appointment_calls)
          VALUES (\(command.counterID.rawValue), \(rank == rules.appointmentRank ? 1 : 0))
          ON CONFLICT (counter_id) DO UPDATE SET consecutive_appointment_calls = CASE
            WHEN \(rank) = \(rules.appointmentRank) THEN counter_fairness.consecutive_appointment_calls + 1
            WHEN \(rank) >= \(rules.walkInRank) THEN 0
            ELSE counter_fairness.consecutive_appointment_calls END
          """)
      }
      try await Self.update(s, called, from: waiting.state)
      counter.currentTicketID = called.id
      counter.currentNumber = called.number
      try await Self.save(s, counter, at: command.at)
      if let key = command.idempotencyKey {
        try await Self.remember(
          s, principal: command.principalID, key: key, fingerprint: fingerprint, ticket: called.id, at: command.at)
      }
      let event = try await Self.record(
        s, .called, at: command.at, actor: command.principalID, ticket: called, counter: counter)
      return CommandOutcome(ticket: called, events: [event], replayed: false)
    }
  }

  /// The waiting ticket a counter serving `services` calls next, locked (`FOR UPDATE SKIP LOCKED`: a ticket
  /// another counter is calling is passed over), with its effective rank: priority groups, then due
  /// appointments, then walk-ins by issue time — but a walk-in once this counter called `maxConsecutive` due
  /// appointments in a row while one waited.
  private static func nextWaiting(
    _ s: PostgresSession, _ command: CallNextCommand, services: [ServiceID]
  ) async throws -> (Ticket, rank: Int)? {
    let appointment = command.appointments?.appointmentRank ?? -1
    let now = command.at.millisecondsSinceEpoch
    func first(minimumRank: Int?) async throws -> (Ticket, rank: Int)? {
      guard
        let row = try await s.row(
          """
          SELECT *, CASE WHEN due_at IS NOT NULL AND due_at <= \(now) THEN \(appointment) ELSE call_rank END
            AS effective_rank
          FROM tickets WHERE branch_id = \(command.branchID.rawValue) AND day = \(command.day.description)
            AND state = 'WAITING' AND service_id = ANY(\(services.map(\.rawValue)))
            AND (CASE WHEN due_at IS NOT NULL AND due_at <= \(now) THEN \(appointment) ELSE call_rank END)
              >= \(minimumRank ?? Int(Int32.min))
          ORDER BY effective_rank, issued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
          """)
      else { return nil }
      return (try Self.ticket(row), try row("effective_rank", as: Int.self))
    }
    let best = try await first(minimumRank: nil)
    guard let best, let rules = command.appointments, best.rank == rules.appointmentRank else { return best }
    let consecutive =
      try await s.value(
        """
        SELECT consecutive_appointment_calls FROM counter_fairness WHERE counter_id = \(command.counterID.rawValue)
        """, as: Int.self) ?? 0
    let walkIn = try await first(minimumRank: rules.walkInRank)
    return AppointmentFairness.mayCallAppointment(
      consecutiveAppointmentCalls: consecutive, walkInWaiting: walkIn != nil, max: rules.maxConsecutive)
      ? best : walkIn
  }

  public func updateTicket(_ command: UpdateTicketCommand) async throws -> CommandOutcome {
    try await self.command { s in
      // Locked: two servers changing one ticket at once (a transfer and a recall) apply one after the other.
      guard let before = try await Self.ticket(s, command.ticketID, forUpdate: true) else {
        throw StoreRefusal.noTicket(command.ticketID)
      }
      let after = try TicketLifecycle.apply(command.command, to: before, at: command.at)
      try await Self.update(s, after, from: before.state)
      var counter: CounterState? = nil
      if let heldBy = before.counterID, after.counterID == nil || after.state.isFinal,
        var state = try await Self.counterState(s, heldBy, forUpdate: true), state.currentTicketID == before.id
      {
        state.currentTicketID = nil
        state.currentNumber = nil
        try await Self.save(s, state, at: command.at)
        counter = state
      }
      let from = before.serviceID != after.serviceID ? before.serviceID : nil
      let event = try await Self.record(
        s, command.command.eventKind, at: command.at, actor: command.principalID, ticket: after, counter: counter,
        from: from)
      return CommandOutcome(ticket: after, events: [event], replayed: false)
    }
  }

  public func setCounter(_ command: SetCounterCommand) async throws -> CommandOutcome {
    try await self.command { s in
      var state =
        try await Self.counterState(s, command.counterID, forUpdate: true)
        ?? CounterState(counterID: command.counterID, branchID: command.branchID, isOpen: false, serviceIDs: [])
      if let services = command.openFor {
        state.isOpen = true
        state.serviceIDs = services
      } else {
        if let heldID = state.currentTicketID, let held = try await Self.ticket(s, heldID),
          held.state == .called || held.state == .serving
        {
          throw StoreRefusal.counterHolds(command.counterID, held, closing: true)
        }
        guard state.isOpen else { return CommandOutcome(ticket: nil, events: [], replayed: false) }
        state.isOpen = false
      }
      try await Self.save(s, state, at: command.at)
      let event = try await Self.record(
        s, command.openFor == nil ? .counterClosed : .counterOpened, at: command.at, actor: command.principalID,
        ticket: nil, counter: state)
      return CommandOutcome(ticket: nil, events: [event], replayed: false)
    }
  }

  public func submitFeedback(_ command: FeedbackCommand) async throws {
    try await self.command { s in
      guard let ticket = try await Self.ticket(s, command.ticketID, forUpdate: true) else {
        throw StoreRefusal.noTicket(command.ticketID)
      }
      guard ticket.state == .done else { throw StoreRefusal.feedbackNotServed(ticket) }
      let inserted = try await s.execute(
        """
        INSERT INTO feedback (ticket_id, score, comment, at)
        VALUES (\(ticket.id.rawValue), \(command.score), \(command.comment), \(command.at.millisecondsSinceEpoch))
        ON CONFLICT (ticket_id) DO NOTHING RETURNING 1
        """)
      guard inserted == 1 else { throw StoreRefusal.feedbackTwice(ticket) }
    }
  }
}

/// A lease and its numbers never issued.
struct LeaseUsage: Sendable {
  let lease: NumberLease
  let unused: [Int]
}
