import CityScheduler
import MotCuaDomain
import Testing

@Suite struct OverloadAlertsTests {
  func reading(_ branch: String, now: Double, in30: Double) -> OverloadAlerts.Reading {
    .init(branch: BranchID(branch), service: ServiceID("s"), waitNowSeconds: now * 60, waitIn30MinutesSeconds: in30 * 60)
  }

  @Test func anAlertIsRaisedOnceAtTheThresholdNowOrIn30Minutes() {
    var alerts = OverloadAlerts(thresholdSeconds: 45 * 60)
    #expect(alerts.update([self.reading("a", now: 44, in30: 44.9)]).isEmpty)
    #expect(alerts.update([self.reading("a", now: 20, in30: 45)]) == [.raised(self.reading("a", now: 20, in30: 45))])
    #expect(alerts.update([self.reading("a", now: 60, in30: 70)]).isEmpty)
    #expect(alerts.raised == [BranchID("a")])
  }

  @Test func itClearsOnlyBelowTheThresholdLessTheMarginSoItDoesNotFlap() {
    var alerts = OverloadAlerts(thresholdSeconds: 45 * 60)
    _ = alerts.update([self.reading("a", now: 50, in30: 50)])
    #expect(alerts.update([self.reading("a", now: 44, in30: 41)]).isEmpty)
    #expect(alerts.update([self.reading("a", now: 39.9, in30: 30)]) == [.cleared(self.reading("a", now: 39.9, in30: 30))])
    #expect(alerts.raised.isEmpty)
  }

  @Test func branchesNotReadKeepTheirState() {
    var alerts = OverloadAlerts(thresholdSeconds: 600)
    _ = alerts.update([self.reading("a", now: 20, in30: 0), self.reading("b", now: 20, in30: 0)])
    #expect(alerts.update([self.reading("b", now: 0, in30: 0)]).count == 1)
    #expect(alerts.raised == [BranchID("a")])
  }

  @Test func aLowThresholdStillClears() {
    var alerts = OverloadAlerts(thresholdSeconds: 4 * 60)
    _ = alerts.update([self.reading("a", now: 5, in30: 5)])
    #expect(alerts.update([self.reading("a", now: 2.5, in30: 0)]).isEmpty)
    #expect(alerts.update([self.reading("a", now: 0, in30: 0)]).count == 1)
    #expect(alerts.raised.isEmpty)
  }

  @Test func aQueueNoCounterServesIsOverloaded() {
    let alerts = OverloadAlerts(thresholdSeconds: 45 * 60)
    #expect(alerts.isOverloaded(.init(branch: BranchID("a"), service: nil, waitNowSeconds: 0, waitIn30MinutesSeconds: .infinity)))
  }
}
