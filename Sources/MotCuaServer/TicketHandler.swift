import MotCuaDomain
import MotCuaProtocol
import MotCuaStore

/// `TicketService`: for the citizen holding a ticket; the ticket id and tracking code are the proof.
struct TicketHandler: Sendable {
  let core: MotCuaCore

  func trackTicket(_ request: Motcua_V1_TrackTicketRequest, _ context: CallContext) async throws
    -> Motcua_V1_TrackTicketResponse
  {
    try await self.core.admitPublic(context)
    let ticket = try await self.held(request.ticketID, request.trackingCode)
    var response = Motcua_V1_TrackTicketResponse()
    response.ticket = Motcua_V1_Ticket(self.core.live(ticket), catalogue: self.core.catalogue)
    return response
  }

  func submitFeedback(_ request: Motcua_V1_SubmitFeedbackRequest, _ context: CallContext) async throws
    -> Motcua_V1_SubmitFeedbackResponse
  {
    try await self.core.admitPublic(context)
    guard (1...5).contains(request.score) else {
      throw DomainError.invalidArgument("score must be 1 (very dissatisfied) to 5 (very satisfied)")
    }
    guard request.comment.count <= 1000 else {
      throw DomainError.invalidArgument("comment is longer than 1000 characters")
    }
    let ticket = try await self.held(request.ticketID, request.trackingCode)
    try await self.core.store.submitFeedback(
      FeedbackCommand(ticketID: ticket.id, score: Int(request.score), comment: request.comment, at: self.core.clock.now()))
    return Motcua_V1_SubmitFeedbackResponse()
  }

  /// The ticket, if the tracking code matches (compared in constant time); NOT_FOUND otherwise, without
  /// saying which part was wrong. With the embedded store a waiting ticket comes from the live view (it is what
  /// the store committed); with a shared store always from the store, which other servers may have changed.
  private func held(_ id: String, _ code: String) async throws -> Ticket {
    let id = TicketID(try Field.required(id, "ticket_id"))
    let code = try Field.required(code, "tracking_code")
    var found = self.core.store is any SharedStore ? nil : self.core.hub.waitingTicket(id)
    if found == nil { found = try await self.core.store.ticket(id) }
    guard let ticket = found,
      Self.constantTimeEqual(Array(ticket.trackingCode.utf8), Array(code.uppercased().utf8))
    else {
      throw DomainError.notFound("no ticket with that id and tracking code; check both on the printed ticket")
    }
    return ticket
  }

  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
  }
}
