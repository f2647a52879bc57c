import CityScheduler
import MotCuaDomain
import Testing

@Suite struct BranchChooserTests {
  static let now = Fixtures.monday9am

  static func candidate(
    _ id: String, travel: Double, wait: Double, spare: Double = 100, closing: Bool = false
  ) -> Candidate {
    Candidate(
      branch: BranchID(id), travelMinutes: travel, distanceKm: travel / 3, predictedWaitAtArrivalMinutes: wait,
      spareCapacityPerHour: spare, closesBeforeServed: closing)
  }

  @Test func aBranchClosingBeforeServiceIsNeverRecommendedEvenWhenFastest() {
    let candidates = [
      Self.candidate("closing", travel: 1, wait: 0, closing: true),
      Self.candidate("a", travel: 10, wait: 10),
      Self.candidate("b", travel: 12, wait: 9),
    ]
    var rng = SplitMix64(seed: 1)
    var ledger = PendingArrivals()
    for minute in 0..<200 {
      let ranked = BranchChooser().recommend(
        candidates, pending: &ledger, now: Self.now.adding(seconds: Int64(minute) * 60), using: &rng)
      #expect(!ranked.isEmpty)
      #expect(!ranked.contains { $0.branch == BranchID("closing") })
    }
  }

  @Test func recommendationsToABranchStopAtItsSpareCapacityPerHourAndResumeAnHourLater() {
    // "b" is nearer (a citizen going there diverts nobody) but far slower.
    let candidates = [Self.candidate("a", travel: 10, wait: 0, spare: 3), Self.candidate("b", travel: 5, wait: 195)]
    var rng = SplitMix64(seed: 7)
    var ledger = PendingArrivals()
    let chooser = BranchChooser()
    let firstHour = (0..<5).map { minute in
      chooser.recommend(candidates, pending: &ledger, now: Self.now.adding(seconds: Int64(minute) * 60), using: &rng)
        .first?.branch.rawValue
    }
    #expect(firstHour == ["a", "a", "a", "b", "b"])
    let nextHour = chooser.recommend(candidates, pending: &ledger, now: Self.now.adding(seconds: 3600), using: &rng)
    #expect(nextHour.first?.branch == BranchID("a"))
  }

  @Test func aBranchWithNoSpareCapacityIsNeverRecommended() {
    var rng = SplitMix64(seed: 3)
    let ranked = BranchChooser().rank(
      [Self.candidate("full", travel: 1, wait: 0, spare: 0)], pending: PendingArrivals(), now: Self.now, using: &rng)
    #expect(ranked.isEmpty)
  }

  @Test func nearEqualBranchesShareTheChoicesAndAClearlyWorseOneGetsNone() {
    let candidates = [
      Self.candidate("a", travel: 10, wait: 10),  // 20 min
      Self.candidate("b", travel: 15, wait: 6),  // 21 min: within 5 min of the best
      Self.candidate("c", travel: 5, wait: 35),  // 40 min
    ]
    var rng = SplitMix64(seed: 42)
    var counts: [String: Int] = [:]
    for _ in 0..<1000 {
      let chosen = BranchChooser().rank(candidates, pending: PendingArrivals(), now: Self.now, using: &rng).first
      counts[chosen?.branch.rawValue ?? "none", default: 0] += 1
    }
    // Soft-min weights 1 : e^(-1/2.5) ≈ 0.67 → about 60% / 40%.
    #expect((500...700).contains(counts["a", default: 0]))
    #expect((300...500).contains(counts["b", default: 0]))
    #expect(counts["c", default: 0] == 0)
  }

  @Test func theSameSeedGivesTheSameChoices() {
    let candidates = [Self.candidate("a", travel: 10, wait: 10), Self.candidate("b", travel: 10, wait: 10)]
    func picks(seed: UInt64) -> [BranchID?] {
      var rng = SplitMix64(seed: seed)
      return (0..<50).map { _ in
        BranchChooser().rank(candidates, pending: PendingArrivals(), now: Self.now, using: &rng).first?.branch
      }
    }
    #expect(picks(seed: 9) == picks(seed: 9))
    #expect(Set(picks(seed: 9)).count == 2)
  }

  @Test func pendingArrivalsLengthenTheWaitByPendingOverSpareCapacity() {
    var ledger = PendingArrivals()
    ledger.record(branch: BranchID("a"), at: Self.now, travelMinutes: 10)
    ledger.record(branch: BranchID("a"), at: Self.now, travelMinutes: 10)
    var rng = SplitMix64(seed: 1)
    let ranked = BranchChooser().rank(
      [Self.candidate("a", travel: 10, wait: 5, spare: 12)], pending: ledger, now: Self.now, using: &rng)
    #expect(ranked.first?.waitMinutes == 15)  // 5 + 2 pending × 60 ÷ 12 an hour
    // Once they have expired, the wait is the prediction alone.
    let later = BranchChooser().rank(
      [Self.candidate("a", travel: 10, wait: 5, spare: 12)], pending: ledger, now: Self.now.adding(seconds: 25 * 60),
      using: &rng)
    #expect(later.first?.waitMinutes == 5)
  }

