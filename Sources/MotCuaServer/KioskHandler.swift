import Appointments
import CityScheduler
import MotCuaDomain
import MotCuaProtocol
import MotCuaStore
import QueueEngine
import SwiftProtobuf

/// `KioskService`: issue tickets (kiosk or manager token of the branch) and predict waits (no token).
struct KioskHandler: Sendable {
  let core: MotCuaCore

  func issueTicket(_ request: Motcua_V1_IssueTicketRequest, _ context: CallContext) async throws
    -> Motcua_V1_IssueTicketResponse
  {
    let (principal, branch, service) = try await self.issuer(
      request.branchID, request.serviceID, context, for: "IssueTicket")
    let key = try Field.required(request.idempotencyKey, "idempotency_key")
    let priority = try request.priority.domain()
    let catalogue = self.core.catalogue
    let now = self.core.clock.now()
    let offline = request.hasOffline ? try self.offlineIssue(request.offline) : nil
    var fingerprint = "IssueTicket|\(branch.id)|\(service.id)|\(priority.rawValue)"
    if let offline {
      fingerprint += "|offline|\(offline.leaseID)|\(offline.sequence)|\(offline.ticketID)|\(offline.issuedAt)"
    }
    if offline == nil && !self.core.options.ignoreOpeningHours && !catalogue.isOpen(branch.openingHours, at: now) {
      // A retry of a ticket issued before closing time is still answered (the store answers other retries).
      if let earlier = try await self.core.store.earlierTicket(principal: principal.id, key: key, fingerprint: fingerprint) {
        var response = Motcua_V1_IssueTicketResponse()
        response.ticket = Motcua_V1_Ticket(self.core.live(earlier), catalogue: catalogue)
        response.replayed = true
        return response
      }
      throw DomainError.failedPrecondition(self.closedMessage(branch, now: now))
    }
    let outcome = self.core.commit(
      try await self.core.store.issueTicket(
        IssueTicketCommand(
          principalID: principal.id, idempotencyKey: key, fingerprint: fingerprint, branchID: branch.id,
          service: service, priority: priority, callRank: catalogue.priorityPolicy(for: branch.id).rank(for: priority),
          day: catalogue.civilTime.date(of: now), at: now,
          ticketID: TicketIDs.make(at: now),
          trackingCode: RandomText.make(length: 8, alphabet: RandomText.trackingAlphabet), offline: offline,
          predicted: offline == nil
            ? self.core.estimateForNewTicket(branch: branch.id, service: service, priority: priority) : nil)))
    guard let ticket = outcome.ticket else { preconditionFailure("IssueTicket always yields a ticket") }
    var response = Motcua_V1_IssueTicketResponse()
    response.ticket = Motcua_V1_Ticket(
      self.core.live(ticket, at: outcome.replayed ? nil : outcome.events.first?.at), catalogue: catalogue)
    response.replayed = outcome.replayed
    response.clockSkewSuspected = outcome.clockSkewSuspected
    if offline == nil, !outcome.replayed, response.ticket.hasEstimate,
      let suggested = self.core.suggestion(
        at: branch, service: service, waitHereSeconds: Int(response.ticket.estimate.meanSeconds)),
      let there = catalogue.branch(suggested.branch)
    {
      var s = Motcua_V1_BranchSuggestion()
      s.branchID = there.id.rawValue
      s.name = there.name
      s.address = there.address
      s.distanceKm = (suggested.distanceKm * 10).rounded() / 10
      s.travelMinutes = SchedulerHandler.whole(suggested.travelMinutes)
      s.predictedWaitMinutes = SchedulerHandler.whole(suggested.waitMinutes)
      s.waitHereMinutes = UInt32((Double(response.ticket.estimate.meanSeconds) / 60).rounded())
      response.suggestion = s
    }
    return response
  }

  func leaseNumbers(_ request: Motcua_V1_LeaseNumbersRequest, _ context: CallContext) async throws
    -> Motcua_V1_LeaseNumbersResponse
  {
    let (principal, branch, service) = try await self.issuer(
      request.branchID, request.serviceID, context, for: "LeaseNumbers")
    let key = try Field.required(request.idempotencyKey, "idempotency_key")
    guard (1...Self.maxLease).contains(request.count) else {
      throw DomainError.invalidArgument("count must be 1 to \(Self.maxLease)")
    }
    let civil = self.core.catalogue.civilTime
    let now = self.core.clock.now()
    let today = civil.date(of: now)
    let lease = try await self.core.store.leaseNumbers(
      LeaseNumbersCommand(
        principalID: principal.id, idempotencyKey: key, branchID: branch.id, serviceID: service.id,
        count: Int(request.count), day: today, at: now, expiresAt: civil.instant(on: today.adding(days: 1), minute: 0),
        leaseID: "ls_" + RandomText.make(length: 20, alphabet: RandomText.lowerBase32)))
    var l = Motcua_V1_NumberLease()
    l.leaseID = lease.id
    l.branchID = lease.branchID.rawValue
    l.serviceID = lease.serviceID.rawValue
    l.localDate = lease.day.description
    l.prefix = service.prefix
    l.firstSequence = UInt32(lease.firstSequence)
    l.lastSequence = UInt32(lease.lastSequence)
    l.firstNumber = TicketNumber.format(prefix: service.prefix, sequence: lease.firstSequence)
    l.lastNumber = TicketNumber.format(prefix: service.prefix, sequence: lease.lastSequence)
    l.expiresAt = Google_Protobuf_Timestamp(lease.expiresAt)
    var response = Motcua_V1_LeaseNumbersResponse()
    response.lease = l
    return response
  }

