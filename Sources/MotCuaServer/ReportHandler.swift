import MotCuaDomain
import MotCuaProtocol
import MotCuaStore
import QueueEngine

/// `ReportService`: figures for managers from the recorded history.
struct ReportHandler: Sendable {
  static let maxDays: Int64 = 366

  let core: MotCuaCore

  func getBranchReport(_ request: Motcua_V1_GetBranchReportRequest, _ context: CallContext) async throws
    -> Motcua_V1_GetBranchReportResponse
  {
    let principal = try await self.core.auth.require(context, for: "GetBranchReport")
    let branch = try self.core.catalogue.requireBranch(BranchID(try Field.required(request.branchID, "branch_id")))
    guard principal.role == .manager, principal.covers(branch.id) else {
      throw DomainError.permissionDenied("reports need a manager token of branch '\(branch.id)' or of the city")
    }
    guard let from = LocalDate(request.dateFrom), let to = LocalDate(request.dateTo), from <= to,
      to.daysSinceEpoch - from.daysSinceEpoch < Self.maxDays
    else {
      throw DomainError.invalidArgument("date_from and date_to must be YYYY-MM-DD, in order, at most 366 days apart")
    }
    let target = Int(request.targetMinutes == 0 ? 15 : request.targetMinutes) * 60
    let response = try await self.report(branch.id, from: from, to: to, targetSeconds: target)
    if response.total.tickets > Self.largeReport {
      releaseFreedMemory()  // its tickets, freed, would stay in the allocator and in the server's resident size
    }
    return response
  }

  /// Reports over more tickets than this give their memory back to the system when done.
  static let largeReport: UInt32 = 50_000

  private func report(_ branch: BranchID, from: LocalDate, to: LocalDate, targetSeconds target: Int) async throws
    -> Motcua_V1_GetBranchReportResponse
  {
    let outcomes = try await self.core.store.ticketOutcomes(branch: branch, from: from, to: to)
    var response = Motcua_V1_GetBranchReportResponse()
    response.branchID = branch.rawValue
    response.dateFrom = from.description
    response.dateTo = to.description
    response.total = Self.message(BranchReport(outcomes: outcomes, targetSeconds: target), service: "")
    let byService = Dictionary(grouping: outcomes, by: \.serviceID)
    response.services = self.core.catalogue.services.compactMap { service in
      byService[service.id].map { Self.message(BranchReport(outcomes: $0, targetSeconds: target), service: service.id.rawValue) }
    }
    return response
  }

  static func message(_ r: BranchReport, service: String) -> Motcua_V1_ServiceReport {
    var m = Motcua_V1_ServiceReport()
    m.serviceID = service
    m.tickets = UInt32(r.tickets)
    m.called = UInt32(r.called)
    m.served = UInt32(r.served)
    m.noShows = UInt32(r.noShows)
    m.meanWaitSeconds = r.meanWaitSeconds
    m.p90WaitSeconds = r.p90WaitSeconds
    m.shareWithinTarget = r.shareWithinTarget
    m.noShowRate = r.noShowRate
    m.feedbackCount = UInt32(r.feedbackCount)
    m.meanScore = r.meanScore
    m.shareSatisfied = r.shareSatisfied
    m.predictionsScored = UInt32(r.predictionsScored)
    m.predictionMaeSeconds = r.predictionMAESeconds
    m.p90Coverage = r.p90Coverage
    return m
  }
}
