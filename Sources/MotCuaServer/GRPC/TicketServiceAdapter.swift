import GRPCCore
import MotCuaProtocol

/// grpc-swift-2 adapter for `TicketService`.
struct TicketServiceAdapter: Motcua_V1_TicketService.ServiceProtocol {
  let handler: TicketHandler
  let bridge: GRPCBridge

  func trackTicket(request: ServerRequest<Motcua_V1_TrackTicketRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_TrackTicketResponse>
  { try await self.bridge.unary(request, context, self.handler.trackTicket) }

  func submitFeedback(request: ServerRequest<Motcua_V1_SubmitFeedbackRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_SubmitFeedbackResponse>
  { try await self.bridge.unary(request, context, self.handler.submitFeedback) }
}
