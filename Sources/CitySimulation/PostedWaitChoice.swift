internal import CityScheduler

/// Travel plus the wait posted at the last refresh, always the minimum: what "publish the waits" apps do.
struct PostedWaitChoice: ChoicePolicy {
  let layout: CityLayout
  private var snapshot: CitySnapshot

  init(layout: CityLayout, startSecond: Double) {
    self.layout = layout
    self.snapshot = .empty(layout: layout, atSecond: startSecond)
  }

  mutating func refresh(_ snapshot: CitySnapshot) { self.snapshot = snapshot }

  mutating func choose(
    for citizen: Citizen, serviceIndex: Int, from origin: GeoPoint, atSecond second: Double,
    excluding excluded: Set<Int>
  ) -> Int? {
    var best: (index: Int, total: Double, travel: Double)?
    for (index, branch) in self.layout.branches.enumerated()
    where !excluded.contains(index) && !self.snapshot.closed[index] {
      guard let pool = branch.poolOfService[serviceIndex] else { continue }
      let travel = self.layout.travelMinutes(from: origin, to: index).minutes
      let total = travel + self.snapshot.pools[index][pool].postedWaitMinutes
      guard total.isFinite else { continue }
      if best == nil || (total, travel) < (best!.total, best!.travel) { best = (index, total, travel) }
    }
    return best?.index
  }

  mutating func arrived(_ citizen: Citizen, serviceIndex: Int, branch: Int, atSecond second: Double) {}
}
