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

  static func counterOpened(sequence: UInt64, at instant: Instant) -> BranchEvent {
    BranchEvent(
      branchID: Self.branch, sequence: sequence, kind: .counterOpened, at: instant, actor: "staff", ticket: nil,
      counter: CounterState(
        counterID: CounterID("hn-hoan-kiem-q01"), branchID: Self.branch, isOpen: true, serviceIDs: [Self.service]),
      fromServiceID: nil, waitingAfter: [:])
  }

  /// PredictWait's answer is reused for a few seconds, shifted by the tickets issued since, but not once a counter
  /// opened or closed; without simulating (the event loop's way) only a reused answer is given.
  @Test func aNewTicketsPredictionIsReusedAndShiftedWhileTheCountersStay() {
    let hub = PredictionHub(catalogue: Self.catalogue, staff: StaffRoster(catalogue: Self.catalogue, assignments: []))
    let cold = hub.predictNew(
      branch: Self.branch, service: Self.service, priority: .none, at: Self.now, simulating: false)
    #expect(!cold.known && cold.estimate == nil)
    let first = hub.predictNew(branch: Self.branch, service: Self.service, priority: .none, at: Self.now)
    let again = hub.predictNew(
      branch: Self.branch, service: Self.service, priority: .none, at: Self.now.adding(seconds: 1), simulating: false)
    #expect(first.known && first.estimate != nil && again.known && again.estimate == first.estimate)
    hub.observe(Self.issued(1, sequence: 1))
    hub.observe(Self.issued(2, sequence: 2))
    let shifted = hub.predictNew(
      branch: Self.branch, service: Self.service, priority: .none, at: Self.now.adding(seconds: 1), simulating: false)
    #expect(shifted.known)
    #expect(shifted.estimate?.peopleAhead == (first.estimate?.peopleAhead ?? 0) + 2)
    #expect((shifted.estimate?.meanSeconds ?? 0) > (first.estimate?.meanSeconds ?? .max))
    let tooOld = hub.predictNew(
      branch: Self.branch, service: Self.service, priority: .none, at: Self.now.adding(seconds: 6), simulating: false)
    #expect(!tooOld.known)
    hub.observe(Self.counterOpened(sequence: 3, at: Self.now.adding(seconds: 2)))
    let afterCounter = hub.predictNew(
      branch: Self.branch, service: Self.service, priority: .none, at: Self.now.adding(seconds: 2), simulating: false)
    #expect(!afterCounter.known)
    let fresh = hub.predictNew(branch: Self.branch, service: Self.service, priority: .none, at: Self.now.adding(seconds: 2))
    #expect(fresh.estimate?.openCounters == 1 && fresh.estimate?.peopleAhead == 2)
  }

  /// Predictors that learn from history while the server serves: nothing is predicted until they have learned;
  /// live events that came meanwhile (some also in the history read) are learned once, after the history. The
  /// result is what learning everything in order gives (the negative control: dropping the kept events differs).
  @Test func predictorsLearningInTheBackgroundEndAsIfTheyHadLearnedInOrder() {
    let staff = StaffRoster(catalogue: Self.catalogue, assignments: [])
    let history = (1...3).map { Self.issued($0, sequence: UInt64($0)) }
    let live = (3...5).map { Self.issued($0, sequence: UInt64($0)) }  // 3 was read in the history too
    let later = Self.now.adding(seconds: 1)

    let inOrder = PredictionHub(catalogue: Self.catalogue, staff: staff)
    for event in history + live.dropFirst() { inOrder.observe(event) }

    func background(keepingLiveEvents: Bool) -> PredictionHub {
      let hub = PredictionHub(catalogue: Self.catalogue, staff: staff)
      hub.beginLearning()
      if keepingLiveEvents { for event in live { hub.observe(event) } }
      #expect(hub.isLearning)
      #expect(hub.predictNew(branch: Self.branch, service: Self.service, priority: .none, at: later).estimate == nil)
      var learning = hub.makeLearning()
      hub.learn(history, calibratingAfter: 0, into: &learning)
      hub.finishLearning(learning)
      #expect(!hub.isLearning)
      return hub
    }
    let expected = inOrder.predictNew(branch: Self.branch, service: Self.service, priority: .none, at: later).estimate
    #expect(expected?.peopleAhead == 5)
    #expect(
      background(keepingLiveEvents: true).predictNew(
        branch: Self.branch, service: Self.service, priority: .none, at: later
      ).estimate == expected)
    #expect(
      background(keepingLiveEvents: false).predictNew(
        branch: Self.branch, service: Self.service, priority: .none, at: later
      ).estimate?.peopleAhead == 3)
    #expect(
      background(keepingLiveEvents: true).predict(live[2].ticket!, at: later)
        == inOrder.predict(live[2].ticket!, at: later))
  }

}
