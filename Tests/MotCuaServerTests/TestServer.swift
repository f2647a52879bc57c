import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import MotCuaDomain
import MotCuaServer

/// The real server on a loopback port (port 0), with a temporary database and a manual clock.
final class TestServer: Sendable {
  static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("seeds").path
  static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

  let app: MotCuaApplication
  let task: Task<Void, any Error>
  let port: Int
  let databasePath: String
  let clock: ManualClock

  private init(app: MotCuaApplication, task: Task<Void, any Error>, port: Int, databasePath: String, clock: ManualClock) {
    self.app = app
    self.task = task
    self.port = port
    self.databasePath = databasePath
    self.clock = clock
  }

  static func newDatabasePath() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-srv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("motcua.sqlite").path
  }

  static func start(
    databasePath: String? = nil, clock: ManualClock = ManualClock("2026-11-27", "09:00"),
    ignoreOpeningHours: Bool = false, anonymousRate: Double = 10_000, learningInlineLimit: Int = 20_000
  ) async throws -> TestServer {
    let path = try databasePath ?? newDatabasePath()
    let config = ServerConfig(
      databasePath: path, host: "127.0.0.1", port: 0, seedsDirectory: seeds,
      options: .init(
        ignoreOpeningHours: ignoreOpeningHours, anonymousRatePerSecond: anonymousRate, cityRefreshSeconds: 0.1,
        learningInlineLimit: learningInlineLimit))
    let app = try await MotCuaApplication(config: config, clock: clock, logger: quiet)
    let task = Task { try await app.run() }
    for _ in 0..<500 {
      if let address = try await app.listeningAddress {
        return TestServer(app: app, task: task, port: address.port, databasePath: path, clock: clock)
      }
      try await Task.sleep(for: .milliseconds(10))
    }
    task.cancel()
    throw CancellationError()
  }

  func stop() async {
    self.task.cancel()
    _ = try? await self.task.value
  }

  func token(_ role: Principal.Role, branch: String? = nil, counter: String? = nil) async throws -> String {
    try await TokenAdministration.create(
      database: .sqlite(path: self.databasePath), seedsDirectory: Self.seeds, role: role, branch: branch, counter: counter,
      label: "test", clock: self.clock, logger: Self.quiet)
  }

  func withClient<R: Sendable>(_ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> R) async throws -> R {
    try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: self.port), transportSecurity: .plaintext),
      handleClient: body)
  }
}

/// `authorization` metadata for a token (empty for none).
func bearer(_ token: String?) -> Metadata {
  guard let token else { return [:] }
  return ["authorization": "Bearer \(token)"]
}

/// The status code a call ended with: `.ok` or its error's code.
func statusCode(_ call: () async throws -> Void) async -> Status.Code {
  do {
    try await call()
    return .ok
  } catch let error as RPCError {
    return Status.Code(error.code)
  } catch {
    return .unknown
  }
}
