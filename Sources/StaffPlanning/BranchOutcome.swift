public import MotCuaDomain

/// One branch before and after a plan: its pool, staff and predicted waits.
public struct BranchOutcome: Hashable, Sendable {
  public let id: BranchID
  /// λ: total arrivals an hour.
  public let arrivalsPerHour: Double
  /// 1/μ: the arrival-weighted mean service time, in minutes (0 without demand).
  public let meanServiceMinutes: Double
  public let staffBefore: Int
  public let staff: Int
  /// E[W] by Erlang C before the plan, in minutes; infinite when unstable (λ ≥ sμ).
  public let meanWaitMinutesBefore: Double
  /// E[W] by Erlang C after the plan, in minutes; infinite when unstable.
  public let meanWaitMinutes: Double
  /// With a target: the share of tickets called within it before the plan.
  public let shareWithinTargetBefore: Double?
  /// With a target: the share of tickets called within it after the plan.
  public let shareWithinTarget: Double?
  /// With a target: the fewest staff that meet it (nil if out of reach).
  public let staffNeeded: Int?

  public init(
    id: BranchID, arrivalsPerHour: Double, meanServiceMinutes: Double, staffBefore: Int, staff: Int,
    meanWaitMinutesBefore: Double, meanWaitMinutes: Double, shareWithinTargetBefore: Double?,
    shareWithinTarget: Double?, staffNeeded: Int?
  ) {
    self.id = id
    self.arrivalsPerHour = arrivalsPerHour
    self.meanServiceMinutes = meanServiceMinutes
    self.staffBefore = staffBefore
    self.staff = staff
    self.meanWaitMinutesBefore = meanWaitMinutesBefore
    self.meanWaitMinutes = meanWaitMinutes
    self.shareWithinTargetBefore = shareWithinTargetBefore
    self.shareWithinTarget = shareWithinTarget
    self.staffNeeded = staffNeeded
  }

  /// Whether the branch settles after the plan (λ < sμ, or no demand).
  public var isStable: Bool { self.meanWaitMinutes.isFinite }

  /// With a target: how far the share after the plan falls short of it (0 when met).
  public func shareShortfall(of target: ServiceTarget) -> Double {
    max(0, target.share - (self.shareWithinTarget ?? 1))
  }

  /// With a target: the staff still missing after the plan to meet it (0 when met; nil if out of reach).
  public var staffShort: Int? { self.staffNeeded.map { max(0, $0 - self.staff) } }
}
