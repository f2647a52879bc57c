import StaffPlanning
import Testing

@Suite struct ErlangATests {
  @Test(arguments: [(20.0, 10.0, 4), (50, 6, 6), (100, 8, 15)])
  func withAlmostNoAbandonmentItIsErlangC(arrivals: Double, minutes: Double, servers: Int) {
    let erlangC = ErlangC(pool: ServicePool(arrivalsPerHour: arrivals, meanServiceMinutes: minutes), servers: servers)
    let erlangA = ErlangA(
      pool: ServicePool(arrivalsPerHour: arrivals, meanServiceMinutes: minutes, abandonmentPerHour: 1e-7),
      servers: servers)
    #expect(abs(erlangA.probabilityOfWaiting - erlangC.probabilityOfWaiting) < 1e-6)
    #expect(abs(erlangA.meanWaitMinutesOfServed - erlangC.meanWaitMinutes) < 1e-4 * erlangC.meanWaitMinutes)
    #expect(abs(erlangA.meanWaitMinutesOfAll - erlangC.meanWaitMinutes) < 1e-4 * erlangC.meanWaitMinutes)
    for t in [0.0, 1, 5, 15, 60] {
      #expect(abs(erlangA.shareOfAllCalledWithin(minutes: t) - erlangC.shareWithin(minutes: t)) < 1e-6)
    }
    #expect(erlangA.probabilityOfAbandoning < 1e-6)
  }

  @Test(arguments: [(20.0, 10.0, 2.0, 3), (90, 10, 6, 12), (30, 12, 30, 2)])
  func abandonmentsEqualPatienceRateTimesTimeWaiting(arrivals: Double, minutes: Double, theta: Double, servers: Int) {
    // Abandonments per unit time = θ·E[Lq] = θ·λ·E[time waiting] (Little), so P(abandon) = θ·E[time waiting].
    let queue = ErlangA(
      pool: ServicePool(arrivalsPerHour: arrivals, meanServiceMinutes: minutes, abandonmentPerHour: theta),
      servers: servers)
    #expect(abs(queue.probabilityOfAbandoning - theta / 60 * queue.meanWaitMinutesOfAll) < 1e-9)
  }

  @Test func anOverloadedPoolSettlesBecauseCustomersGiveUp() {
    // a = 10 on 5 counters: Erlang C never settles; with patience it does, and many give up.
    let queue = ErlangA(
      pool: ServicePool(arrivalsPerHour: 60, meanServiceMinutes: 10, abandonmentPerHour: 4), servers: 5)
    #expect(queue.meanWaitMinutesOfServed.isFinite)
    #expect(queue.probabilityOfAbandoning > 0.3 && queue.probabilityOfAbandoning < 0.7)
    let within = queue.shareOfAllCalledWithin(minutes: 15)
    #expect(within > 0 && within < 1 - queue.probabilityOfAbandoning)
    #expect(queue.shareServedWithin(minutes: 15) > within)
    #expect(queue.shareServedWithin(minutes: 10_000) > 0.999)
  }
}
