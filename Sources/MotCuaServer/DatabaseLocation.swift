public import MotCuaPostgres

/// Where the store lives: the embedded SQLite file (the default) or a PostgreSQL database that several
/// servers share.
public enum DatabaseLocation: Sendable {
  case sqlite(path: String)
  case postgres(PostgresStoreConfiguration)

  /// For logs: the file, or the URL without its password.
  public var description: String {
    switch self {
    case .sqlite(let path): return path
    case .postgres(let configuration): return "PostgreSQL \(configuration.urlWithoutPassword)"
    }
  }
}
