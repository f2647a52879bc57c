import Foundation
import MotCuaDomain
@testable import MotCuaPostgres
import MotCuaStore
import PostgresNIO
import QueueEngine
import Synchronization
import Testing

/// What only a shared store must do: two servers ("instances") on one database stay correct, the change feed
/// reports other servers' commits, durability is checked, and a dead database is reported, not waited on.
@Suite struct PostgresStoreTests {
  /// Two stores on one fresh, seeded database.
  static func twoServers() async throws -> (PostgresStore, PostgresStore) {
    let url = try await PostgresTestServer.freshDatabase()
    let a = try await PostgresTestServer.open(url)
    let b = try await PostgresTestServer.open(url)
    try await a.saveCatalogue(Seeds.catalogue)
    return (a, b)
  }

  @Test func twoServersIssuingConcurrentlyGetDistinctGaplessNumbers() async throws {
    let (a, b) = try await Self.twoServers()
    var f = StoreFixture()
    let commands = (0..<100).map { _ in f.issue() }
    let numbers = try await withThrowingTaskGroup(of: String.self) { group in
      for (n, command) in commands.enumerated() {
        let store = n.isMultiple(of: 2) ? a : b
        group.addTask { try await store.issueTicket(command).ticket!.number }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    let expected = (1...100).map { TicketNumber.format(prefix: f.serviceA.prefix, sequence: $0) }
    #expect(numbers.sorted() == expected.sorted())
  }

  @Test func twoServersCountersCallingConcurrentlyNeverCallATicketTwice() async throws {
    let (a, b) = try await Self.twoServers()
    var f = StoreFixture()
    let counters = Array(f.counters.prefix(6)).map(\.id)
    for counter in counters { _ = try await a.setCounter(f.open(counter, for: [f.serviceA.id])) }
    for _ in 0..<90 { _ = try await a.issueTicket(f.issue()) }
    let calls = try await CallLedger.callUntilEmpty(counters, through: [a, b], f)
    #expect(CallLedger(calls).ticketsCalledMoreThanOnce.isEmpty)
    #expect(Set(calls.map(\.ticket)).count == 90)
  }

  @Test func aConcurrentDuplicateKeyThroughBothServersIssuesOneTicketAndReplaysIt() async throws {
    let (a, b) = try await Self.twoServers()
    var f = StoreFixture()
    for round in 0..<10 {
      let command = f.issue(key: "dup-\(round)")
      async let first = a.issueTicket(command)
      async let second = b.issueTicket(command)
      let outcomes = try await [first, second]
      #expect(outcomes.filter(\.replayed).count == 1)
      #expect(Set(outcomes.compactMap(\.ticket?.id)).count == 1)
      #expect(Set(outcomes.compactMap(\.ticket?.number)).count == 1)
    }
    // Nothing was consumed by the duplicates: numbering is gapless.
    #expect(try await a.issueTicket(f.issue()).ticket?.sequence == 11)
  }

  /// An event's waiting counts are stored as `JSON.encode` writes them (as SQLite stores them), though PostgreSQL
  /// makes the text: equal counts, equal text. A transfer records both queues, keys in byte order. Negative
  /// control: `json_object_agg`'s text (`{ "a" : 1 }`) fails it.
  @Test func waitingCountsAreStoredAsTheSharedJSONText() async throws {
    let url = try await PostgresTestServer.freshDatabase()
    let store = try await PostgresTestServer.open(url)
    try await store.saveCatalogue(Seeds.catalogue)
    var f = StoreFixture()
    let first = try await store.issueTicket(f.issue(f.serviceA)).ticket!
    _ = try await store.issueTicket(f.issue(f.serviceB))
    let moved = try await store.updateTicket(f.update(first.id, .transfer(to: f.serviceB.id, by: nil)))
    #expect(moved.events.first?.waitingAfter == [f.serviceA.id: 0, f.serviceB.id: 2])
    let side = try await PostgresTestServer.connect(url)
    var stored: [String] = []
    for try await text in try await side.query(
      "SELECT waiting_after FROM events ORDER BY sequence", logger: PostgresTestServer.logger
    ).decode(String.self) {
      stored.append(text)
    }
    try await side.close()
    #expect(
      stored == [
        try JSON.encode([f.serviceA.id.rawValue: 1]), try JSON.encode([f.serviceB.id.rawValue: 1]),
        try JSON.encode([f.serviceA.id.rawValue: 0, f.serviceB.id.rawValue: 2]),
      ])
  }

  @Test func theChangeFeedOfOneServerReportsTicketsIssuedAndPlansAppliedThroughTheOther() async throws {
    let (a, b) = try await Self.twoServers()
    let seen = Mutex<[StoreChange]>([])
    let (established, ready) = AsyncStream<Void>.makeStream()
    let feed = Task {
      try await b.followChanges { change in
        seen.withLock { $0.append(change) }
        if change == .resynchronise { ready.yield() }
      }
    }
    var iterator = established.makeAsyncIterator()
    _ = await iterator.next()
    var f = StoreFixture()
    let issued = try await a.issueTicket(f.issue())
    let sequence = try #require(issued.events.first?.sequence)
    let expected = StoreChange.events(f.branch, sequence: sequence)
    try await a.savePlan(StoreStaffContractTests().plan("feed", version: 0))
    _ = try await a.applyPlan(ApplyPlanCommand(planID: "feed", principalID: "manager", at: StoreStaffContractTests.now))
    let deadline = ContinuousClock.now.advanced(by: .seconds(10))
    while !seen.withLock({ $0.contains(expected) && $0.contains(.staffing) }), ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(20))
    }
    feed.cancel()
    try await feed.value
    let changes = seen.withLock { $0 }
    #expect(changes.first == .resynchronise)
    #expect(changes.contains(expected))
    #expect(changes.contains(.staffing))
  }

  @Test func prepareRefusesSynchronousCommitOffUnlessAllowed() async throws {
    let url = try await PostgresTestServer.freshDatabase(settings: ["synchronous_commit = off"])
    let refused = await #expect(throws: PostgresDurabilityError.self) { try await PostgresTestServer.open(url) }
    #expect(refused?.setting == "synchronous_commit")
    #expect(refused?.description.contains("--allow-unsafe-durability") == true)
    let allowed = try await PostgresTestServer.open(url, allowUnsafeDurability: true)
    try await allowed.saveCatalogue(Seeds.catalogue)
    #expect(try await allowed.loadCatalogue() != nil)
  }

  @Test func aDatabaseThatCannotBeReachedIsReportedUnavailableNotWaitedOn() async throws {
    _ = try PostgresTestServer.serverURL()
    let closedPort = "postgres://motcua@127.0.0.1:1/motcua"
    let (store, pool) = PostgresTestServer.start(closedPort) { $0.connectTimeout = .milliseconds(500) }
    var f = StoreFixture()
    let started = ContinuousClock.now
    let error = await #expect(throws: DomainError.self) { try await store.issueTicket(f.issue()) }
    #expect(error?.code == .unavailable)
    #expect(error?.message.contains("retry the request") == true)
    #expect(ContinuousClock.now - started < .seconds(60))  // not the client's patience: a bound against hanging
    pool.cancel()
  }

  /// The database ends a transaction's connection between two of its statements (as a crash or an operator
  /// would): the command is answered UNAVAILABLE at once and nothing of it is kept. PostgresNIO 1.33 never
  /// answers a statement sent on a connection that has closed; without the store watching the connection, the
  /// command waits for good (the race below reports it as still running after 30 s).
  @Test func aCommandWhoseConnectionTheDatabaseEndsIsAnsweredUnavailableAndKeepsNothing() async throws {
    let url = try await PostgresTestServer.freshDatabase()
    let store = try await PostgresTestServer.open(url)
    let other = try await PostgresTestServer.connect(url)
    let logger = PostgresTestServer.logger
    try await other.query("CREATE TABLE probe (x int)", logger: logger)
    let command = Task { () -> Result<Int, any Error> in
      do {
        return .success(
          try await store.command { s in
            try await s.execute("INSERT INTO probe VALUES (1)")
            let pid = try await s.value("SELECT pg_backend_pid()", as: Int32.self) ?? 0
            try await other.query("SELECT pg_terminate_backend(\(pid))", logger: logger)
            for _ in 0..<500 where !s.connection.isClosed { try await Task.sleep(for: .milliseconds(10)) }
            return try await s.execute("INSERT INTO probe VALUES (2)")
          })
      } catch {
        return .failure(error)
      }
    }
    let answered = await Self.first(command, within: .seconds(30))
    let kept = try await other.query("SELECT count(*) FROM probe", logger: logger).collect()
    try await other.close()
    #expect(try kept.first?.decode(Int.self) == 0)
    guard let answered else {
      Issue.record("the command was not answered within 30 s of its connection ending")
      return
    }
    guard case .failure(let error) = answered else {
      Issue.record("the command succeeded on a connection that was ended: \(answered)")
      return
    }
    let domainError = error as? DomainError
    #expect(domainError?.code == .unavailable, "\(error)")
    #expect(domainError?.message.contains("connection was lost") == true, "\(error)")
  }

  /// A caller that goes away (a deadline, a lost change feed) is released at once, though the database is still
  /// busy with its statement: PostgresNIO 1.33 does not end a running statement when its task is cancelled.
  /// Without the store answering the cancellation itself, the caller waits the statement's 30 s.
  @Test func aCancelledCommandReturnsAtOnceThoughItsStatementStillRuns() async throws {
    let url = try await PostgresTestServer.freshDatabase()
    let store = try await PostgresTestServer.open(url)
    let started = ResultBox<Bool>()
    let command = Task { () -> Result<Int, any Error> in
      do {
        return .success(
          try await store.command { s in
            started.set(true)
            return try await s.execute("SELECT pg_sleep(30)")
          })
      } catch {
        return .failure(error)
      }
    }
    for _ in 0..<500 where started.value == nil { try await Task.sleep(for: .milliseconds(10)) }
    #expect(started.value == true)
    command.cancel()
    guard let answered = await Self.first(command, within: .seconds(10)) else {
      Issue.record("the cancelled command was not answered within 10 s")
      return
    }
    guard case .failure(let error) = answered else {
      Issue.record("the cancelled command succeeded: \(answered)")
      return
    }
    #expect((error as? DomainError)?.code == .unavailable, "\(error)")
  }

  /// The task's result if it finishes within `limit`, else nil (the task is left running).
  static func first<T: Sendable>(_ task: Task<T, Never>, within limit: Duration) async -> T? {
    let deadline = ContinuousClock.now + limit
    let box = ResultBox<T>()
    Task { box.set(await task.value) }
    while ContinuousClock.now < deadline {
      if let value = box.value { return value }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return box.value
  }
}

/// A value set once by another task.
final class ResultBox<T: Sendable>: Sendable {
  private let stored = Mutex<T?>(nil)
  func set(_ value: T) { self.stored.withLock { $0 = value } }
  var value: T? { self.stored.withLock { $0 } }
}
