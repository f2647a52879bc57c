import Foundation
import MotCuaDomain
import Testing

@testable import WaitPrediction

@Suite struct BranchPredictorTests {
  static let a = ServiceID("a")
  static let opening = Instant(secondsSinceEpoch: EventLogFixture.firstOpening)

  static func at(_ seconds: Int64) -> Instant { opening.adding(seconds: seconds) }

  /// A branch with `counters` open counters serving "a" and `waiting` walk-ins issued one second apart.
  static func branch(
    counters: Int, waiting: Int, typical: Double = 600, roster: [(String, Int64, Int64)] = [], samples: Int = 400
  ) -> BranchPredictor {
    var p = BranchPredictor(
      configuration: .init(typicalServiceSeconds: [a: typical], samples: samples, calibrates: false))
    for (counter, from, to) in roster {
      p.observe(.roster(counter: CounterID(counter), services: [a], from: at(from), to: at(to), at: at(-1800)))
    }
    for k in 1...counters {
      p.observe(.counterOpen(counter: CounterID("c\(k)"), services: [a], at: at(0)))
    }
    for n in 0..<waiting {
      p.observe(
        .issue(ticket: TicketID("w\(n)"), service: a, priority: .none, appointment: false, slotStart: nil, at: at(Int64(n))))
    }
    return p
  }

  @Test func withNoHistoryItFallsBackToTheCatalogueTime() {
    // 4 walk-ins at 2 idle counters: two are called at once, the next two after about 600 s, then this one.
    var p = Self.branch(counters: 2, waiting: 4)
    let prediction = p.predictNew(service: Self.a, priority: .none, at: Self.at(10))
    #expect(prediction.peopleAhead == 4)
    #expect(prediction.openCounters == 2)
    #expect(prediction.meanSeconds > 300 && prediction.meanSeconds < 1200)
  }

  @Test func itLearnsServiceTimesFromCompletedCalls() {
    var p = Self.branch(counters: 1, waiting: 0, typical: 1200)
    // 300 citizens each served in 4 minutes, one called every minute (the last at 13:00 the same day).
    var t: Int64 = 10
    for n in 0..<300 {
      let id = TicketID("s\(n)")
      p.observe(.issue(ticket: id, service: Self.a, priority: .none, appointment: false, slotStart: nil, at: Self.at(t)))
      p.observe(.call(ticket: id, counter: CounterID("c1"), at: Self.at(t)))
      p.observe(.complete(ticket: id, at: Self.at(t + 240)))
      t += 60
    }
    t += 240
    let d = p.distribution(of: 0)
    #expect(abs(d.servedMean - 240) < 30)
    for n in 0..<5 {
      p.observe(
        .issue(ticket: TicketID("q\(n)"), service: Self.a, priority: .none, appointment: false, slotStart: nil, at: Self.at(t)))
    }
    // 4 ahead of the 5th waiting at one idle counter: about 4 × 240 s.
    let wait = p.predict(ticket: TicketID("q4"), at: Self.at(t))!
    #expect(wait.meanSeconds > 800 && wait.meanSeconds < 1200)
  }

  @Test func aRosteredLunchClosureLengthensTheWait() {
    var noRoster = Self.branch(counters: 2, waiting: 10)
    var lunch = Self.branch(counters: 2, waiting: 10, roster: [("c1", 0, 32400), ("c2", 0, 600), ("c2", 4200, 32400)])
    let a = noRoster.predictNew(service: Self.a, priority: .none, at: Self.at(20))
    let b = lunch.predictNew(service: Self.a, priority: .none, at: Self.at(20))
    #expect(b.p50Seconds > a.p50Seconds + 600)
  }

  @Test func aCounterRosteredToOpenSoonShortensTheWait() {
    var closed = Self.branch(counters: 1, waiting: 10, roster: [("c1", 0, 32400)])
    var opening = Self.branch(counters: 1, waiting: 10, roster: [("c1", 0, 32400), ("c9", 300, 32400)])
    let a = closed.predictNew(service: Self.a, priority: .none, at: Self.at(20))
    let b = opening.predictNew(service: Self.a, priority: .none, at: Self.at(20))
    #expect(b.meanSeconds < a.meanSeconds * 0.75)
  }

  @Test func aCounterWhoseStaffAreAwayCountsNoMoreAndAGuestCounterCounts() {
    // c9 is rostered to open in 5 minutes; its staff are sent elsewhere for the day; a guest comes instead.
    var withC9 = Self.branch(counters: 1, waiting: 10, roster: [("c1", 0, 32400), ("c9", 300, 32400)])
    var away = withC9
    away.observe(.rosterAbsence(counter: CounterID("c9"), from: Self.at(0), to: Self.at(32400), at: Self.at(15)))
    var guest = away
    guest.observe(
      .roster(counter: CounterID("guest-1"), services: [Self.a], from: Self.at(300), to: Self.at(32400), at: Self.at(16)))
    let a = withC9.predictNew(service: Self.a, priority: .none, at: Self.at(20))
    let b = away.predictNew(service: Self.a, priority: .none, at: Self.at(20))
    let c = guest.predictNew(service: Self.a, priority: .none, at: Self.at(20))
    #expect(b.meanSeconds > a.meanSeconds * 1.3)
    #expect(abs(c.meanSeconds - a.meanSeconds) < a.meanSeconds * 0.1)
  }

  @Test func anAbsenceCutsOnlyItsPeriodFromTheRoster() {
    var p = Self.branch(counters: 1, waiting: 0, roster: [("c1", 0, 32400)])
    p.observe(.rosterAbsence(counter: CounterID("c1"), from: Self.at(3600), to: Self.at(7200), at: Self.at(1)))
    #expect(p.counters[CounterID("c1")]?.roster.map { [$0.from, $0.to] } == [[Self.at(0), Self.at(3600)], [Self.at(7200), Self.at(32400)]])
  }

  @Test func aPriorityTicketWaitsLessThanAWalkIn() {
    var p = Self.branch(counters: 2, waiting: 12)
    let walkIn = p.predictNew(service: Self.a, priority: .none, at: Self.at(20))
    let elderly = p.predictNew(service: Self.a, priority: .elderly, at: Self.at(20))
    #expect(elderly.peopleAhead == 0)
    #expect(elderly.p90Seconds < walkIn.p50Seconds)
  }

  @Test func aCalledTicketHasNoPrediction() {
    var p = Self.branch(counters: 1, waiting: 2)
    p.observe(.call(ticket: TicketID("w0"), counter: CounterID("c1"), at: Self.at(5)))
    #expect(p.predict(ticket: TicketID("w0"), at: Self.at(6)) == nil)
    #expect(p.predict(ticket: TicketID("w1"), at: Self.at(6)) != nil)
    #expect(p.predict(ticket: TicketID("nobody"), at: Self.at(6)) == nil)
  }

  @Test func aNewDayForgetsYesterdaysQueue() {
    var p = Self.branch(counters: 1, waiting: 30)
    p.observe(.counterOpen(counter: CounterID("c1"), services: [Self.a], at: Self.at(86_400)))
    let next = p.predictNew(service: Self.a, priority: .none, at: Self.at(86_410))
    #expect(next.peopleAhead == 0)
  }
}
