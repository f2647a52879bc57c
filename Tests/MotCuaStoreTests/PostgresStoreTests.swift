import Foundation
import MotCuaDomain
import MotCuaPostgres
import MotCuaStore
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
}
