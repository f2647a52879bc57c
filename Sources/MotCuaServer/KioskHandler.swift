import MotCuaDomain
import MotCuaProtocol
import MotCuaStore

/// `KioskService`: issue tickets (kiosk or manager token of the branch) and predict waits (no token).
struct KioskHandler: Sendable {
  let core: MotCuaCore

  func issueTicket(_ request: Motcua_V1_IssueTicketRequest, _ context: CallContext) async throws
    -> Motcua_V1_IssueTicketResponse
  {
    let principal = try await self.core.auth.require(context, for: "IssueTicket")
    let branchID = BranchID(try Field.required(request.branchID, "branch_id"))
    let serviceID = ServiceID(try Field.required(request.serviceID, "service_id"))
    let key = try Field.required(request.idempotencyKey, "idempotency_key")
    let priority = try request.priority.domain()
    guard principal.role == .kiosk || principal.role == .manager else {
      throw DomainError.permissionDenied("a \(principal.role.rawValue) token cannot issue tickets; use a kiosk token")
    }
    guard principal.covers(branchID) else {
      throw DomainError.permissionDenied(
        "this token is for branch '\(principal.branchID?.rawValue ?? "?")', not '\(branchID)'")
    }
    let catalogue = self.core.catalogue
    let branch = try catalogue.requireBranch(branchID)
    let service = try catalogue.requireService(serviceID, at: branchID)
    let now = self.core.clock.now()
    if !self.core.options.ignoreOpeningHours && !catalogue.isOpen(branch.openingHours, at: now) {
      throw DomainError.failedPrecondition(self.closedMessage(branch, now: now))
    }
    let outcome = self.core.commit(
      try await self.core.store.issueTicket(
        IssueTicketCommand(
          principalID: principal.id, idempotencyKey: key,
          fingerprint: "IssueTicket|\(branchID)|\(serviceID)|\(priority.rawValue)", branchID: branchID,
          service: service, priority: priority, callRank: catalogue.priorityPolicy(for: branchID).rank(for: priority),
          day: catalogue.civilTime.date(of: now), at: now,
          ticketID: TicketID("tk_" + RandomText.make(length: 20, alphabet: RandomText.lowerBase32)),
          trackingCode: RandomText.make(length: 8, alphabet: RandomText.trackingAlphabet))))
    guard let ticket = outcome.ticket else { preconditionFailure("IssueTicket always yields a ticket") }
    var response = Motcua_V1_IssueTicketResponse()
    response.ticket = Motcua_V1_Ticket(self.core.live(ticket), catalogue: catalogue)
    response.replayed = outcome.replayed
    return response
  }

  func predictWait(_ request: Motcua_V1_PredictWaitRequest, _ context: CallContext) async throws
    -> Motcua_V1_PredictWaitResponse
  {
    try await self.core.admitPublic(context)
    let branchID = BranchID(try Field.required(request.branchID, "branch_id"))
    let serviceID = ServiceID(try Field.required(request.serviceID, "service_id"))
    let priority = try request.priority.domain()
    _ = try self.core.catalogue.requireBranch(branchID)
    let service = try self.core.catalogue.requireService(serviceID, at: branchID)
    var response = Motcua_V1_PredictWaitResponse()
    response.estimate = Motcua_V1_WaitEstimate(
      self.core.estimateForNewTicket(branch: branchID, service: service, priority: priority))
    return response
  }

  private func closedMessage(_ branch: Branch, now: Instant) -> String {
    let catalogue = self.core.catalogue
    guard let next = catalogue.nextOpening(of: branch.openingHours, after: now) else {
      return "branch '\(branch.id)' is closed"
    }
    let date = catalogue.civilTime.date(of: next)
    let time = ClockTime(minuteOfDay: catalogue.civilTime.minuteOfDay(of: next))!
    return "branch '\(branch.id)' is closed now; it opens \(date) at \(time) (\(catalogue.civilTime.timeZoneName))"
  }
}
