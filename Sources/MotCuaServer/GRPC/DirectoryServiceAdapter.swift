import GRPCCore
import MotCuaProtocol

/// grpc-swift-2 adapter for `DirectoryService`.
struct DirectoryServiceAdapter: Motcua_V1_DirectoryService.ServiceProtocol {
  let handler: DirectoryHandler
  let bridge: GRPCBridge

  func listBranches(request: ServerRequest<Motcua_V1_ListBranchesRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_ListBranchesResponse>
  { try await self.bridge.unary(request, context, self.handler.listBranches) }

  func listServices(request: ServerRequest<Motcua_V1_ListServicesRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_ListServicesResponse>
  { try await self.bridge.unary(request, context, self.handler.listServices) }

  func listCounters(request: ServerRequest<Motcua_V1_ListCountersRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_ListCountersResponse>
  { try await self.bridge.unary(request, context, self.handler.listCounters) }
}
