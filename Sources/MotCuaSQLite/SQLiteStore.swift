import Foundation
import GRDB
public import MotCuaDomain
public import MotCuaStore
public import Appointments
public import QueueEngine

/// The embedded store: one SQLite file in WAL mode; a command's reply is sent only after its transaction is on
/// disk. One writer applies the commands; concurrent ones share a transaction (group commit,
/// `SQLiteGroupCommitter`), each in its own savepoint, and the WAL is fsynced off the writer before they are
/// answered (`WALFlusher`).
///
/// Commands and reads use `Database.cachedStatement(sql:)`: each statement is compiled once per connection, so
/// its SQL text must not vary with the arguments (a list goes in as one JSON array, read with `json_each`).
public final class SQLiteStore: MotCuaStore {
  let pool: DatabasePool
  /// Where the database lives.
  public let path: String
  /// Test-only switch for the booking suite's negative control: false lets a slot be booked over capacity.
  let enforceCapacity: Bool
  let committer: SQLiteGroupCommitter
  /// The WAL file the committer's flusher syncs.
  let wal: WALFile
  /// The writer's WAL checkpointer: its hook runs inside the committer's commits.
  let checkpointer: WALCheckpointer

  /// Opens (creating if needed) the database at `path` and runs pending migrations.
  ///
  /// - Parameters:
  ///   - enforceCapacity: always true in production; false only to show a test can catch overbooking.
  ///   - groupCommit: true (the default) lets concurrent commands share one transaction and its fsync; false
  ///     commits each command alone (bounded by the disk's fsync rate; for benchmarks).
  ///   - walCheckpointThreshold: WAL frames (pages) at which a checkpoint starts, in the background
  ///     (`WALCheckpointPolicy`). SQLite's own automatic checkpoint, which this replaces, starts at 1,000 on
  ///     the writer; a background pass can take more at a time.
  public init(
    path: String, enforceCapacity: Bool = true, groupCommit: Bool = true,
    walCheckpointThreshold: Int = 4_000
  ) throws {
    self.enforceCapacity = enforceCapacity
    let checkpointer = WALCheckpointer(threshold: walCheckpointThreshold)
    var config = Configuration()
    config.busyMode = .timeout(10)
    config.prepareDatabase { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
      // Savepoints' journals in memory, and room for a whole group-commit batch's dirty pages in the writer's
      // cache: otherwise SQLite writes pages out in the middle of the batch (both showed as pwrite in profiles).
      try db.execute(sql: "PRAGMA temp_store = MEMORY")
      if !db.configuration.readonly {
        try db.execute(sql: "PRAGMA cache_size = -16384")
        checkpointer.install(on: db)
      }
    }
    self.path = path
    self.pool = try DatabasePool(path: path, configuration: config)
    // GRDB's pool sets the writer to `synchronous = NORMAL` when it turns WAL on, after `prepareDatabase`: in WAL
    // mode that commits without an fsync. With group commit that is what the writer wants, because the flusher
    // fsyncs the WAL before any answer; alone, each COMMIT must fsync (FULL).
    try self.pool.writeWithoutTransaction {
      try $0.execute(sql: groupCommit ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL")
    }
    try checkpointer.openBackground(path: path)
    try SQLiteMigrations.migrator.migrate(self.pool)
    let wal = WALFile(databasePath: path)
    self.wal = wal
    self.checkpointer = checkpointer
    self.committer = SQLiteGroupCommitter(pool: self.pool, grouping: groupCommit, flusher: WALFlusher(sync: wal.sync))
  }

  /// Applies `body` as one command and returns once it is on disk; it is rolled back instead once the
  /// caller's deadline has passed.
  func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    try await self.committer.write(body)
  }

  public var fault: String? {
    self.committer.flusher.failure.map { "the write-ahead log could not be synced to disk (\($0)); restart the server" }
  }

  // MARK: Commands

