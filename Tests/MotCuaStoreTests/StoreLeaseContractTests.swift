import MotCuaDomain
import MotCuaStore
import QueueEngine
import Testing

/// Number leases for kiosks' offline use, and the replay of tickets issued from them.
@Suite struct StoreLeaseContractTests {
  func lease(_ f: StoreFixture, count: Int, key: String, principal: String = "kiosk-1") -> LeaseNumbersCommand {
    LeaseNumbersCommand(
      principalID: principal, idempotencyKey: key, branchID: f.branch, serviceID: f.serviceA.id, count: count,
      day: f.day, at: f.now, expiresAt: f.now.adding(seconds: 3600), leaseID: "lease-\(key)")
  }

  func offline(_ f: inout StoreFixture, lease: NumberLease, sequence: Int, uuid: String, at: Instant? = nil)
    -> IssueTicketCommand
  {
    var command = f.issue(key: "offline-\(uuid)")
    let issuedAt = at ?? f.now.adding(seconds: -600)
    command.offline = OfflineIssue(
      leaseID: lease.id, sequence: sequence, ticketID: TicketID(uuid), trackingCode: "ABCDEFGH", issuedAt: issuedAt,
      issuedOn: CivilTime.vietnam.date(of: issuedAt))
    return command
  }

  static func uuid(_ n: Int) -> String {
    let tail = String(n)
    return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - tail.count) + tail
  }

  @Test(arguments: StoreDriver.allCases)
  func leasesNeverOverlapEachOtherOrOnlineNumbers(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let online1 = try await store.issueTicket(f.issue()).ticket!
    let lease1 = try await store.leaseNumbers(self.lease(f, count: 10, key: "l1"))
    let online2 = try await store.issueTicket(f.issue()).ticket!
    let lease2 = try await store.leaseNumbers(self.lease(f, count: 5, key: "l2", principal: "kiosk-2"))
    #expect(online1.sequence == 1 && lease1.firstSequence == 2 && lease1.lastSequence == 11)
    #expect(online2.sequence == 12 && lease2.firstSequence == 13 && lease2.lastSequence == 17)
    let retry = try await store.leaseNumbers(self.lease(f, count: 10, key: "l1"))
    #expect(retry == lease1)
  }

  @Test(arguments: StoreDriver.allCases)
  func offlineTicketsKeepTheirNumberIdAndIssueTimeAndQueueByIt(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: [f.serviceA.id]))
    let lease = try await store.leaseNumbers(self.lease(f, count: 3, key: "l"))
    f.now = f.now.adding(seconds: 1200)
    let online = try await store.issueTicket(f.issue()).ticket!  // issued after the offline ones, replayed later
    let replay = self.offline(&f, lease: lease, sequence: 2, uuid: Self.uuid(1), at: f.now.adding(seconds: -900))
    let outcome = try await store.issueTicket(replay)
    let ticket = try #require(outcome.ticket)
    #expect(ticket.id == TicketID(Self.uuid(1)) && ticket.sequence == 2 && ticket.trackingCode == "ABCDEFGH")
    #expect(ticket.issuedAt == replay.offline!.issuedAt && !outcome.clockSkewSuspected)
    let again = try await store.issueTicket(replay)
    #expect(again.replayed && again.ticket?.id == ticket.id)
    #expect(try await store.callNext(f.callNext(counter)).ticket?.id == ticket.id)
    _ = try await store.updateTicket(f.update(ticket.id, .complete(counter: counter)))
    #expect(try await store.callNext(f.callNext(counter)).ticket?.id == online.id)
    let report = try await store.leases(branch: f.branch, day: f.day)
    #expect(report.count == 1 && report[0].unused == [1, 3])
  }

  @Test(arguments: StoreDriver.allCases)
  func offlineReplaysOutsideTheLeaseOrTwiceOrFromAnotherKioskAreRefused(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let lease = try await store.leaseNumbers(self.lease(f, count: 2, key: "l"))
    let outside = await #expect(throws: DomainError.self) {
      try await store.issueTicket(self.offline(&f, lease: lease, sequence: 3, uuid: Self.uuid(1)))
    }
    #expect(outside?.code == .failedPrecondition)
    _ = try await store.issueTicket(self.offline(&f, lease: lease, sequence: 1, uuid: Self.uuid(2)))
    let reused = await #expect(throws: DomainError.self) {
      try await store.issueTicket(self.offline(&f, lease: lease, sequence: 1, uuid: Self.uuid(3)))
    }
    #expect(reused?.code == .failedPrecondition)
    var foreign = self.offline(&f, lease: lease, sequence: 2, uuid: Self.uuid(4))
    foreign.principalID = "kiosk-2"
    let denied = await #expect(throws: DomainError.self) { try await store.issueTicket(foreign) }
    #expect(denied?.code == .permissionDenied)
  }

  @Test(arguments: StoreDriver.allCases)
  func anIssueTimeAheadOfTheServerIsFlaggedAsClockSkew(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let lease = try await store.leaseNumbers(self.lease(f, count: 2, key: "l"))
    let future = try await store.issueTicket(
      self.offline(&f, lease: lease, sequence: 1, uuid: Self.uuid(1), at: f.now.adding(seconds: 600)))
    #expect(future.clockSkewSuspected)
  }
}

/// Regressions found in review.
@Suite struct StoreOfflineClockTests {
  @Test(arguments: StoreDriver.allCases)
  func aKioskClockBehindTheLeaseCannotJumpTheQueue(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let lease = try await store.leaseNumbers(
      LeaseNumbersCommand(
        principalID: "kiosk-1", idempotencyKey: "l", branchID: f.branch, serviceID: f.serviceA.id, count: 2,
        day: f.day, at: f.now, expiresAt: f.now.adding(seconds: 3600), leaseID: "lease-l"))
    var command = f.issue(key: "offline-slow-clock")
    let threeHoursEarly = lease.createdAt.adding(seconds: -3 * 3600)
    command.offline = OfflineIssue(
      leaseID: lease.id, sequence: lease.firstSequence, ticketID: TicketID("00000000-0000-4000-8000-000000000001"),
      trackingCode: "ABCDEFGH", issuedAt: threeHoursEarly, issuedOn: CivilTime.vietnam.date(of: threeHoursEarly))
    let outcome = try await store.issueTicket(command)
    #expect(outcome.clockSkewSuspected)
    #expect(outcome.ticket?.issuedAt == lease.createdAt)
  }
}
