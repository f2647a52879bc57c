public import MotCuaDomain

/// A rebalancing plan as proposed: its moves (not yet in force) and the staffing version it was computed
/// against; `body` is the proposal as the caller saw it (opaque to the store).
public struct StaffPlanRecord: Sendable, Equatable {
  public let id: String
  public let createdAt: Instant
  public let staffingVersion: Int64
  public let moves: [StaffAssignment]
  public let body: [UInt8]

  public init(id: String, createdAt: Instant, staffingVersion: Int64, moves: [StaffAssignment], body: [UInt8]) {
    self.id = id
    self.createdAt = createdAt
    self.staffingVersion = staffingVersion
    self.moves = moves
    self.body = body
  }
}

/// Puts a proposed plan's moves in force, once.
public struct ApplyPlanCommand: Sendable {
  public let planID: String
  public let principalID: String
  public let at: Instant

  public init(planID: String, principalID: String, at: Instant) {
    self.planID = planID
    self.principalID = principalID
    self.at = at
  }
}

/// What applying a plan did: its assignments, and whether an earlier call had applied it already.
public struct ApplyPlanOutcome: Sendable, Equatable {
  public let assignments: [StaffAssignment]
  public let alreadyApplied: Bool

  public init(assignments: [StaffAssignment], alreadyApplied: Bool) {
    self.assignments = assignments
    self.alreadyApplied = alreadyApplied
  }
}