  public func issueTicket(_ command: IssueTicketCommand) async throws -> CommandOutcome {
    try await self.write { db in
      if let earlier = try Self.idempotent(db, principal: command.principalID, key: command.idempotencyKey,
        fingerprint: command.fingerprint)
      {
        return CommandOutcome(ticket: earlier, events: [], replayed: true)
      }
      let ticket: Ticket
      var skew: Int64? = nil
      if let offline = command.offline {
        let lease = try Self.checkedLease(db, for: command, offline)
        (ticket, skew) = try OfflineReplay.ticket(for: command, offline, lease: lease)
        try Self.insert(db, ticket, leaseID: lease.id, clockSkewSeconds: skew, predicted: command.predicted)
      } else {
        ticket = try Self.issueNext(
          db, id: command.ticketID, branch: command.branchID, service: command.service, day: command.day,
          priority: command.priority, callRank: command.callRank, at: command.at,
          trackingCode: command.trackingCode, dueAt: nil, predicted: command.predicted)
      }
      try Self.remember(db, principal: command.principalID, key: command.idempotencyKey,
        fingerprint: command.fingerprint, ticket: ticket.id, at: command.at)
      let event = try Self.record(
        db, .issued, at: command.at, actor: command.principalID, ticket: ticket, counter: nil)
      return CommandOutcome(ticket: ticket, events: [event], replayed: false, clockSkewSuspected: skew != nil)
    }
  }

  /// The lease an offline ticket comes from, checked: this kiosk's, this branch and service, the number
  /// inside it and not yet issued, the ticket id new.
  private static func checkedLease(
    _ db: Database, for command: IssueTicketCommand, _ offline: OfflineIssue
  ) throws -> NumberLease {
    let lease = try OfflineReplay.check(try Self.lease(db, offline.leaseID), for: command, offline)
    let used = try Bool.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT EXISTS (SELECT 1 FROM tickets WHERE id = ? OR (branch_id = ? AND original_service_id = ?
            AND day = ? AND sequence = ?))
          """),
      arguments: [
        offline.ticketID.rawValue, lease.branchID.rawValue, lease.serviceID.rawValue, lease.day.description,
        offline.sequence,
      ])
    guard used != true else { throw OfflineReplay.alreadyIssued(lease, offline) }
    return lease
  }

  public func earlierTicket(principal: String, key: String, fingerprint: String) async throws -> Ticket? {
    try await self.answeredWhenDurable {
      try await self.pool.read { db in
        try Self.idempotent(db, principal: principal, key: key, fingerprint: fingerprint)
      }
    }
  }

  public func earlierBooking(scope: String, key: String, fingerprint: String) async throws -> Booking? {
    try await self.answeredWhenDurable {
      try await self.pool.read { db in
        guard let id = try Self.earlierResult(db, principal: scope, key: key, fingerprint: fingerprint)?.leaseID
        else { return nil }
        return try Self.booking(db, id: id)
      }
    }
  }

  /// What `read` found of an earlier command, returned once everything committed before the read is durable.
  /// A read sees a batch as soon as it commits, while its WAL sync may still run (`WALFlusher`): a retry must not
  /// be told of a result (or refused for a key) before the command that made it would be answered.
  private func answeredWhenDurable<T: Sendable>(_ read: () async throws -> T?) async throws -> T? {
    let found: Result<T?, any Error>
    do { found = .success(try await read()) } catch { found = .failure(error) }
    if case .success(nil) = found { return nil }  // nothing earlier: the caller writes, and waits then
    try await self.committer.durable()
    return try found.get()
  }

  public func leaseNumbers(_ command: LeaseNumbersCommand) async throws -> NumberLease {
    try await self.write { db in
      let fingerprint = "LeaseNumbers|\(command.branchID)|\(command.serviceID)|\(command.count)"
      if let earlier = try Self.earlierResult(db, principal: command.principalID, key: command.idempotencyKey,
        fingerprint: fingerprint), let id = earlier.leaseID, let lease = try Self.lease(db, id)
      {
        return lease
      }
      let last = try Self.takeNumbers(db, command.branchID, command.serviceID, command.day, count: command.count)
      let lease = NumberLease(
        id: command.leaseID, principalID: command.principalID, branchID: command.branchID,
        serviceID: command.serviceID, day: command.day, firstSequence: last - command.count + 1, lastSequence: last,
        createdAt: command.at, expiresAt: command.expiresAt)
      try db.cachedStatement(
        sql: """
          INSERT INTO leases (id, principal, branch_id, service_id, day, first_sequence, last_sequence, created_at,
            expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(
        arguments: [
          lease.id, lease.principalID, lease.branchID.rawValue, lease.serviceID.rawValue, lease.day.description,
          lease.firstSequence, lease.lastSequence, lease.createdAt.millisecondsSinceEpoch,
          lease.expiresAt.millisecondsSinceEpoch,
        ])
      try Self.remember(db, principal: command.principalID, key: command.idempotencyKey, fingerprint: fingerprint,
        lease: lease.id, at: command.at)
      return lease
    }
  }

