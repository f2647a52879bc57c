import Foundation

/// Where the store lives: the embedded SQLite file (the default) or a PostgreSQL database that several
/// servers share.
public enum DatabaseLocation: Sendable {
  case sqlite(path: String)
  case postgres(PostgresSettings)

  /// For logs: the file, or the URL without its password.
  public var description: String {
    switch self {
    case .sqlite(let path): return path
    case .postgres(let settings): return "PostgreSQL \(Self.redacted(settings.url))"
    }
  }

  /// A database URL without its password.
  static func redacted(_ url: String) -> String {
    guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"),
      let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
    else { return url }
    return String(url[..<colon]) + ":***" + String(url[at...])
  }
}
