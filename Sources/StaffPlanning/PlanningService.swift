public import MotCuaDomain

/// A service as the planner sees it: its mean service time.
public struct PlanningService: Hashable, Sendable {
  public let id: ServiceID
  public let meanServiceMinutes: Double

  public init(id: ServiceID, meanServiceMinutes: Double) {
    self.id = id
    self.meanServiceMinutes = meanServiceMinutes
  }
}
