import Foundation
import GRDB
public import MotCuaDomain
public import MotCuaStore

/// Rebalancing plans, the assignments they put in force, and the audit trail.
extension SQLiteStore {
  public func savePlan(_ plan: StaffPlanRecord) async throws {
    try await self.write { db in
      try db.execute(
        sql: "INSERT INTO staff_plans (id, created_at, staffing_version, moves, body) VALUES (?, ?, ?, ?, ?)",
        arguments: [
          plan.id, plan.createdAt.millisecondsSinceEpoch, plan.staffingVersion,
          try JSON.encode(plan.moves.map(StoredMove.init)), Data(plan.body),
        ])
    }
  }

  public func plan(_ id: String) async throws -> StaffPlanRecord? {
    try await self.pool.read { db in try Self.plan(id, db) }
  }

  public func applyPlan(_ command: ApplyPlanCommand) async throws -> ApplyPlanOutcome {
    try await self.write { db in
      guard let plan = try Self.plan(command.planID, db) else { throw StoreRefusal.noPlan(command.planID) }
      if try Bool.fetchOne(db, sql: "SELECT applied_at IS NOT NULL FROM staff_plans WHERE id = ?", arguments: [plan.id])
        == true
      {
        return ApplyPlanOutcome(assignments: try Self.assignments(plan: plan.id, db), alreadyApplied: true)
      }
      let version = try Self.staffingVersion(db)
      guard version == plan.staffingVersion else { throw StoreRefusal.planOutOfDate(plan.id) }
      for move in plan.moves {
        try db.execute(
          sql: """
            INSERT INTO staff_assignments (plan_id, staff_id, from_branch, to_branch, services, starts_at, ends_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            plan.id, move.staffID.rawValue, move.fromBranch.rawValue, move.toBranch.rawValue,
            try JSON.encode(move.services.map(\.rawValue)), move.startsAt.millisecondsSinceEpoch,
            move.endsAt.millisecondsSinceEpoch,
          ])
      }
      try db.execute(
        sql: "UPDATE staff_plans SET applied_at = ?, applied_by = ? WHERE id = ?",
        arguments: [command.at.millisecondsSinceEpoch, command.principalID, plan.id])
      try db.execute(
        sql: "INSERT INTO audit (at, principal_id, action, detail) VALUES (?, ?, 'apply-rebalance', ?)",
        arguments: [
          command.at.millisecondsSinceEpoch, command.principalID,
          try JSON.encode(["plan": plan.id, "moves": String(plan.moves.count)]),
        ])
      return ApplyPlanOutcome(assignments: try Self.assignments(plan: plan.id, db), alreadyApplied: false)
    }
  }

  public func staffAssignments(from: Instant, to: Instant) async throws -> [StaffAssignment] {
    try await self.pool.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM staff_assignments WHERE ends_at > ? AND starts_at < ? ORDER BY id",
        arguments: [from.millisecondsSinceEpoch, to.millisecondsSinceEpoch]
      ).map(Self.assignment)
    }
  }

  public func staffingVersion() async throws -> Int64 {
    try await self.pool.read { db in try Self.staffingVersion(db) }
  }

  private static func staffingVersion(_ db: Database) throws -> Int64 {
    try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM staff_plans WHERE applied_at IS NOT NULL") ?? 0
  }

  private static func plan(_ id: String, _ db: Database) throws -> StaffPlanRecord? {
    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM staff_plans WHERE id = ?", arguments: [id]) else {
      return nil
    }
    let body: Data = row["body"]
    return StaffPlanRecord(
      id: row["id"], createdAt: Instant(millisecondsSinceEpoch: row["created_at"]),
      staffingVersion: row["staffing_version"],
      moves: try JSON.decode([StoredMove].self, row["moves"]).map { $0.assignment(plan: id) }, body: [UInt8](body))
  }

  private static func assignments(plan: String, _ db: Database) throws -> [StaffAssignment] {
    try Row.fetchAll(db, sql: "SELECT * FROM staff_assignments WHERE plan_id = ? ORDER BY id", arguments: [plan])
      .map(Self.assignment)
  }

  private static func assignment(_ row: Row) throws -> StaffAssignment {
    StaffAssignment(
      staffID: StaffID(row["staff_id"]), fromBranch: BranchID(row["from_branch"]), toBranch: BranchID(row["to_branch"]),
      services: try JSON.decode([String].self, row["services"]).map(ServiceID.init),
      startsAt: Instant(millisecondsSinceEpoch: row["starts_at"]), endsAt: Instant(millisecondsSinceEpoch: row["ends_at"]),
      planID: row["plan_id"])
  }
}
