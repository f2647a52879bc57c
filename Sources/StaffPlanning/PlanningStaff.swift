public import MotCuaDomain

/// A member of staff as the planner sees it: where they are placed now and the services they may serve.
public struct PlanningStaff: Hashable, Sendable {
  public let id: StaffID
  /// The branch they work at before any move.
  public let branch: BranchID
  public let skills: Set<ServiceID>

  public init(id: StaffID, branch: BranchID, skills: Set<ServiceID>) {
    self.id = id
    self.branch = branch
    self.skills = skills
  }
}
