import MotCuaDomain
import MotCuaProtocol

/// `grpc.health.v1.Health`: SERVING for the whole server ("") and each MotCua service while it runs.
struct HealthHandler: Sendable {
  static let services: Set<String> = [
    "", "motcua.v1.DirectoryService", "motcua.v1.KioskService", "motcua.v1.TicketService",
    "motcua.v1.CounterService", "motcua.v1.DisplayService", "motcua.v1.BookingService", "motcua.v1.ReportService",
    "motcua.v1.SchedulerService", "motcua.v1.StaffService",
  ]

  let core: MotCuaCore

  func check(_ request: Grpc_Health_V1_HealthCheckRequest, _ call: CallContext) async throws
    -> Grpc_Health_V1_HealthCheckResponse
  {
    try await self.core.admitPublic(call)
    guard Self.services.contains(request.service) else {
      throw DomainError.notFound("unknown service '\(request.service)'")
    }
    var response = Grpc_Health_V1_HealthCheckResponse()
    response.status = .serving
    return response
  }

  func watch(
    _ request: Grpc_Health_V1_HealthCheckRequest, _ call: CallContext,
    send: (Grpc_Health_V1_HealthCheckResponse) async throws -> Void
  ) async throws {
    try await self.core.admitPublic(call)
    var response = Grpc_Health_V1_HealthCheckResponse()
    response.status = Self.services.contains(request.service) ? .serving : .serviceUnknown
    try await send(response)
    // The status never changes while the server runs: hold the stream open until the call ends.
    while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
  }
}
