/// A service target: at least `share` of tickets called within `withinMinutes`.
public struct ServiceTarget: Hashable, Sendable {
  public let withinMinutes: Double
  /// The share, in (0, 1], of tickets to call within `withinMinutes`.
  public let share: Double

  /// - Precondition: `withinMinutes >= 0` and finite, `0 < share <= 1`.
  public init(withinMinutes: Double, share: Double) {
    precondition(withinMinutes >= 0 && withinMinutes.isFinite, "withinMinutes must be finite and >= 0")
    precondition(share > 0 && share <= 1, "share must be in (0, 1]")
    self.withinMinutes = withinMinutes
    self.share = share
  }

  /// The centre's default: 80% of tickets called within 15 minutes.
  public static let `default` = ServiceTarget(withinMinutes: 15, share: 0.8)
}
