import MotCuaDomain
import MotCuaSeeds
@testable import MotCuaServer
import QueueEngine
import Synchronization
import Testing

/// The in-memory views that several servers keep in step: duplicates are dropped, answers are reused only
/// while nothing changed.
@Suite struct LiveViewTests {
  static let catalogue = try! SeedLoader.load(directory: TestServer.seeds)
  static let branch = BranchID("hn-hoan-kiem")
  static let service = ServiceID("civil-birth-registration")
  static let now = CivilTime.vietnam.instant(on: LocalDate("2026-11-27")!, minute: 9 * 60)

  static func issued(_ n: Int, sequence: UInt64) -> BranchEvent {
    let ticket = Ticket(
      id: TicketID("t\(n)"), branchID: Self.branch, serviceID: Self.service, originalServiceID: Self.service,
      day: LocalDate("2026-11-27")!, sequence: n, number: "HT\(n)", priority: .none, callRank: 100, state: .waiting,
      issuedAt: Self.now, trackingCode: "C\(n)")
    return BranchEvent(
      branchID: Self.branch, sequence: sequence, kind: .issued, at: Self.now, actor: "kiosk", ticket: ticket,
      counter: nil, fromServiceID: nil, waitingAfter: [Self.service: n])
  }

  /// Another server's event arrives both from the change feed and from a re-read: it is applied once.
  @Test func anEventPublishedTwiceIsAppliedOnce() {
    let lock = Mutex<[UInt64]>([])
    let hub = BranchHub(queues: [BranchQueue(branchID: Self.branch, tickets: [], counters: [], lastSequence: 0)]) {
      event in lock.withLock { $0.append(event.sequence) }
    }
    hub.publish([Self.issued(1, sequence: 1), Self.issued(2, sequence: 2)])
    hub.publish([Self.issued(1, sequence: 1), Self.issued(2, sequence: 2), Self.issued(3, sequence: 3)])
    #expect(lock.withLock { $0 } == [1, 2, 3])
    #expect(hub.queue(Self.branch)?.waitingCount(for: Self.service, on: LocalDate("2026-11-27")!) == 3)
  }

  /// PredictWait's answer is reused for a few seconds, but never once the branch's queue changed; without
  /// simulating (the event loop's way) only a reused answer is given.
  @Test func aNewTicketsPredictionIsReusedOnlyWhileNothingHappens() {
    let hub = PredictionHub(catalogue: Self.catalogue, staff: StaffRoster(catalogue: Self.catalogue, assignments: []))
    let cold = hub.predictNew(
      branch: Self.branch, service: Self.service, priority: .none, at: Self.now, simulating: false)
    #expect(!cold.known && cold.estimate == nil)
    let first = hub.predictNew(branch: Self.branch, service: Self.service, priority: .none, at: Self.now)
    let again = hub.predictNew(
      branch: Self.branch, service: Self.service, priority: .none, at: Self.now.adding(seconds: 1), simulating: false)
    #expect(first.known && first.estimate != nil && again.known && again.estimate == first.estimate)
    hub.observe(Self.issued(1, sequence: 1))
    let stale = hub.predictNew(
      branch: Self.branch, service: Self.service, priority: .none, at: Self.now.adding(seconds: 1), simulating: false)
    #expect(!stale.known)
    let afterIssue = hub.predictNew(
      branch: Self.branch, service: Self.service, priority: .none, at: Self.now.adding(seconds: 1))
    #expect(afterIssue.estimate?.peopleAhead == (first.estimate?.peopleAhead ?? 0) + 1)
  }
}
