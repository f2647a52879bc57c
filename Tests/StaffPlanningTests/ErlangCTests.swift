import Foundation
import StaffPlanning
import Testing

@Suite struct ErlangCTests {
  /// C(s, a) by the textbook formula, summed in log space: independent of the Erlang B recursion.
  static func directProbabilityOfWaiting(offeredLoad a: Double, servers s: Int) -> Double {
    let logs = (0..<s).map { Double($0) * log(a) - lgamma(Double($0) + 1) }
    let tail = Double(s) * log(a) - lgamma(Double(s) + 1) + log(Double(s) / (Double(s) - a))
    let top = max(logs.max()!, tail)
    return exp(tail - top) / (logs.reduce(0) { $0 + exp($1 - top) } + exp(tail - top))
  }

  @Test func mm1MatchesItsClosedForm() {
    // λ = 3/h, 1/μ = 10 min: ρ = 0.5; P(wait) = ρ, E[W] = ρ/(μ − λ) = 0.5/(0.1 − 0.05) = 10 min.
    let queue = ErlangC(pool: ServicePool(arrivalsPerHour: 3, meanServiceMinutes: 10), servers: 1)
    #expect(abs(queue.probabilityOfWaiting - 0.5) < 1e-12)
    #expect(abs(queue.meanWaitMinutes - 10) < 1e-9)
    // P(W ≤ t) = 1 − ρ·e^−(μ−λ)t.
    #expect(abs(queue.shareWithin(minutes: 15) - (1 - 0.5 * exp(-0.05 * 15))) < 1e-12)
  }

  @Test func mm2MatchesItsClosedForm() {
    // M/M/2 with ρ = 0.5 (a = 1): P(wait) = 2ρ²/(1 + ρ) = 1/3; E[W] = C/(2μ − λ).
    let queue = ErlangC(pool: ServicePool(arrivalsPerHour: 6, meanServiceMinutes: 10), servers: 2)
    #expect(abs(queue.probabilityOfWaiting - 1.0 / 3) < 1e-12)
    #expect(abs(queue.meanWaitMinutes - (1.0 / 3) / (0.2 - 0.1)) < 1e-9)
  }

  @Test func textbookValueForTenErlangsOnElevenAgents() {
    // Tables (e.g. Gross & Harris; any Erlang C calculator): a = 10 Erlangs, s = 11 → C ≈ 0.6821.
    let queue = ErlangC(pool: ServicePool(arrivalsPerHour: 60, meanServiceMinutes: 10), servers: 11)
    #expect(abs(queue.probabilityOfWaiting - 0.6821) < 5e-5)
  }

  @Test(arguments: [(0.5, 1), (2.7, 4), (7.5, 9), (11.2, 12), (40, 45), (150, 160), (290, 300)])
  func recursionAgreesWithTheDirectFormula(load: Double, servers: Int) {
    let pool = ServicePool(arrivalsPerHour: load * 60 / 8, meanServiceMinutes: 8)
    let queue = ErlangC(pool: pool, servers: servers)
    let direct = Self.directProbabilityOfWaiting(offeredLoad: load, servers: servers)
    #expect(abs(queue.probabilityOfWaiting - direct) < 1e-10 * max(1, direct))
    #expect(queue.meanWaitMinutes.isFinite && queue.meanWaitMinutes > 0)
  }

  @Test func tableMatchesOneAtATime() {
    let pool = ServicePool(arrivalsPerHour: 40, meanServiceMinutes: 9)
    for queue in ErlangC.table(pool: pool, maxServers: 20) {
      let alone = ErlangC(pool: pool, servers: queue.servers)
      #expect(queue == alone)
    }
  }

  @Test func anUnstablePoolWaitsForeverAndMeetsNoTarget() {
    let queue = ErlangC(pool: ServicePool(arrivalsPerHour: 30, meanServiceMinutes: 12), servers: 6)  // a = 6
    #expect(!queue.isStable)
    #expect(queue.meanWaitMinutes == .infinity)
    #expect(queue.shareWithin(minutes: 15) == 0)
  }

  @Test func aPoolWithoutArrivalsNeverWaits() {
    let queue = ErlangC(pool: ServicePool(arrivalsPerHour: 0, meanServiceMinutes: 12), servers: 0)
    #expect(queue.meanWaitMinutes == 0)
    #expect(queue.shareWithin(minutes: 0) == 1)
  }
}
