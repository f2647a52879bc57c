import Appointments
import MotCuaDomain
import MotCuaProtocol
import MotCuaStore
import QueueEngine

/// `CounterService`: a counter token acts for its own counter; a manager's for any counter it covers.
struct CounterHandler: Sendable {
  let core: MotCuaCore

  func openCounter(_ request: Motcua_V1_OpenCounterRequest, _ context: CallContext) async throws
    -> Motcua_V1_OpenCounterResponse
  {
    let (principal, counter) = try await self.acting(request.counterID, context, for: "OpenCounter")
    let catalogue = self.core.catalogue
    let services =
      try request.serviceIds.isEmpty
      ? counter.serviceIDs
      : request.serviceIds.map { id throws(DomainError) in
        try catalogue.requireService(ServiceID(try Field.required(id, "service_ids[]")), at: counter.branchID).id
      }
    // A counter's own token opens it for what it is set up for; a manager may assign any service of the branch.
    if principal.role == .counter, let other = services.first(where: { !counter.serviceIDs.contains($0) }) {
      throw DomainError.permissionDenied(
        "counter '\(counter.id)' is not set up for '\(other)'; a manager can assign it")
    }
    let outcome = self.core.commit(
      try await self.core.store.setCounter(
        SetCounterCommand(
          counterID: counter.id, branchID: counter.branchID, openFor: Array(Set(services)).sorted(),
          principalID: principal.id, at: self.core.clock.now())))
    var response = Motcua_V1_OpenCounterResponse()
    response.counter = self.view(counter, outcome)
    return response
  }

  func closeCounter(_ request: Motcua_V1_CloseCounterRequest, _ context: CallContext) async throws
    -> Motcua_V1_CloseCounterResponse
  {
    let (principal, counter) = try await self.acting(request.counterID, context, for: "CloseCounter")
    let outcome = self.core.commit(
      try await self.core.store.setCounter(
        SetCounterCommand(
          counterID: counter.id, branchID: counter.branchID, openFor: nil, principalID: principal.id,
          at: self.core.clock.now())))
    var response = Motcua_V1_CloseCounterResponse()
    response.counter = self.view(counter, outcome)
    return response
  }

  func callNext(_ request: Motcua_V1_CallNextRequest, _ context: CallContext) async throws
    -> Motcua_V1_CallNextResponse
  {
    let (principal, counter) = try await self.acting(request.counterID, context, for: "CallNext")
    let key = try Field.optional(request.idempotencyKey, "idempotency_key")
    let now = self.core.clock.now()
    let policy = self.core.catalogue.priorityPolicy(for: counter.branchID)
    let outcome = self.core.commit(
      try await self.core.store.callNext(
        CallNextCommand(
          counterID: counter.id, branchID: counter.branchID, principalID: principal.id, idempotencyKey: key,
          day: self.core.catalogue.civilTime.date(of: now), at: now,
          appointments: (
            policy.appointmentRank, policy.walkInRank, self.core.options.appointments.maxConsecutiveAppointmentCalls
          ))))
    var response = Motcua_V1_CallNextResponse()
    if let ticket = outcome.ticket {
      response.ticket = Motcua_V1_Ticket(self.core.live(ticket), catalogue: self.core.catalogue)
    }
    return response
  }

  func recall(_ r: Motcua_V1_RecallRequest, _ c: CallContext) async throws -> Motcua_V1_RecallResponse {
    var response = Motcua_V1_RecallResponse()
    response.ticket = try await self.update(r.ticketID, r.counterID, c, "Recall") { .recall(counter: $0) }
    return response
  }

  func startServing(_ r: Motcua_V1_StartServingRequest, _ c: CallContext) async throws
    -> Motcua_V1_StartServingResponse
  {
    var response = Motcua_V1_StartServingResponse()
    response.ticket = try await self.update(r.ticketID, r.counterID, c, "StartServing") { .startServing(counter: $0) }
    return response
  }

