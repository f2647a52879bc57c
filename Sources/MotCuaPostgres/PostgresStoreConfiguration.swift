import Foundation
import PostgresNIO

/// Where the PostgreSQL database is and how the store uses it.
public struct PostgresStoreConfiguration: Sendable {
  /// `postgres://user[:password]@host[:port]/database`.
  public var url: String
  /// The most connections the store's pool opens.
  public var poolSize: Int
  /// Accept a server whose `fsync` or `synchronous_commit` is off (a commit may then be lost in a crash).
  public var allowUnsafeDurability: Bool
  /// How long to wait for a connection (to open one, or for the pool to lend one) before answering UNAVAILABLE.
  public var connectTimeout: Duration = .seconds(5)
  /// How long a pooled connection may stay idle before the pool closes it.
  public var idleTimeout: Duration = .seconds(60)

  public init(url: String, poolSize: Int = 16, allowUnsafeDurability: Bool = false) {
    self.url = url
    self.poolSize = poolSize
    self.allowUnsafeDurability = allowUnsafeDurability
  }

  /// `url` without its password, for logs.
  public var urlWithoutPassword: String {
    guard var parts = URLComponents(string: self.url), parts.password != nil else { return self.url }
    parts.password = "***"
    return parts.string ?? self.url
  }

  /// The parts of `url`.
  struct Endpoint: Sendable {
    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    /// TLS is off on loopback and preferred elsewhere.
    var isLoopback: Bool { ["127.0.0.1", "localhost", "::1"].contains(self.host) }
  }

  /// - Throws: a description of what is wrong with the URL.
  func endpoint() throws -> Endpoint {
    guard let parts = URLComponents(string: self.url), ["postgres", "postgresql"].contains(parts.scheme ?? ""),
      let host = parts.host, !host.isEmpty, let user = parts.user, !user.isEmpty
    else {
      throw PostgresURLError(description: "expected a database URL like postgres://user[:password]@host:port/database")
    }
    let database = String(parts.path.drop(while: { $0 == "/" }))
    return Endpoint(
      host: host, port: parts.port ?? 5432, username: user.removingPercentEncoding ?? user,
      password: parts.password.map { $0.removingPercentEncoding ?? $0 }, database: database.isEmpty ? user : database)
  }

  /// The pool's configuration.
  func clientConfiguration() throws -> PostgresClient.Configuration {
    let e = try self.endpoint()
    var c = PostgresClient.Configuration(
      host: e.host, port: e.port, username: e.username, password: e.password, database: e.database,
      tls: e.isLoopback ? .disable : .prefer(.makeClientConfiguration()))
    c.options.maximumConnections = max(1, self.poolSize)
    c.options.minimumConnections = 0
    c.options.connectTimeout = self.connectTimeout
    c.options.connectionIdleTimeout = self.idleTimeout
    return c
  }

  /// The configuration of a connection outside the pool (the change feed's).
  func connectionConfiguration() throws -> PostgresConnection.Configuration {
    let e = try self.endpoint()
    var c = PostgresConnection.Configuration(
      host: e.host, port: e.port, username: e.username, password: e.password, database: e.database,
      tls: e.isLoopback ? .disable : .prefer(try NIOSSLContext(configuration: .makeClientConfiguration())))
    c.options.connectTimeout = .milliseconds(Int64(self.connectTimeout.components.seconds * 1000))
    return c
  }
}
