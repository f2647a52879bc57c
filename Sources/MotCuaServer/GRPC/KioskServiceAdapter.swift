import GRPCCore
import MotCuaProtocol

/// grpc-swift-2 adapter for `KioskService`.
struct KioskServiceAdapter: Motcua_V1_KioskService.ServiceProtocol {
  let handler: KioskHandler
  let bridge: GRPCBridge

  func issueTicket(request: ServerRequest<Motcua_V1_IssueTicketRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_IssueTicketResponse>
  { try await self.bridge.unary(request, context, self.handler.issueTicket) }

  func predictWait(request: ServerRequest<Motcua_V1_PredictWaitRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_PredictWaitResponse>
  { try await self.bridge.unary(request, context, self.handler.predictWait) }

  func leaseNumbers(request: ServerRequest<Motcua_V1_LeaseNumbersRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_LeaseNumbersResponse>
  { try await self.bridge.unary(request, context, self.handler.leaseNumbers) }

  func checkIn(request: ServerRequest<Motcua_V1_CheckInRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_CheckInResponse>
  { try await self.bridge.unary(request, context, self.handler.checkIn) }
}
