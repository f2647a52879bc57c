import MotCuaDomain
import MotCuaProtocol
import MotCuaStore

/// `grpc.health.v1.Health`: SERVING for the whole server ("") and each service it serves while it runs, and
/// NOT_SERVING once the store has a fault (a failed fsync: every write is refused until a restart).
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
    response.status = self.status
    return response
  }

  private var status: Grpc_Health_V1_HealthCheckResponse.ServingStatus {
    self.core.store.fault == nil ? .serving : .notServing
  }

  func watch(
    _ request: Grpc_Health_V1_HealthCheckRequest, _ call: CallContext,
    send: (Grpc_Health_V1_HealthCheckResponse) async throws -> Void
  ) async throws {
    try await self.core.admitPublic(call)
    var response = Grpc_Health_V1_HealthCheckResponse()
    guard self.services.contains(request.service) else {
      response.status = .serviceUnknown
      try await send(response)
      while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
      return
    }
    // The status changes at most once (to NOT_SERVING, on a store fault): look every second until it does.
    response.status = self.status
    try await send(response)
    if response.status == .serving {
      while self.status == .serving { try await Task.sleep(for: .seconds(1)) }
      response.status = .notServing
      try await send(response)
    }
    while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
  }
}
