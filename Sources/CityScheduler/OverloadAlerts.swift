public import MotCuaDomain

/// Raises an alert when a branch's predicted wait, now or in 30 minutes, reaches a threshold, and clears it
/// once both fall below the threshold less a margin (`clearBelowSeconds`), so that a wait hovering at the
/// threshold does not flap.
public struct OverloadAlerts: Hashable, Sendable {
  /// One branch's predicted waits, as read from its busiest service.
  public struct Reading: Hashable, Sendable {
    public let branch: BranchID
    public let service: ServiceID?
    public let waitNowSeconds: Double
    public let waitIn30MinutesSeconds: Double

    public init(branch: BranchID, service: ServiceID?, waitNowSeconds: Double, waitIn30MinutesSeconds: Double) {
      self.branch = branch
      self.service = service
      self.waitNowSeconds = waitNowSeconds
      self.waitIn30MinutesSeconds = waitIn30MinutesSeconds
    }

    var worst: Double { max(self.waitNowSeconds, self.waitIn30MinutesSeconds) }
  }

  /// A change of a branch's alert state.
  public enum Change: Hashable, Sendable {
    case raised(Reading)
    case cleared(Reading)
  }

  public let thresholdSeconds: Double
  public let clearMarginSeconds: Double
  /// Branches whose alert is raised.
  public private(set) var raised: Set<BranchID> = []

  /// - Parameter clearMarginSeconds: 5 minutes by default.
  public init(thresholdSeconds: Double, clearMarginSeconds: Double = 300) {
    self.thresholdSeconds = thresholdSeconds
    self.clearMarginSeconds = clearMarginSeconds
  }

  /// An alert clears below the threshold less the margin, or half the threshold if that is higher (a low
  /// threshold must still clear).
  public var clearBelowSeconds: Double { max(self.thresholdSeconds - self.clearMarginSeconds, self.thresholdSeconds / 2) }

  /// Whether a reading is at or over the threshold.
  public func isOverloaded(_ reading: Reading) -> Bool { reading.worst >= self.thresholdSeconds }

  /// Takes new readings (branches not read keep their state) and returns the alerts raised and cleared.
  public mutating func update(_ readings: [Reading]) -> [Change] {
    readings.compactMap { reading in
      if !self.raised.contains(reading.branch) && self.isOverloaded(reading) {
        self.raised.insert(reading.branch)
        return .raised(reading)
      }
      if self.raised.contains(reading.branch) && reading.worst < self.clearBelowSeconds {
        self.raised.remove(reading.branch)
        return .cleared(reading)
      }
      return nil
    }
  }
}
