public import CityScheduler
public import MotCuaDomain

/// A branch as the planner sees it: where it is and the skills a person needs to be moved there.
public struct PlanningBranch: Hashable, Sendable {
  public let id: BranchID
  public let location: GeoPoint
  /// A person may move here only if they hold every one of these.
  public let requiredSkills: Set<ServiceID>

  public init(id: BranchID, location: GeoPoint, requiredSkills: Set<ServiceID>) {
    self.id = id
    self.location = location
    self.requiredSkills = requiredSkills
  }
}
