import GRPCCore
import MotCuaProtocol

/// `grpc.health.v1.Health`: SERVING for the whole server ("") and each MotCua service while it runs.
struct HealthServiceAdapter: Grpc_Health_V1_Health.ServiceProtocol {
  static let services: Set<String> = [
    "", "motcua.v1.DirectoryService", "motcua.v1.KioskService", "motcua.v1.TicketService",
    "motcua.v1.CounterService", "motcua.v1.DisplayService", "motcua.v1.BookingService", "motcua.v1.ReportService",
    "motcua.v1.SchedulerService", "motcua.v1.StaffService",
  ]

  let core: MotCuaCore
  let bridge: GRPCBridge

  func check(request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>, context: ServerContext) async throws
    -> ServerResponse<Grpc_Health_V1_HealthCheckResponse>
  {
    try await self.bridge.unary(request, context) { request, call in
      try await self.core.admitPublic(call)
      guard Self.services.contains(request.service) else {
        throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
      }
      var response = Grpc_Health_V1_HealthCheckResponse()
      response.status = .serving
      return response
    }
  }

  func watch(request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>, context: ServerContext) async throws
    -> StreamingServerResponse<Grpc_Health_V1_HealthCheckResponse>
  {
    let core = self.core
    return self.bridge.serverStreaming(request, context) { request, call, send in
      try await core.admitPublic(call)
      var response = Grpc_Health_V1_HealthCheckResponse()
      response.status = Self.services.contains(request.service) ? .serving : .serviceUnknown
      try await send(response)
      // The status never changes while the server runs: hold the stream open until the call ends.
      while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
  }
}
