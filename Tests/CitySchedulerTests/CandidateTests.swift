import CityScheduler
import MotCuaDomain
import Testing

@Suite struct CandidateTests {
  @Test func pendingArrivalsAddTheirServiceTimeSharedAmongCounters() {
    let candidate = Candidate(
      branch: BranchID("a"), travelMinutes: 10, distanceKm: 3, predictedWaitAtArrivalMinutes: 20,
      spareCapacityPerHour: 6, closesBeforeServed: false)
    // 3 pending × 10 min ÷ 2 counters = 15 min more.
    let adjusted = candidate.addingWait(forPending: 3, meanServiceMinutes: 10, counters: 2)
    #expect(adjusted.predictedWaitAtArrivalMinutes == 35)
    #expect(candidate.addingWait(forPending: 0, meanServiceMinutes: 10, counters: 2) == candidate)
  }
}
