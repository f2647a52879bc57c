import Foundation
import StaffPlanning
import Testing

@Suite struct StaffSizingTests {
  static let target = ServiceTarget.default

  @Test(arguments: [(5.0, 12.0), (20, 10), (33, 7), (60, 15), (120, 9), (400, 12)])
  func sizingIsTheFewestCountersMeetingTheTargetByBruteForce(arrivals: Double, minutes: Double) {
    let pool = ServicePool(arrivalsPerHour: arrivals, meanServiceMinutes: minutes)
    let bruteForce = (0...500).first { s in
      ErlangC(pool: pool, servers: s).shareWithin(minutes: Self.target.withinMinutes) >= Self.target.share
    }
    #expect(StaffSizing.counters(for: pool, target: Self.target) == bruteForce)
  }

  @Test(arguments: [(30.0, 10.0, 3.0), (90, 8, 12), (10, 20, 1)])
  func erlangASizingIsTheFewestCountersMeetingTheTargetByBruteForce(arrivals: Double, minutes: Double, theta: Double) {
    let pool = ServicePool(arrivalsPerHour: arrivals, meanServiceMinutes: minutes, abandonmentPerHour: theta)
    let bruteForce = (0...100).first { s in
      ErlangA(pool: pool, servers: s).shareOfAllCalledWithin(minutes: Self.target.withinMinutes) >= Self.target.share
    }
    #expect(StaffSizing.counters(for: pool, target: Self.target) == bruteForce)
  }

  @Test func theSquareRootApproximationMissesTheExactSizeBetweenFourAndTwelveCounters() {
    // Square-root staffing s ≈ a + β√a, β from Halfin–Whitt: P(wait) ≈ [1 + βΦ(β)/φ(β)]⁻¹ = 0.2.
    func halfinWhitt(_ beta: Double) -> Double {
      let phi = exp(-beta * beta / 2) / (2 * Double.pi).squareRoot()
      return 1 / (1 + beta * 0.5 * erfc(-beta / 2.0.squareRoot()) / phi)
    }
    var low = 0.0
    var high = 5.0
    for _ in 0..<100 {
      let middle = (low + high) / 2
      if halfinWhitt(middle) > 0.2 { low = middle } else { high = middle }
    }
    let noWait = ServiceTarget(withinMinutes: 0, share: 0.8)  // P(wait) ≤ 0.2
    var misses: [(load: Double, exact: Int, approximate: Int)] = []
    for step in 1...200 {
      let load = Double(step) * 0.05
      let pool = ServicePool(arrivalsPerHour: load * 6, meanServiceMinutes: 10)
      let exact = StaffSizing.counters(for: pool, target: noWait)!
      let approximate = Int((load + high * load.squareRoot()).rounded(.up))
      if (4...12).contains(exact) && exact != approximate { misses.append((load, exact, approximate)) }
    }
    #expect(!misses.isEmpty)
    // e.g. a = 1.5 Erlangs: exactly 4 counters are needed, the approximation says 3.
    let example = misses.first { abs($0.load - 1.5) < 1e-9 }
    #expect(example?.exact == 4 && example?.approximate == 3)
  }

  @Test func eachHourOfAHorizonIsSizedFromItsOwnRate() {
    let pools = [0.0, 12, 60, 240].map { ServicePool(arrivalsPerHour: $0, meanServiceMinutes: 10) }
    let sized = StaffSizing.countersByHour(pools)
    #expect(sized == pools.map { StaffSizing.counters(for: $0) })
    #expect(sized.first == 0)
    #expect(sized == sized.sorted { ($0 ?? 0) < ($1 ?? 0) })
  }
}

@Suite struct AbandonmentRateTests {
  @Test func thetaIsTheGiveUpShareOverTheMeanWait() {
    // 10% gave up after a 30-minute mean wait: θ = 0.1 ÷ 0.5 h = 0.2 an hour.
    #expect(abs(AbandonmentRate.perHour(giveUpShare: 0.1, meanWaitMinutes: 30) - 0.2) < 1e-12)
    #expect(AbandonmentRate.perHour(giveUpShare: 0, meanWaitMinutes: 30) == 0)
    #expect(AbandonmentRate.perHour(giveUpShare: 0.1, meanWaitMinutes: 0) == 0)
  }

  @Test func abandonmentLowersTheCountersATargetNeeds() {
    // Those who give up leave the queue shorter for the rest (and count as missed): Erlang A needs no more
    // counters than Erlang C, and fewer at this load.
    let patient = ServicePool(arrivalsPerHour: 60, meanServiceMinutes: 10)
    let leaving = ServicePool(arrivalsPerHour: 60, meanServiceMinutes: 10, abandonmentPerHour: 2)
    let c = StaffSizing.counters(for: patient, target: ServiceTarget(withinMinutes: 15, share: 0.8))!
    let a = StaffSizing.counters(for: leaving, target: ServiceTarget(withinMinutes: 15, share: 0.8))!
    #expect(a <= c)
  }
}
