internal import CityScheduler

/// A way of choosing a branch, fed the refreshed city state and told of arrivals.
protocol ChoicePolicy {
  /// New information, every `refresh_minutes`.
  mutating func refresh(_ snapshot: CitySnapshot)
  /// The branch index `citizen` is sent to from `origin` at `second`, never one of `excluded`; nil if none.
  mutating func choose(
    for citizen: Citizen, serviceIndex: Int, from origin: GeoPoint, atSecond second: Double,
    excluding excluded: Set<Int>
  ) -> Int?
  /// `citizen`, sent by this policy, reached branch `branch` at `second` and took a ticket.
  mutating func arrived(_ citizen: Citizen, serviceIndex: Int, branch: Int, atSecond second: Double)
}

/// The nearest branch serving the service, by travel time, skipping `excluded`; ties go to the earlier branch.
func nearestBranch(layout: CityLayout, serviceIndex: Int, from origin: GeoPoint, excluding excluded: Set<Int>) -> Int? {
  var best: (index: Int, minutes: Double)?
  for (index, branch) in layout.branches.enumerated()
  where !excluded.contains(index) && branch.poolOfService[serviceIndex] != nil {
    let minutes = layout.travelMinutes(from: origin, to: index).minutes
    guard minutes.isFinite else { continue }
    if best == nil || minutes < best!.minutes { best = (index, minutes) }
  }
  return best?.index
}
