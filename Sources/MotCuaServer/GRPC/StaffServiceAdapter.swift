import GRPCCore
import MotCuaProtocol

/// grpc-swift-2 adapter for `StaffService`.
struct StaffServiceAdapter: Motcua_V1_StaffService.ServiceProtocol {
  let handler: StaffHandler
  let bridge: GRPCBridge

  func listStaff(request: ServerRequest<Motcua_V1_ListStaffRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_ListStaffResponse>
  { try await self.bridge.unary(request, context, self.handler.listStaff) }

  func proposeRebalance(request: ServerRequest<Motcua_V1_ProposeRebalanceRequest>, context: ServerContext)
    async throws -> ServerResponse<Motcua_V1_ProposeRebalanceResponse>
  { try await self.bridge.unary(request, context, self.handler.proposeRebalance) }

  func applyRebalance(request: ServerRequest<Motcua_V1_ApplyRebalanceRequest>, context: ServerContext)
    async throws -> ServerResponse<Motcua_V1_ApplyRebalanceResponse>
  { try await self.bridge.unary(request, context, self.handler.applyRebalance) }
}
