import Foundation
import GRDB
import MotCuaDomain
@testable import MotCuaSQLite
import MotCuaStore
import QueueEngine
import Testing

/// Group commit in the SQLite store: concurrent commands share a transaction without weakening durability,
/// numbering, idempotency, deadlines or the isolation of a failing command.
@Suite struct SQLiteGroupCommitTests {
  /// A fresh, seeded SQLite store.
  static func makeStore(groupCommit: Bool = true) async throws -> SQLiteStore {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try SQLiteStore(
      path: directory.appendingPathComponent("store.sqlite").path, groupCommit: groupCommit)
    try await store.saveCatalogue(Seeds.catalogue)
    return store
  }

  /// Holds the store's writer until the returned function is called: commands submitted meanwhile wait in the
  /// queue, and the next drain takes them as one batch. Returns once the writer is held (any earlier drain over).
  static func holdWriter(_ store: SQLiteStore) async -> @Sendable () -> Void {
    let gate = DispatchSemaphore(value: 0)
    await withCheckedContinuation { (held: CheckedContinuation<Void, Never>) in
      store.pool.asyncWriteWithoutTransaction { _ in
        held.resume()
        gate.wait()
      }
    }
    return { gate.signal() }
  }

  /// Waits until `count` commands are queued (they are submitted by other tasks).
  static func waitForQueue(_ store: SQLiteStore, count: Int) async throws {
    let limit = ContinuousClock.now.advanced(by: .seconds(10))
    while store.committer.queuedCommands < count {
      try #require(ContinuousClock.now < limit, "only \(store.committer.queuedCommands) of \(count) queued")
      try await Task.sleep(for: .milliseconds(1))
    }
  }

  @Test func concurrentIssuesAreAllAcknowledgedGaplessAndSurviveReopening() async throws {
    var f = StoreFixture()
    let branches = [f.branch, BranchID("hn-ba-dinh")]
    let services = [f.serviceA, f.serviceB]
    let commands = (0..<300).map { i in
      var command = f.issue(services[i % 2])
      command.branchID = branches[(i / 2) % 2]
      command.fingerprint = "IssueTicket|\(command.branchID)|\(command.service.id)|none"
      return command
    }
    let reopen: @Sendable () async throws -> any MotCuaStore
    let acknowledged: [Ticket]
    do {
      let underTest = try await StoreDriver.sqlite.makeStore()
      let store = underTest.store
      reopen = underTest.reopen
      acknowledged = try await withThrowingTaskGroup(of: Ticket.self) { group in
        for command in commands { group.addTask { try await store.issueTicket(command).ticket! } }
        return try await group.reduce(into: []) { $0.append($1) }
      }
    }
    #expect(acknowledged.count == 300)
    let groups = Dictionary(grouping: acknowledged) { "\($0.branchID)|\($0.serviceID)|\($0.day)" }
    #expect(groups.count == 4)
    for (group, tickets) in groups {
      #expect(tickets.map(\.sequence).sorted() == Array(1...75), "numbers of \(group)")
    }
    let reopened = try await reopen()
    let stored = try await reopened.activeTickets(branch: nil, since: f.day)
    #expect(Set(stored.map(\.id)) == Set(acknowledged.map(\.id)))
    #expect(stored.count == 300)
  }

  /// With group commit 200 concurrent commands share far fewer transactions; without it (the negative control)
  /// each is its own.
  @Test(arguments: [true, false])
  func concurrentCommandsShareTransactionsOnlyWithGroupCommit(groupCommit: Bool) async throws {
    let store = try await Self.makeStore(groupCommit: groupCommit)
    var f = StoreFixture()
    let commands = (0..<200).map { _ in f.issue() }
    let before = store.committer.committedTransactions
    try await withThrowingTaskGroup(of: Void.self) { group in
      for command in commands { group.addTask { _ = try await store.issueTicket(command) } }
      try await group.waitForAll()
    }
    let transactions = store.committer.committedTransactions - before
    if groupCommit {
      #expect(transactions >= 1 && transactions <= 200 / 4, "200 commands in \(transactions) transactions")
    } else {
      #expect(transactions == 200)
    }
    #expect(try await store.activeTickets(branch: f.branch, since: f.day).count == 200)
  }