  func complete(_ r: Motcua_V1_CompleteRequest, _ c: CallContext) async throws -> Motcua_V1_CompleteResponse {
    var response = Motcua_V1_CompleteResponse()
    response.ticket = try await self.update(r.ticketID, r.counterID, c, "Complete") { .complete(counter: $0) }
    return response
  }

  func markNoShow(_ r: Motcua_V1_MarkNoShowRequest, _ c: CallContext) async throws -> Motcua_V1_MarkNoShowResponse {
    var response = Motcua_V1_MarkNoShowResponse()
    response.ticket = try await self.update(r.ticketID, r.counterID, c, "MarkNoShow") { .markNoShow(counter: $0) }
    return response
  }

  func transfer(_ r: Motcua_V1_TransferRequest, _ c: CallContext) async throws -> Motcua_V1_TransferResponse {
    let target = ServiceID(try Field.required(r.serviceID, "service_id"))
    var response = Motcua_V1_TransferResponse()
    response.ticket = try await self.update(r.ticketID, r.counterID, c, "Transfer", target: target) {
      .transfer(to: target, by: $0)
    }
    return response
  }

  // MARK: Shared steps

  /// Applies a ticket command for the acting counter, after checking the ticket is at its branch.
  private func update(
    _ ticketID: String, _ counterID: String, _ context: CallContext, _ action: String, target: ServiceID? = nil,
    _ command: (CounterID) -> TicketCommand
  ) async throws -> Motcua_V1_Ticket {
    let (principal, counter) = try await self.acting(counterID, context, for: action)
    let id = TicketID(try Field.required(ticketID, "ticket_id"))
    guard let ticket = try await self.core.store.ticket(id) else {
      throw DomainError.notFound("no ticket '\(id)'")
    }
    guard ticket.branchID == counter.branchID else {
      throw DomainError.permissionDenied("ticket \(ticket.number) belongs to branch '\(ticket.branchID)'")
    }
    if let target { _ = try self.core.catalogue.requireService(target, at: ticket.branchID) }
    let outcome = self.core.commit(
      try await self.core.store.updateTicket(
        UpdateTicketCommand(
          ticketID: id, command: command(counter.id), principalID: principal.id, at: self.core.clock.now())))
    return Motcua_V1_Ticket(self.core.live(outcome.ticket ?? ticket), catalogue: self.core.catalogue)
  }

  /// The caller and the counter it acts for. A counter token acts for its own counter (the request may leave
  /// counter_id empty); a manager names a counter of a branch it covers; a kiosk cannot act for counters.
  private func acting(_ counterID: String, _ context: CallContext, for action: String) async throws
    -> (Principal, Counter)
  {
    let principal = try await self.core.auth.require(context, for: action)
    let requested = try Field.optional(counterID, "counter_id").map(CounterID.init)
    switch principal.role {
    case .counter:
      guard let own = principal.counterID else {
        throw DomainError.permissionDenied("this counter token names no counter")
      }
      if let requested, requested != own {
        throw DomainError.permissionDenied("this token acts for counter '\(own)', not '\(requested)'")
      }
      return (principal, try self.core.catalogue.requireCounter(own))
    case .manager:
      guard let requested else { throw DomainError.invalidArgument("counter_id is required with a manager token") }
      let counter = try self.core.catalogue.requireCounter(requested)
      guard principal.covers(counter.branchID) else {
        throw DomainError.permissionDenied(
          "this manager token is for branch '\(principal.branchID?.rawValue ?? "?")', not '\(counter.branchID)'")
      }
      return (principal, counter)
    case .kiosk, .portal:
      throw DomainError.permissionDenied("a \(principal.role.rawValue) token cannot use \(action); use a counter token")
    }
  }

  private func view(_ counter: Counter, _ outcome: CommandOutcome) -> Motcua_V1_Counter {
    let state = outcome.events.last?.counter ?? self.core.hub.queue(counter.branchID)?.counters[counter.id]
    return Motcua_V1_Counter(counter, state: state)
  }
}
