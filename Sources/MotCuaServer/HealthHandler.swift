import MotCuaDomain
import MotCuaProtocol

/// `grpc.health.v1.Health`: SERVING for the whole server ("") and each service it serves, while it runs.
struct HealthHandler: Sendable {
  let core: MotCuaCore
  /// "" (the whole server) and every service served, e.g. "motcua.v1.KioskService".
  let services: Set<String>

  /// Health for the services whose methods are in `methods` (paths "/package.Service/Method").
  init(core: MotCuaCore, serving methods: some Sequence<String>) {
    self.core = core
    self.services = Set(methods.map { String($0.dropFirst().prefix { $0 != "/" }) }).union([""])
  }

  func check(_ request: Grpc_Health_V1_HealthCheckRequest, _ caller: PublicCaller) throws
    -> Grpc_Health_V1_HealthCheckResponse
  {
    guard self.services.contains(request.service) else {
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
    response.status = self.services.contains(request.service) ? .serving : .serviceUnknown
    try await send(response)
    // The status never changes while the server runs: hold the stream open until the call ends.
    while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
  }
}
