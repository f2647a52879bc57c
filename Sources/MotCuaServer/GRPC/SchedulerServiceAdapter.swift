import GRPCCore
import MotCuaProtocol

/// grpc-swift-2 adapter for `SchedulerService`.
struct SchedulerServiceAdapter: Motcua_V1_SchedulerService.ServiceProtocol {
  let handler: SchedulerHandler
  let bridge: GRPCBridge

  func getCityLoad(request: ServerRequest<Motcua_V1_GetCityLoadRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_GetCityLoadResponse>
  { try await self.bridge.unary(request, context, self.handler.getCityLoad) }

  func watchCity(request: ServerRequest<Motcua_V1_WatchCityRequest>, context: ServerContext) async throws
    -> StreamingServerResponse<Motcua_V1_WatchCityResponse>
  {
    let handler = self.handler
    return self.bridge.serverStreaming(request, context) { try await handler.watchCity($0, $1, send: $2) }
  }

  func recommendBranches(request: ServerRequest<Motcua_V1_RecommendBranchesRequest>, context: ServerContext)
    async throws -> ServerResponse<Motcua_V1_RecommendBranchesResponse>
  { try await self.bridge.unary(request, context, self.handler.recommendBranches) }
}