  public func leases(branch: BranchID, day: LocalDate) async throws -> [(lease: NumberLease, unused: [Int])] {
    try await self.pool.read { db in
      try Row.fetchAll(
        db.cachedStatement(sql: "SELECT * FROM leases WHERE branch_id = ? AND day = ? ORDER BY first_sequence"),
        arguments: [branch.rawValue, day.description]
      ).map { row in
        let lease = try Self.lease(row)
        let used = Set(
          try Int.fetchAll(
            db.cachedStatement(
              sql: """
                SELECT sequence FROM tickets WHERE branch_id = ? AND original_service_id = ? AND day = ?
                AND sequence BETWEEN ? AND ?
                """),
            arguments: [
              branch.rawValue, lease.serviceID.rawValue, day.description, lease.firstSequence, lease.lastSequence,
            ]))
        return (lease, (lease.firstSequence...lease.lastSequence).filter { !used.contains($0) })
      }
    }
  }

  public func callNext(_ command: CallNextCommand) async throws -> CommandOutcome {
    try await self.write { db in
      let fingerprint = "CallNext|\(command.counterID)"
      if let key = command.idempotencyKey,
        let earlier = try Self.idempotent(db, principal: command.principalID, key: key, fingerprint: fingerprint)
      {
        return CommandOutcome(ticket: earlier, events: [], replayed: true)
      }
      guard var counter = try Self.counterState(db, command.counterID), counter.isOpen else {
        throw StoreRefusal.counterClosed(command.counterID)
      }
      if let heldID = counter.currentTicketID, let held = try Self.ticket(db, heldID),
        held.state == .called || held.state == .serving
      {
        throw StoreRefusal.counterHolds(command.counterID, held, closing: false)
      }
      guard !counter.serviceIDs.isEmpty else { return CommandOutcome(ticket: nil, events: [], replayed: false) }
      guard let (waiting, rank) = try Self.nextWaiting(db, command, services: counter.serviceIDs)
      else { return CommandOutcome(ticket: nil, events: [], replayed: false) }
      let called = try TicketLifecycle.apply(.call(counter: command.counterID), to: waiting, at: command.at)
      if let rules = command.appointments {
        try db.cachedStatement(
          sql: """
            INSERT INTO counter_fairness (counter_id, consecutive_appointment_calls) VALUES (?, ?)
            ON CONFLICT (counter_id) DO UPDATE SET consecutive_appointment_calls = CASE
              WHEN ? = ? THEN consecutive_appointment_calls + 1 WHEN ? >= ? THEN 0
              ELSE consecutive_appointment_calls END
            """
        ).execute(
          arguments: [
            command.counterID.rawValue, rank == rules.appointmentRank ? 1 : 0, rank, rules.appointmentRank, rank,
            rules.walkInRank,
          ])
      }
      try Self.update(db, called, from: waiting.state)
      counter.currentTicketID = called.id
      counter.currentNumber = called.number
      try Self.save(db, counter, at: command.at)
      if let key = command.idempotencyKey {
        try Self.remember(db, principal: command.principalID, key: key, fingerprint: fingerprint,
          ticket: called.id, at: command.at)
      }
      let event = try Self.record(
        db, .called, at: command.at, actor: command.principalID, ticket: called, counter: counter)
      return CommandOutcome(ticket: called, events: [event], replayed: false)
    }
  }

