import MotCuaDomain
import MotCuaProtocol
import MotCuaStore
import SwiftProtobuf

/// `StaffService`: who works where, and rebalancing staff between branches (proposals in
/// `StaffHandler+Propose.swift`).
struct StaffHandler: Sendable {
  let core: MotCuaCore

  func listStaff(_ request: Motcua_V1_ListStaffRequest, _ context: CallContext) async throws
    -> Motcua_V1_ListStaffResponse
  {
    let principal = try await self.core.auth.require(context, for: "ListStaff")
    let branch = try Field.optional(request.branchID, "branch_id").map(BranchID.init)
    if let branch { _ = try self.core.catalogue.requireBranch(branch) }
    guard principal.role == .manager, branch.map(principal.covers) ?? (principal.branchID == nil) else {
      throw DomainError.permissionDenied(
        branch == nil
          ? "listing the whole city's staff needs a city-wide manager token; name your branch_id"
          : "listing staff needs a manager token of branch '\(branch!)' or of the city")
    }
    let now = self.core.clock.now()
    let ahead = self.core.staff.assignments(from: now, to: now.adding(seconds: MotCuaCore.staffingDays * 86_400))
    var response = Motcua_V1_ListStaffResponse()
    response.staff = self.core.catalogue.staff.compactMap { member -> Motcua_V1_StaffMemberInfo? in
      let current = self.core.staff.branch(of: member, at: now)
      let mine = ahead.filter { $0.staffID == member.id }
      if let branch, member.branchID != branch, current != branch, !mine.contains(where: { $0.toBranch == branch }) {
        return nil
      }
      var m = Motcua_V1_StaffMemberInfo()
      m.staffID = member.id.rawValue
      m.name = member.name
      m.homeBranchID = member.branchID.rawValue
      m.homeCounterID = member.counterID.rawValue
      m.skills = member.skills.map(\.rawValue)
      m.branchID = current.rawValue
      m.assignments = mine.map(Motcua_V1_StaffAssignment.init)
      return m
    }
    return response
  }

  func applyRebalance(_ request: Motcua_V1_ApplyRebalanceRequest, _ context: CallContext) async throws
    -> Motcua_V1_ApplyRebalanceResponse
  {
    let principal = try await self.requireCityManager(context, for: "ApplyRebalance")
    let planID = try Field.required(request.planID, "plan_id")
    let now = self.core.clock.now()
    let outcome = try await self.core.store.applyPlan(
      ApplyPlanCommand(planID: planID, principalID: principal.id, at: now))
    self.core.applyStaffing(outcome.assignments)
    var response = Motcua_V1_ApplyRebalanceResponse()
    // Moves already under way: their people leave now (the sweep handles later starts and retries).
    response.closedCounterIds = await self.core.closeHomeCounters(at: now)
      .filter { $0.assignment.planID == planID }.map(\.counter.rawValue)
    response.assignments = outcome.assignments.map(Motcua_V1_StaffAssignment.init)
    response.alreadyApplied = outcome.alreadyApplied
    return response
  }

  func requireCityManager(_ context: CallContext, for action: String) async throws -> Principal {
    let principal = try await self.core.auth.require(context, for: action)
    guard principal.role == .manager, principal.branchID == nil else {
      throw DomainError.permissionDenied("\(action) moves staff between branches: it needs a city-wide manager token")
    }
    return principal
  }
}

extension Motcua_V1_StaffAssignment {
  init(_ a: StaffAssignment) {
    self.init()
    self.staffID = a.staffID.rawValue
    self.fromBranchID = a.fromBranch.rawValue
    self.toBranchID = a.toBranch.rawValue
    self.serviceIds = a.services.map(\.rawValue)
    self.startsAt = Google_Protobuf_Timestamp(a.startsAt)
    self.endsAt = Google_Protobuf_Timestamp(a.endsAt)
    self.planID = a.planID
  }
}
