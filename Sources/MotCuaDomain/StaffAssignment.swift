/// A member of staff working at another branch for a period, from an applied rebalancing plan.
public struct StaffAssignment: Hashable, Sendable {
  public let staffID: StaffID
  public let fromBranch: BranchID
  public let toBranch: BranchID
  /// The procedures they serve there (their skills the destination offers).
  public let services: [ServiceID]
  public let startsAt: Instant
  /// Exclusive.
  public let endsAt: Instant
  /// The plan it came from.
  public let planID: String

  public init(
    staffID: StaffID, fromBranch: BranchID, toBranch: BranchID, services: [ServiceID], startsAt: Instant,
    endsAt: Instant, planID: String
  ) {
    self.staffID = staffID
    self.fromBranch = fromBranch
    self.toBranch = toBranch
    self.services = services
    self.startsAt = startsAt
    self.endsAt = endsAt
    self.planID = planID
  }

  /// Whether the assignment is in force at `instant`.
  public func covers(_ instant: Instant) -> Bool { self.startsAt <= instant && instant < self.endsAt }
}