  /// The waiting ticket a counter serving `services` calls next, with its effective rank: priority groups, then
  /// due appointments, then walk-ins by issue time — but a walk-in once this counter called `maxConsecutive` due
  /// appointments in a row while one waited.
  private static func nextWaiting(
    _ db: Database, _ command: CallNextCommand, services: [ServiceID]
  ) throws -> (ticket: Ticket, rank: Int)? {
    let appointmentRank = command.appointments?.appointmentRank
    let best = try Self.firstWaiting(db, command, services: services, appointmentRank: appointmentRank)
    guard let best, let rules = command.appointments, best.rank == rules.appointmentRank else {
      return try best.map { (try Self.waitingTicket(db, $0.id), $0.rank) }
    }
    let consecutive =
      try Int.fetchOne(
        db.cachedStatement(sql: "SELECT consecutive_appointment_calls FROM counter_fairness WHERE counter_id = ?"),
        arguments: [command.counterID.rawValue]) ?? 0
    let walkIn = try Self.firstWaiting(
      db, command, services: services, appointmentRank: appointmentRank, rankedFrom: rules.walkInRank)
    let chosen =
      AppointmentFairness.mayCallAppointment(
        consecutiveAppointmentCalls: consecutive, walkInWaiting: walkIn != nil, max: rules.maxConsecutive)
      ? best : walkIn
    return try chosen.map { (try Self.waitingTicket(db, $0.id), $0.rank) }
  }

  /// Where the next ticket is looked up. Each statement reads a covering index in calling order and stops at its
  /// first match, so choosing costs a seek per service however long the walk-in queue, plus a walk over the
  /// branch's waiting appointments while none is due (a test checks the plans: covering indexes, no sort).
  enum NextWaitingSQL {
    /// A service's first waiting ticket by (call rank, issue time, id) that is not a due appointment.
    static let notDue = """
      SELECT id, call_rank, issued_at FROM tickets INDEXED BY tickets_waiting
      WHERE branch_id = ? AND day = ? AND state = 'WAITING' AND service_id = ? AND call_rank >= ?
        AND (due_at IS NULL OR due_at > ?)
      ORDER BY call_rank, issued_at, id LIMIT 1
      """
    /// The first due appointment by (check-in time, id) among `services` (a JSON array): the small index of
    /// waiting appointments is read in that order, passing over those not yet due or of other services.
    static let due = """
      SELECT id, issued_at FROM tickets INDEXED BY tickets_due_appointments
      WHERE branch_id = ? AND day = ? AND state = 'WAITING' AND due_at <= ?
        AND service_id IN (SELECT value FROM json_each(?))
      ORDER BY issued_at, id LIMIT 1
      """
  }

  /// The first in calling order of the waiting tickets of `services` whose effective rank (a due appointment's is
  /// `appointmentRank`, any other's its call rank) is at least `minimumRank`: each service's first ticket that is
  /// not a due appointment, and the first due appointment, compared.
  private static func firstWaiting(
    _ db: Database, _ command: CallNextCommand, services: [ServiceID], appointmentRank: Int?,
    rankedFrom minimumRank: Int = Int.min
  ) throws -> (id: String, rank: Int)? {
    let now = command.at.millisecondsSinceEpoch
    var best: QueueOrder.Key?
    func consider(_ candidate: QueueOrder.Key) {
      if best.map({ QueueOrder.precedes(candidate, $0) }) ?? true { best = candidate }
    }
    let notDue = try db.cachedStatement(sql: NextWaitingSQL.notDue)
    for service in services {
      if let row = try Row.fetchOne(
        notDue,
        arguments: [
          command.branchID.rawValue, command.day.description, service.rawValue, minimumRank, now,
        ])
      {
        consider((row["call_rank"], row["issued_at"], row["id"]))
      }
    }
    // Without appointment rules (only tests omit them) a due appointment ranks -1, as in the PostgreSQL store.
    let dueRank = appointmentRank ?? -1
    if dueRank >= minimumRank,
      let row = try Row.fetchOne(
        db.cachedStatement(sql: NextWaitingSQL.due),
        arguments: [command.branchID.rawValue, command.day.description, now, try JSON.encode(services)])
    {
      consider((dueRank, row["issued_at"], row["id"]))
    }
    return best.map { ($0.id, $0.rank) }
  }

