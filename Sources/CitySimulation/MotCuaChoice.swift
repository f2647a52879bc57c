internal import CityScheduler
internal import MotCuaDomain

/// The real scheduler: `BranchChooser` over candidates whose wait is predicted at the citizen's arrival, with a
/// ledger of pending recommendations per service.
///
/// The prediction is a fluid projection of the last refresh: the pool's work then, plus its recent arrival rate,
/// minus what its rostered counters serve, from the refresh until the arrival; the wait is then the time the
/// counters working from the arrival onwards take to clear that work (lunch breaks and overtime included). Spare
/// capacity per hour is what the pool's counters can serve in the hour after arrival minus the recent walk-in
/// work (citizens who came without a recommendation), in tickets of the citizen's service; recommendations
/// already made are counted by the chooser's ledger, not here. A branch the citizen would reach after it stops
/// issuing tickets (or known closed) `closesBeforeServed`.
struct MotCuaChoice: ChoicePolicy {
  let layout: CityLayout
  let chooser: BranchChooser
  private var snapshot: CitySnapshot
  private var ledgers: [Int: PendingArrivals] = [:]
  private var random: SplitMix64
  /// Which branch each citizen was last recommended, to mark their arrival.
  private var recommended: [Int: Int] = [:]

  init(layout: CityLayout, startSecond: Double, seed: UInt64, chooser: BranchChooser = BranchChooser()) {
    self.layout = layout
    self.chooser = chooser
    self.snapshot = .empty(layout: layout, atSecond: startSecond)
    self.random = SplitMix64(seed: seed ^ 0x6D6F_7463_7561_0001)
  }

  mutating func refresh(_ snapshot: CitySnapshot) { self.snapshot = snapshot }

  mutating func choose(
    for citizen: Citizen, serviceIndex: Int, from origin: GeoPoint, atSecond second: Double,
    excluding excluded: Set<Int>
  ) -> Int? {
    self.recommended[citizen.id] = nil
    let candidates = self.candidates(serviceIndex: serviceIndex, from: origin, atSecond: second, excluding: excluded)
    let now = self.layout.instant(atSecond: second)
    var ledger = self.ledgers[serviceIndex] ?? PendingArrivals()
    defer { self.ledgers[serviceIndex] = ledger }
    guard let chosen = self.chooser.recommend(candidates, pending: &ledger, now: now, using: &self.random).first
    else { return nil }
    let index = self.layout.branchIndex[chosen.branch]!
    self.recommended[citizen.id] = index
    return index
  }

  mutating func arrived(_ citizen: Citizen, serviceIndex: Int, branch: Int, atSecond second: Double) {
    guard self.recommended.removeValue(forKey: citizen.id) == branch else { return }
    self.ledgers[serviceIndex]?.markArrived(
      at: self.layout.branches[branch].id, now: self.layout.instant(atSecond: second))
  }

  /// Every branch serving the service that the citizen may be sent to, with the predicted wait at arrival, and the
  /// minutes each citizen already sent there adds (the service's typical time shared by the pool's counters).
  func candidates(serviceIndex: Int, from origin: GeoPoint, atSecond second: Double, excluding excluded: Set<Int>)
    -> [Candidate]
  {
    let typical = self.layout.typicalSeconds[serviceIndex]
    return self.layout.branches.enumerated().compactMap { index, branch -> Candidate? in
      guard !excluded.contains(index), !self.snapshot.closed[index], let pool = branch.poolOfService[serviceIndex]
      else { return nil }
      let trip = self.layout.travelMinutes(from: origin, to: index)
      guard trip.minutes.isFinite else { return nil }
      let arrival = second + trip.minutes * 60
      let state = self.snapshot.pools[index][pool]
      let curve = branch.pools[pool].curve
      let served = curve.available(until: arrival) - curve.available(until: self.snapshot.second)
      let workAtArrival = max(0, state.work + state.arrivalWorkRate * (arrival - self.snapshot.second) - served)
      let wait = curve.wait(behind: workAtArrival, from: arrival) / 60
      let hourAhead = curve.available(until: arrival + 3600) - curve.available(until: arrival)
      let spare = max(0, hourAhead - state.walkInWorkRate * 3600) / typical
      let counters = curve.counters(atSecond: arrival)
      return Candidate(
        branch: branch.id, travelMinutes: trip.minutes, distanceKm: trip.km, predictedWaitAtArrivalMinutes: wait,
        spareCapacityPerHour: spare, closesBeforeServed: arrival >= branch.closingSecond,
        minutesPerPending: typical / 60 / Double(max(1, counters > 0 ? counters : curve.overtime)))
    }
  }
}
