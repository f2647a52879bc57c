import GRPCCore
import MotCuaProtocol

/// grpc-swift-2 adapter for `DisplayService`.
struct DisplayServiceAdapter: Motcua_V1_DisplayService.ServiceProtocol {
  let handler: DisplayHandler
  let bridge: GRPCBridge

  func watchBranch(request: ServerRequest<Motcua_V1_WatchBranchRequest>, context: ServerContext) async throws
    -> StreamingServerResponse<Motcua_V1_WatchBranchResponse>
  {
    let handler = self.handler
    return self.bridge.serverStreaming(request, context) { try await handler.watchBranch($0, $1, send: $2) }
  }
}