  private static func waitingTicket(_ db: Database, _ id: String) throws -> Ticket {
    guard let ticket = try Self.ticket(db, TicketID(id)) else {
      throw StoreCorruption("the waiting ticket \(id) has no row")
    }
    return ticket
  }

  public func updateTicket(_ command: UpdateTicketCommand) async throws -> CommandOutcome {
    try await self.write { db in
      guard let before = try Self.ticket(db, command.ticketID) else { throw StoreRefusal.noTicket(command.ticketID) }
      let after = try TicketLifecycle.apply(command.command, to: before, at: command.at)
      try Self.update(db, after, from: before.state)
      var counter: CounterState? = nil
      if let heldBy = before.counterID, after.counterID == nil || after.state.isFinal,
        var state = try Self.counterState(db, heldBy), state.currentTicketID == before.id
      {
        state.currentTicketID = nil
        state.currentNumber = nil
        try Self.save(db, state, at: command.at)
        counter = state
      }
      let from = before.serviceID != after.serviceID ? before.serviceID : nil
      let event = try Self.record(
        db, command.command.eventKind, at: command.at, actor: command.principalID, ticket: after, counter: counter,
        from: from)
      return CommandOutcome(ticket: after, events: [event], replayed: false)
    }
  }

  public func setCounter(_ command: SetCounterCommand) async throws -> CommandOutcome {
    try await self.write { db in
      var state =
        try Self.counterState(db, command.counterID)
        ?? CounterState(counterID: command.counterID, branchID: command.branchID, isOpen: false, serviceIDs: [])
      if let services = command.openFor {
        state.isOpen = true
        state.serviceIDs = services
      } else {
        if let heldID = state.currentTicketID, let held = try Self.ticket(db, heldID),
          held.state == .called || held.state == .serving
        {
          throw StoreRefusal.counterHolds(command.counterID, held, closing: true)
        }
        guard state.isOpen else { return CommandOutcome(ticket: nil, events: [], replayed: false) }
        state.isOpen = false
      }
      try Self.save(db, state, at: command.at)
      let event = try Self.record(
        db, command.openFor == nil ? .counterClosed : .counterOpened, at: command.at,
        actor: command.principalID, ticket: nil, counter: state)
      return CommandOutcome(ticket: nil, events: [event], replayed: false)
    }
  }

