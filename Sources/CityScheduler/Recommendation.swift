public import MotCuaDomain

/// A branch the chooser recommends, with the times it ranked it by and why.
public struct Recommendation: Hashable, Sendable {
  /// Why a branch is listed; the raw value is the short text shown to the citizen.
  public enum Reason: String, Hashable, Sendable {
    case shortestTotal = "shortest total time"
    case nearBestSpreadsLoad = "near-best total; spreads load"
    case nearBest = "near-best total"
    case nearest = "nearest"
    case alternative = "next shortest total time"
  }

  public let branch: BranchID
  public let travelMinutes: Double
  public let distanceKm: Double
  /// The predicted wait at arrival, pending arrivals included.
  public let waitMinutes: Double
  public var totalMinutes: Double { self.travelMinutes + self.waitMinutes }
  public let reason: Reason

  public init(branch: BranchID, travelMinutes: Double, distanceKm: Double, waitMinutes: Double, reason: Reason) {
    self.branch = branch
    self.travelMinutes = travelMinutes
    self.distanceKm = distanceKm
    self.waitMinutes = waitMinutes
    self.reason = reason
  }
}