  @Test func aFailingCommandInABatchIsRolledBackAloneAndTheOthersCommit() async throws {
    let store = try await Self.makeStore()
    var f = StoreFixture()
    let first = [f.issue(), f.issue()]
    var noLease = f.issue(key: "no-lease")
    noLease.offline = OfflineIssue(
      leaseID: "missing", sequence: 1, ticketID: TicketID("offline-1"), trackingCode: "ABCDEFGH", issuedAt: f.now,
      issuedOn: f.day)
    let late = f.issue(key: "late")
    let last = [f.issue(), f.issue()]
    let before = store.committer.committedTransactions
    let release = await Self.holdWriter(store)
    let outcomes = await withTaskGroup(of: (Int, Result<Ticket, any Error>).self) { group in
      for (index, command) in (first + [noLease, late] + last).enumerated() {
        let deadline = command.idempotencyKey == "late" ? ContinuousClock.now.advanced(by: .milliseconds(-1)) : nil
        group.addTask {
          let result = await Self.outcome {
            try await CommandDeadline.$current.withValue(deadline) { try await store.issueTicket(command).ticket! }
          }
          return (index, result)
        }
        try? await Self.waitForQueue(store, count: index + 1)  // submitted in this order
      }
      release()
      return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
    }
    #expect(store.committer.committedTransactions - before == 1)  // one batch, committed
    let succeeded = [0, 1, 4, 5].compactMap { try? outcomes[$0]?.get() }
    #expect(succeeded.map(\.sequence) == [1, 2, 3, 4])  // the late command's number was given back
    #expect(outcomes[2].flatMap(Self.code) == .notFound)
    #expect(outcomes[3].flatMap(Self.code) == .deadlineExceeded)
    for ticket in succeeded { #expect(try await store.ticket(ticket.id) == ticket) }
    #expect(try await store.ticket(noLease.offline!.ticketID) == nil)
    #expect(try await store.ticket(late.ticketID) == nil)
    #expect(
      try await store.earlierTicket(principal: late.principalID, key: "late", fingerprint: late.fingerprint) == nil)
    #expect(try await store.activeTickets(branch: f.branch, since: f.day).count == 4)
  }

  @Test func concurrentRetriesOfOneKeyGiveOneTicketAndReplayIt() async throws {
    let store = try await Self.makeStore()
    var f = StoreFixture()
    let command = f.issue(key: "retried")
    let before = store.committer.committedTransactions
    let release = await Self.holdWriter(store)
    let outcomes = try await withThrowingTaskGroup(of: CommandOutcome.self) { group in
      for attempt in 0..<50 {
        var retry = command
        retry.ticketID = TicketID("attempt-\(attempt)")  // each retry arrives as a new request
        group.addTask { try await store.issueTicket(retry) }
      }
      try await Self.waitForQueue(store, count: 50)
      release()
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(store.committer.committedTransactions - before == 1)  // all 50 in one batch
    let ticket = try #require(outcomes.first { !$0.replayed }?.ticket)
    #expect(outcomes.filter(\.replayed).count == 49)
    #expect(outcomes.allSatisfy { $0.ticket?.id == ticket.id && $0.ticket?.number == ticket.number })
    #expect(try await store.activeTickets(branch: f.branch, since: f.day).map(\.id) == [ticket.id])
  }

  @Test func aCallerCancelledWhileItsCommandWaitsGetsTheCommittedOutcome() async throws {
    let store = try await Self.makeStore()
    var f = StoreFixture()
    let command = f.issue()
    let release = await Self.holdWriter(store)
    let outcome = await withTaskGroup(of: Result<Ticket, any Error>.self) { group in
      group.addTask { await Self.outcome { try await store.issueTicket(command).ticket! } }
      try? await Self.waitForQueue(store, count: 1)
      group.cancelAll()
      release()
      return await group.next()!
    }
    let ticket = try outcome.get()
    #expect(ticket.id == command.ticketID && ticket.sequence == 1)
    #expect(try await store.ticket(command.ticketID) == ticket)
  }

  @Test func aCommandThatAbortsTheTransactionFailsItsBatchAndTheRestRunInTheNext() async throws {
    let store = try await Self.makeStore()
    var f = StoreFixture()
    let issues = [f.issue(), f.issue(), f.issue()]
    let issue: @Sendable (IssueTicketCommand) async throws -> Int = { try await store.issueTicket($0).ticket!.sequence }
    let jobs: [@Sendable () async throws -> Int] = [
      { try await issue(issues[0]) },
      { try await issue(issues[1]) },
      {
        // What SQLITE_FULL or IOERR may do: the transaction is rolled back under the batch.
        try await store.write { db -> Int in
          try db.execute(sql: "ROLLBACK")
          throw DatabaseError(resultCode: .SQLITE_FULL)
        }
      },
      { try await issue(issues[2]) },
    ]
    let before = store.committer.committedTransactions
    let release = await Self.holdWriter(store)
    let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
      for (index, job) in jobs.enumerated() {
        group.addTask { (index, await Self.outcome(job)) }
        try? await Self.waitForQueue(store, count: index + 1)
      }
      release()
      return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
    }
    // The two commands before it were not acknowledged and left nothing; the one after committed alone.
    for index in 0..<3 {
      #expect(outcomes[index].flatMap(Self.resultCode) == .SQLITE_FULL, "command \(index)")
    }
    #expect(try outcomes[3]?.get() == 1)
    #expect(store.committer.committedTransactions - before == 1)
    #expect(try await store.activeTickets(branch: f.branch, since: f.day).count == 1)
  }

  /// The outcome of `body`, its error kept.
  static func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
  }

  static func code<T>(_ result: Result<T, any Error>) -> DomainError.Code? {
    guard case .failure(let error) = result else { return nil }
    return (error as? DomainError)?.code
  }

  static func resultCode<T>(_ result: Result<T, any Error>) -> ResultCode? {
    guard case .failure(let error) = result else { return nil }
    return (error as? DatabaseError)?.resultCode
  }
}