  public func submitFeedback(_ command: FeedbackCommand) async throws {
    try await self.write { db in
      guard let ticket = try Self.ticket(db, command.ticketID) else { throw StoreRefusal.noTicket(command.ticketID) }
      guard ticket.state == .done else { throw StoreRefusal.feedbackNotServed(ticket) }
      let exists = try Bool.fetchOne(
        db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM feedback WHERE ticket_id = ?)"),
        arguments: [ticket.id.rawValue])
      guard exists != true else { throw StoreRefusal.feedbackTwice(ticket) }
      try db.cachedStatement(sql: "INSERT INTO feedback (ticket_id, score, comment, at) VALUES (?, ?, ?, ?)").execute(
        arguments: [ticket.id.rawValue, command.score, command.comment, command.at.millisecondsSinceEpoch])
    }
  }

  // MARK: Reads

  public func ticket(_ id: TicketID) async throws -> Ticket? {
    try await self.pool.read { db in try Self.ticket(db, id) }
  }

  public func activeTickets(branch: BranchID?, since day: LocalDate) async throws -> [Ticket] {
    try await self.pool.read { db in
      let rows = try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT * FROM tickets WHERE state IN ('WAITING', 'CALLED', 'SERVING') AND day >= ?
            AND (? IS NULL OR branch_id = ?)
            """),
        arguments: [day.description, branch?.rawValue, branch?.rawValue])
      return try rows.map(Self.ticket)
    }
  }

  public func counterStates(branch: BranchID?) async throws -> [CounterState] {
    try await self.pool.read { db in
      try Row.fetchAll(
        db.cachedStatement(sql: "SELECT * FROM counter_states WHERE ? IS NULL OR branch_id = ?"),
        arguments: [branch?.rawValue, branch?.rawValue]
      ).map(Self.counterState)
    }
  }

  public func lastEventSequences() async throws -> [BranchID: UInt64] {
    try await self.pool.read { db in
      var result: [BranchID: UInt64] = [:]
      for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT branch_id, last_sequence FROM branch_sequences")) {
        result[BranchID(row["branch_id"])] = UInt64(row["last_sequence"] as Int64)
      }
      return result
    }
  }

  public func events(branch: BranchID, after sequence: UInt64, limit: Int) async throws -> [BranchEvent] {
    try await self.pool.read { db in
      try Row.fetchAll(
        db.cachedStatement(sql: "SELECT * FROM events WHERE branch_id = ? AND sequence > ? ORDER BY sequence LIMIT ?"),
        arguments: [branch.rawValue, Int64(sequence), limit]
      ).map(Self.event)
    }
  }

  public func ticketOutcomes(branch: BranchID, from: LocalDate, to: LocalDate) async throws -> [TicketOutcome] {
    try await self.pool.read { db in
      try Array(Row.fetchCursor(
        db.cachedStatement(
          sql: """
            SELECT t.service_id, t.state, t.issued_at, t.called_at, t.predicted_p50_seconds, t.predicted_p90_seconds,
              f.score FROM tickets t LEFT JOIN feedback f ON f.ticket_id = t.id
            WHERE t.branch_id = ? AND t.day BETWEEN ? AND ?
            """),
        arguments: [branch.rawValue, from.description, to.description]
      ).map { row in  // a cursor: a year of a branch is ~300,000 rows, each only until its outcome is made
        TicketOutcome(
          serviceID: ServiceID(row["service_id"]), state: TicketState(rawValue: row["state"]) ?? .waiting,
          issuedAt: Instant(millisecondsSinceEpoch: row["issued_at"]),
          calledAt: (row["called_at"] as Int64?).map(Instant.init(millisecondsSinceEpoch:)),
          predictedP50Seconds: row["predicted_p50_seconds"], predictedP90Seconds: row["predicted_p90_seconds"],
          feedbackScore: row["score"])
      })
    }
  }

  // MARK: Tokens

  public func createToken(_ record: TokenRecord) async throws {
    try await self.write { db in
      try db.cachedStatement(
        sql: """
          INSERT INTO tokens (id, token_hash, role, branch_id, counter_id, label, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(
        arguments: [
          record.principal.id, record.tokenHash, record.principal.role.rawValue,
          record.principal.branchID?.rawValue, record.principal.counterID?.rawValue, record.label,
          record.createdAt.millisecondsSinceEpoch,
        ])
    }
  }

  public func principal(forTokenHash hash: String) async throws -> Principal? {
    try await self.pool.read { db in
      guard
        let row = try Row.fetchOne(
          db.cachedStatement(sql: "SELECT * FROM tokens WHERE token_hash = ? AND revoked_at IS NULL"),
          arguments: [hash]),
        let role = Principal.Role(rawValue: row["role"])
      else { return nil }
      return Principal(
        id: row["id"], role: role, branchID: (row["branch_id"] as String?).map(BranchID.init),
        counterID: (row["counter_id"] as String?).map(CounterID.init))
    }
  }
}