  @Test func anInjectedPendingWaitReplacesTheDefault() {
    var ledger = PendingArrivals()
    ledger.record(branch: BranchID("a"), at: Self.now, travelMinutes: 10)
    // Each pending citizen takes 8 minutes at one of 2 counters.
    let chooser = BranchChooser(pendingWait: { _, pending in Double(pending) * 8 / 2 })
    var rng = SplitMix64(seed: 1)
    let ranked = chooser.rank([Self.candidate("a", travel: 10, wait: 5)], pending: ledger, now: Self.now, using: &rng)
    #expect(ranked.first?.waitMinutes == 9)
  }

  @Test func herdingIsAvoidedWhenManyAskAtOnce() {
    // Two equal branches, 40 citizens in the same minute: neither gets them all.
    let candidates = [
      Self.candidate("a", travel: 10, wait: 10, spare: 30), Self.candidate("b", travel: 10, wait: 10, spare: 30),
    ]
    var rng = SplitMix64(seed: 5)
    var ledger = PendingArrivals()
    for _ in 0..<40 { _ = BranchChooser().recommend(candidates, pending: &ledger, now: Self.now, using: &rng) }
    let a = ledger.pending(at: BranchID("a"), now: Self.now)
    let b = ledger.pending(at: BranchID("b"), now: Self.now)
    #expect(a + b == 40)
    #expect(abs(a - b) <= 6)
  }

  @Test func upToThreeAreListedWithTheNearestAmongThemAndAReasonEach() {
    let candidates = [
      Self.candidate("a", travel: 15, wait: 5),  // 20: the only near-best
      Self.candidate("near", travel: 2, wait: 58),  // 60
      Self.candidate("c", travel: 30, wait: 20),  // 50
      Self.candidate("d", travel: 20, wait: 35),  // 55
    ]
    var rng = SplitMix64(seed: 1)
    let ranked = BranchChooser().rank(candidates, pending: PendingArrivals(), now: Self.now, using: &rng)
    #expect(ranked.map(\.branch.rawValue) == ["a", "c", "near"])
    #expect(ranked.map(\.reason.rawValue) == ["shortest total time", "next shortest total time", "nearest"])
    #expect(ranked.first?.totalMinutes == 20)
  }

  @Test func aNearBestChoiceSaysItSpreadsLoad() {
    let candidates = [Self.candidate("a", travel: 10, wait: 10), Self.candidate("b", travel: 5, wait: 17)]
    var rng = SplitMix64(seed: 11)
    let firsts = (0..<200).compactMap { _ in
      BranchChooser().rank(candidates, pending: PendingArrivals(), now: Self.now, using: &rng).first
    }
    #expect(firsts.first { $0.branch == BranchID("b") }?.reason == .nearBestSpreadsLoad)
    #expect(firsts.first { $0.branch == BranchID("a") }?.reason == .shortestTotal)
  }

  @Test func theChoiceIsNeverPredictedWorseThanTheNearestBranch() {
    // The nearest ("near") is best; "other" is within the margin, so the soft-min alone sometimes picks it.
    let candidates = [Self.candidate("near", travel: 5, wait: 15), Self.candidate("other", travel: 10, wait: 12)]
    func firsts(_ settings: BranchChooser.Settings) -> Set<String> {
      var rng = SplitMix64(seed: 5)
      return Set((0..<200).compactMap { _ in
        BranchChooser(settings: settings).rank(candidates, pending: PendingArrivals(), now: Self.now, using: &rng)
          .first?.branch.rawValue
      })
    }
    #expect(firsts(BranchChooser.Settings()) == ["near"])
    var unguarded = BranchChooser.Settings()
    unguarded.neverWorseThanNearest = false
    #expect(firsts(unguarded) == ["near", "other"])  // negative control: without the guard it happens
  }

  @Test func aCandidateCanSayWhatEachPendingCitizenAdds() {
    let candidate = Candidate(
      branch: BranchID("a"), travelMinutes: 1, distanceKm: 0.3, predictedWaitAtArrivalMinutes: 0,
      spareCapacityPerHour: 10, closesBeforeServed: false, minutesPerPending: 4)
    #expect(BranchChooser.defaultPendingWait(candidate, 3) == 12)
    #expect(BranchChooser.defaultPendingWait(Self.candidate("b", travel: 1, wait: 0, spare: 10), 3) == 18)
  }
}
