/// How the server reaches a shared PostgreSQL database.
public struct PostgresSettings: Sendable {
  /// postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE
  public var url: String
  /// Connections this process keeps open at most.
  public var poolSize: Int
  /// Run even if the server's `fsync` or `synchronous_commit` is off (acknowledged commands could be lost).
  public var allowUnsafeDurability: Bool

  public init(url: String, poolSize: Int = 16, allowUnsafeDurability: Bool = false) {
    self.url = url
    self.poolSize = poolSize
    self.allowUnsafeDurability = allowUnsafeDurability
  }
}
