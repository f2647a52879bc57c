internal import CityScheduler

/// The nearest branch that serves the service; it knows of a closure only by finding the door shut.
struct NearestChoice: ChoicePolicy {
  let layout: CityLayout

  mutating func refresh(_ snapshot: CitySnapshot) {}

  mutating func choose(
    for citizen: Citizen, serviceIndex: Int, from origin: GeoPoint, atSecond second: Double,
    excluding excluded: Set<Int>
  ) -> Int? {
    nearestBranch(layout: self.layout, serviceIndex: serviceIndex, from: origin, excluding: excluded)
  }

  mutating func arrived(_ citizen: Citizen, serviceIndex: Int, branch: Int, atSecond second: Double) {}
}
