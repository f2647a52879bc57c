public import MotCuaDomain

/// The arrival rate of one service at one branch.
public struct BranchDemand: Hashable, Sendable {
  public let branch: BranchID
  public let service: ServiceID
  public let arrivalsPerHour: Double

  public init(branch: BranchID, service: ServiceID, arrivalsPerHour: Double) {
    self.branch = branch
    self.service = service
    self.arrivalsPerHour = arrivalsPerHour
  }
}
