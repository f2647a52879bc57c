import GRPCCore
import MotCuaProtocol

/// grpc-swift-2 adapter for `CounterService`.
struct CounterServiceAdapter: Motcua_V1_CounterService.ServiceProtocol {
  let handler: CounterHandler
  let bridge: GRPCBridge

  func openCounter(request: ServerRequest<Motcua_V1_OpenCounterRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_OpenCounterResponse>
  { try await self.bridge.unary(request, context, self.handler.openCounter) }

  func closeCounter(request: ServerRequest<Motcua_V1_CloseCounterRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_CloseCounterResponse>
  { try await self.bridge.unary(request, context, self.handler.closeCounter) }

  func callNext(request: ServerRequest<Motcua_V1_CallNextRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_CallNextResponse>
  { try await self.bridge.unary(request, context, self.handler.callNext) }

  func recall(request: ServerRequest<Motcua_V1_RecallRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_RecallResponse>
  { try await self.bridge.unary(request, context, self.handler.recall) }

  func startServing(request: ServerRequest<Motcua_V1_StartServingRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_StartServingResponse>
  { try await self.bridge.unary(request, context, self.handler.startServing) }

  func complete(request: ServerRequest<Motcua_V1_CompleteRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_CompleteResponse>
  { try await self.bridge.unary(request, context, self.handler.complete) }

  func markNoShow(request: ServerRequest<Motcua_V1_MarkNoShowRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_MarkNoShowResponse>
  { try await self.bridge.unary(request, context, self.handler.markNoShow) }

  func transfer(request: ServerRequest<Motcua_V1_TransferRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_TransferResponse>
  { try await self.bridge.unary(request, context, self.handler.transfer) }
}
