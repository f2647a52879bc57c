import Foundation
import Logging
import MotCuaPostgres
import PostgresNIO

/// The PostgreSQL server the suite runs against (`MOTCUA_TEST_POSTGRES_URL`) and a fresh database per test.
enum PostgresTestServer {
  static let logger: Logger = {
    var logger = Logger(label: "motcua.test.postgres")
    logger.logLevel = .error
    return logger
  }()

  /// The server's URL; the postgres cases fail (never skip) without one.
  static func serverURL() throws -> String {
    guard let url = ProcessInfo.processInfo.environment["MOTCUA_TEST_POSTGRES_URL"], !url.isEmpty else {
      throw MissingServer()
    }
    return url
  }

  /// Creates an empty database `motcua_<random>` and returns its URL.
  static func freshDatabase(settings: [String] = []) async throws -> String {
    let server = try serverURL()
    guard var parts = URLComponents(string: server) else { throw MissingServer() }
    let name = "motcua_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
    let admin = try await self.connect(server, database: "postgres")
    do {
      try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: self.logger)
      for setting in settings {
        try await admin.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(name) SET \(setting)"), logger: self.logger)
      }
    } catch {
      try? await admin.close()
      throw error
    }
    try await admin.close()
    parts.path = "/\(name)"
    return parts.string!
  }

  /// A connection of its own to the server at `url`, on its database or on `database` (the test's side door:
  /// to create databases, or to act on a store's database behind its back).
  static func connect(_ url: String, database: String? = nil) async throws -> PostgresConnection {
    guard let parts = URLComponents(string: url), let host = parts.host, let user = parts.user else {
      throw MissingServer()
    }
    return try await PostgresConnection.connect(
      configuration: .init(
        host: host, port: parts.port ?? 5432, username: user, password: parts.password,
        database: database ?? String(parts.path.dropFirst()), tls: .disable),
      id: 0, logger: self.logger)
  }

  /// A running, prepared store on `url`. Its pool runs until the test process ends (pools are small).
  static func open(_ url: String, poolSize: Int = 4, allowUnsafeDurability: Bool = false) async throws -> PostgresStore {
    let (store, _) = self.start(url, poolSize: poolSize, allowUnsafeDurability: allowUnsafeDurability)
    try await store.prepare()
    return store
  }

  /// A store whose pool runs (until the task is cancelled), not yet prepared.
  static func start(
    _ url: String, poolSize: Int = 4, allowUnsafeDurability: Bool = false,
    adjust: (inout PostgresStoreConfiguration) -> Void = { _ in }
  ) -> (PostgresStore, Task<Void, Never>) {
    var configuration = PostgresStoreConfiguration(
      url: url, poolSize: poolSize, allowUnsafeDurability: allowUnsafeDurability)
    configuration.idleTimeout = .seconds(2)
    adjust(&configuration)
    let store = PostgresStore(configuration, logger: self.logger)
    return (store, Task { await store.run() })
  }

  struct MissingServer: Error, CustomStringConvertible {
    var description: String { "set MOTCUA_TEST_POSTGRES_URL; scripts/test.sh starts a server" }
  }
}
