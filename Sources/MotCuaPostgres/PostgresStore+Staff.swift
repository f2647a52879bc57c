import Foundation
public import MotCuaDomain
public import MotCuaStore
import PostgresNIO

/// Rebalancing plans, the assignments they put in force, and the audit trail.
extension PostgresStore {
  public func savePlan(_ plan: StaffPlanRecord) async throws {
    try await self.command { s in
      try await s.execute(
        """
        INSERT INTO staff_plans (id, created_at, staffing_version, moves, body)
        VALUES (\(plan.id), \(plan.createdAt.millisecondsSinceEpoch), \(plan.staffingVersion),
          \(try JSON.encode(plan.moves.map(StoredMove.init))), \(Data(plan.body)))
        """)
    }
  }

  public func plan(_ id: String) async throws -> StaffPlanRecord? {
    try await self.command { s in try await Self.plan(id, s) }
  }

  public func applyPlan(_ command: ApplyPlanCommand) async throws -> ApplyPlanOutcome {
    try await self.command { s in
      // Plans are applied one at a time: the staffing version checked is the one the plan replaces.
      try await s.execute("SELECT pg_advisory_xact_lock(hashtext('motcua:staffing'))")
      guard let plan = try await Self.plan(command.planID, s) else { throw StoreRefusal.noPlan(command.planID) }
      if try await s.value("SELECT applied_at IS NOT NULL FROM staff_plans WHERE id = \(plan.id)", as: Bool.self)
        == true
      {
        return ApplyPlanOutcome(assignments: try await Self.assignments(plan: plan.id, s), alreadyApplied: true)
      }
      guard try await Self.staffingVersion(s) == plan.staffingVersion else { throw StoreRefusal.planOutOfDate(plan.id) }
      // One statement for all moves, so the staffing notification fires once.
      let moves = plan.moves
      try await s.execute(
        """
        INSERT INTO staff_assignments (plan_id, staff_id, from_branch, to_branch, services, starts_at, ends_at)
        SELECT \(plan.id), m.staff_id, m.from_branch, m.to_branch, m.services, m.starts_at, m.ends_at
        FROM UNNEST(\(moves.map(\.staffID.rawValue))::TEXT[],
          \(moves.map(\.fromBranch.rawValue))::TEXT[], \(moves.map(\.toBranch.rawValue))::TEXT[],
          \(try moves.map { try JSON.encode($0.services.map(\.rawValue)) })::TEXT[],
          \(moves.map(\.startsAt.millisecondsSinceEpoch))::BIGINT[], \(moves.map(\.endsAt.millisecondsSinceEpoch))::BIGINT[])
          WITH ORDINALITY AS m(staff_id, from_branch, to_branch, services, starts_at, ends_at, n)
        ORDER BY n
        """)
      try await s.execute(
        """
        UPDATE staff_plans SET applied_at = \(command.at.millisecondsSinceEpoch), applied_by = \(command.principalID)
        WHERE id = \(plan.id)
        """)
      let detail = try JSON.encode(["plan": plan.id, "moves": String(plan.moves.count)])
      try await s.execute(
        """
        INSERT INTO audit (at, principal_id, action, detail)
        VALUES (\(command.at.millisecondsSinceEpoch), \(command.principalID), 'apply-rebalance', \(detail))
        """)
      return ApplyPlanOutcome(assignments: try await Self.assignments(plan: plan.id, s), alreadyApplied: false)
    }
  }

  public func staffAssignments(from: Instant, to: Instant) async throws -> [StaffAssignment] {
    try await self.command { s in
      try await s.rows(
        """
        SELECT * FROM staff_assignments WHERE ends_at > \(from.millisecondsSinceEpoch)
        AND starts_at < \(to.millisecondsSinceEpoch) ORDER BY id
        """
      ).map(Self.assignment)
    }
  }

  public func staffingVersion() async throws -> Int64 {
    try await self.command { s in try await Self.staffingVersion(s) }
  }

  private static func staffingVersion(_ s: PostgresSession) async throws -> Int64 {
    try await s.value("SELECT COUNT(*) FROM staff_plans WHERE applied_at IS NOT NULL", as: Int64.self) ?? 0
  }

  private static func plan(_ id: String, _ s: PostgresSession) async throws -> StaffPlanRecord? {
    guard let row = try await s.row("SELECT * FROM staff_plans WHERE id = \(id)") else { return nil }
    let body: Data = try row("body")
    return StaffPlanRecord(
      id: try row("id"), createdAt: Instant(millisecondsSinceEpoch: try row("created_at")),
      staffingVersion: try row("staffing_version"),
      moves: try JSON.decode([StoredMove].self, try row("moves")).map { $0.assignment(plan: id) }, body: [UInt8](body))
  }

  private static func assignments(plan: String, _ s: PostgresSession) async throws -> [StaffAssignment] {
    try await s.rows("SELECT * FROM staff_assignments WHERE plan_id = \(plan) ORDER BY id").map(Self.assignment)
  }

  private static func assignment(_ row: RowColumns) throws -> StaffAssignment {
    StaffAssignment(
      staffID: StaffID(try row("staff_id")), fromBranch: BranchID(try row("from_branch")),
      toBranch: BranchID(try row("to_branch")),
      services: try JSON.decode([String].self, try row("services")).map(ServiceID.init),
      startsAt: Instant(millisecondsSinceEpoch: try row("starts_at")),
      endsAt: Instant(millisecondsSinceEpoch: try row("ends_at")), planID: try row("plan_id"))
  }
}
