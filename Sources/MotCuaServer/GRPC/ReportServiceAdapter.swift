import GRPCCore
import MotCuaProtocol

/// grpc-swift-2 adapter for `ReportService`.
struct ReportServiceAdapter: Motcua_V1_ReportService.ServiceProtocol {
  let handler: ReportHandler
  let bridge: GRPCBridge

  func getBranchReport(request: ServerRequest<Motcua_V1_GetBranchReportRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_GetBranchReportResponse>
  { try await self.bridge.unary(request, context, self.handler.getBranchReport) }
}