  func checkIn(_ request: Motcua_V1_CheckInRequest, _ context: CallContext) async throws -> Motcua_V1_CheckInResponse {
    let principal = try await self.core.auth.require(context, for: "CheckIn")
    let branchID = BranchID(try Field.required(request.branchID, "branch_id"))
    guard principal.role == .kiosk || principal.role == .manager, principal.covers(branchID) else {
      throw DomainError.permissionDenied("CheckIn needs a kiosk token of branch '\(branchID)'")
    }
    _ = try self.core.catalogue.requireBranch(branchID)
    let code = try BookingHandler.normalizedCode(request.code)
    guard let booking = try await self.core.store.booking(code: code),
      let service = self.core.catalogue.service(booking.slotID.serviceID)
    else { throw DomainError.notFound("no booking with code \(request.code)") }
    let now = self.core.clock.now()
    let catalogue = self.core.catalogue
    let outcome = try await self.core.store.checkIn(
      CheckInCommand(
        code: code, branchID: branchID, service: service, principalID: principal.id,
        walkInRank: catalogue.priorityPolicy(for: branchID).walkInRank, day: catalogue.civilTime.date(of: now), at: now,
        ticketID: TicketIDs.make(at: now),
        trackingCode: RandomText.make(length: 8, alphabet: RandomText.trackingAlphabet),
        policy: self.core.options.appointments,
        predicted: self.core.estimateForNewTicket(branch: branchID, service: service, priority: .none)))
    var response = Motcua_V1_CheckInResponse()
    if let ticketOutcome = outcome.ticket, let ticket = self.core.commit(ticketOutcome).ticket {
      response.ticket = Motcua_V1_Ticket(self.core.live(ticket), catalogue: catalogue)
    }
    response.booking = BookingHandler(core: self.core).message(outcome.booking)
    return response
  }

  /// The most numbers one lease may hold.
  static let maxLease: UInt32 = 200

  /// The caller (a kiosk or manager token covering the branch), the branch and the service it asks for.
  private func issuer(
    _ branchID: String, _ serviceID: String, _ context: CallContext, for action: String
  ) async throws -> (Principal, Branch, Service) {
    let principal = try await self.core.auth.require(context, for: action)
    let branchID = BranchID(try Field.required(branchID, "branch_id"))
    let serviceID = ServiceID(try Field.required(serviceID, "service_id"))
    guard principal.role == .kiosk || principal.role == .manager else {
      throw DomainError.permissionDenied("a \(principal.role.rawValue) token cannot use \(action); use a kiosk token")
    }
    guard principal.covers(branchID) else {
      throw DomainError.permissionDenied(
        "this token is for branch '\(principal.branchID?.rawValue ?? "?")', not '\(branchID)'")
    }
    let branch = try self.core.catalogue.requireBranch(branchID)
    return (principal, branch, try self.core.catalogue.requireService(serviceID, at: branchID))
  }

  /// Checks the fields of an offline replay.
  private func offlineIssue(_ o: Motcua_V1_OfflineIssue) throws(DomainError) -> OfflineIssue {
    let lease = try Field.required(o.leaseID, "offline.lease_id")
    guard o.sequence >= 1 else { throw .invalidArgument("offline.sequence must be at least 1") }
    guard o.ticketID.count == 36, o.ticketID.allSatisfy({ $0.isHexDigit || $0 == "-" }),
      o.ticketID.split(separator: "-", omittingEmptySubsequences: false).map(\.count) == [8, 4, 4, 4, 12]
    else { throw .invalidArgument("offline.ticket_id must be a UUID (8-4-4-4-12 hex digits)") }
    let alphabet = Set(RandomText.trackingAlphabet)
    guard o.trackingCode.count == 8, o.trackingCode.allSatisfy(alphabet.contains) else {
      throw .invalidArgument("offline.tracking_code must be 8 characters from A–Z and 2–9 without I and O")
    }
    guard o.hasIssuedAt else { throw .invalidArgument("offline.issued_at is required") }
    let issuedAt = try Instant(o.issuedAt, field: "offline.issued_at")
    return OfflineIssue(
      leaseID: lease, sequence: Int(o.sequence), ticketID: TicketID(o.ticketID),
      trackingCode: o.trackingCode, issuedAt: issuedAt, issuedOn: self.core.catalogue.civilTime.date(of: issuedAt))
  }

  func predictWait(_ request: Motcua_V1_PredictWaitRequest, _ caller: PublicCaller) throws -> Motcua_V1_PredictWaitResponse {
    let branchID = BranchID(try Field.required(request.branchID, "branch_id"))
    let serviceID = ServiceID(try Field.required(request.serviceID, "service_id"))
    let priority = try request.priority.domain()
    _ = try self.core.catalogue.requireBranch(branchID)
    let service = try self.core.catalogue.requireService(serviceID, at: branchID)
    let estimate =
      caller.isInline
      ? self.core.estimateForNewTicketWithoutSimulating(branch: branchID, service: service, priority: priority)
      : self.core.estimateForNewTicket(branch: branchID, service: service, priority: priority)
    guard let estimate else { throw PublicCaller.answerInTask }  // the simulation runs in a Task, not on the event loop
    var response = Motcua_V1_PredictWaitResponse()
    response.estimate = Motcua_V1_WaitEstimate(estimate)
    return response
  }

  private func closedMessage(_ branch: Branch, now: Instant) -> String {
    let catalogue = self.core.catalogue
    guard let next = catalogue.nextOpening(of: branch.openingHours, after: now) else {
      return "branch '\(branch.id)' is closed"
    }
    return "branch '\(branch.id)' is closed now; it opens \(catalogue.civilTime.dateTimeText(next)) "
      + "(\(catalogue.civilTime.timeZoneName))"
  }
}
