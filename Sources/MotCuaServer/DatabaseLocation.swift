public import MotCuaPostgres

/// Where the store lives: the embedded SQLite file (the default) or a PostgreSQL database that several
/// servers share.
public enum DatabaseLocation: Sendable {
  /// `groupCommit` false commits each command in its own transaction (the fsync-bound figure, for benchmarks).
  case sqlite(path: String, groupCommit: Bool = true)
  case postgres(PostgresStoreConfiguration)

  /// For logs: the file, or the URL without its password.
  public var description: String {
    switch self {
    case .sqlite(let path, _): return path
    case .postgres(let configuration): return "PostgreSQL \(configuration.urlWithoutPassword)"
    }
  }
}
