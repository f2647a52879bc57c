import CityScheduler
import MotCuaDomain
import Testing

@Suite struct PendingArrivalsTests {
  static let branch = BranchID("a")
  static let now = Fixtures.monday9am

  @Test func aRecommendationIsPendingUntilEtaPlusGraceThenExpires() {
    var ledger = PendingArrivals()  // 15 min grace
    ledger.record(branch: Self.branch, at: Self.now, travelMinutes: 20)
    #expect(ledger.pending(at: Self.branch, now: Self.now) == 1)
    #expect(ledger.pending(at: Self.branch, now: Self.now.adding(seconds: 35 * 60 - 1)) == 1)
    #expect(ledger.pending(at: Self.branch, now: Self.now.adding(seconds: 35 * 60)) == 0)
    #expect(ledger.pending(at: BranchID("b"), now: Self.now) == 0)
  }

  @Test func theGraceIsConfigurable() {
    var ledger = PendingArrivals(graceSeconds: 0)
    ledger.record(branch: Self.branch, at: Self.now, travelMinutes: 10)
    #expect(ledger.pending(at: Self.branch, now: Self.now.adding(seconds: 10 * 60)) == 0)
  }

  @Test func anArrivalIsNoLongerPendingButStillCountsTowardsTheHour() {
    var ledger = PendingArrivals()
    ledger.record(branch: Self.branch, at: Self.now, travelMinutes: 20)
    ledger.record(branch: Self.branch, at: Self.now, travelMinutes: 30)
    let arrived = ledger.markArrived(at: Self.branch, now: Self.now.adding(seconds: 20 * 60))
    #expect(arrived)
    #expect(ledger.pending(at: Self.branch, now: Self.now.adding(seconds: 20 * 60)) == 1)
    #expect(ledger.recommendedInLastHour(to: Self.branch, now: Self.now.adding(seconds: 20 * 60)) == 2)
    let stranger = ledger.markArrived(at: BranchID("b"), now: Self.now)
    #expect(!stranger)
  }

  @Test func recommendationsLeaveTheHourlyCountAfterAnHourAndArePruned() {
    var ledger = PendingArrivals()
    ledger.record(branch: Self.branch, at: Self.now, travelMinutes: 5)
    #expect(ledger.recommendedInLastHour(to: Self.branch, now: Self.now.adding(seconds: 3599)) == 1)
    #expect(ledger.recommendedInLastHour(to: Self.branch, now: Self.now.adding(seconds: 3600)) == 0)
    ledger.prune(now: Self.now.adding(seconds: 3600))
    #expect(ledger.entries.isEmpty)
  }
}
