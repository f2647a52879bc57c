public import MotCuaPostgres
import MotCuaDomain

/// Everything `motcua serve` can be told.
public struct ServerConfig: Sendable {
  /// The SQLite database file (created and seeded on first start).
  public var databasePath: String
  public var host: String
  /// 0 picks a free port; the log line says which.
  public var port: Int
  /// The seed directory used to seed a new database.
  public var seedsDirectory: String
  /// PEM files; both or neither. With them the server speaks TLS (ALPN h2), else h2c.
  public var tlsCertificatePath: String?
  public var tlsKeyPath: String?
  public var options: MotCuaCore.Options
  /// HTTP/2 and gRPC limits, set explicitly (the transport's defaults leave concurrent streams unlimited).
  public var maxConcurrentStreams: Int = 100
  public var maxRequestPayloadBytes: Int = 64 * 1024
  public var maxIdleSeconds: Int = 300
  /// The file holding the key for citizens' keyed hashes (default: the database path + ".pii-key");
  /// `MOTCUA_PII_KEY` overrides it.
  public var piiKeyPath: String?
  /// A travel-time configuration file (see `TravelConfiguration`); nil: the detour model's defaults.
  public var travelConfigurationPath: String?
  /// Set to serve from a shared PostgreSQL database (several servers) instead of the SQLite file.
  public var postgres: PostgresStoreConfiguration?
  /// False commits each SQLite command in its own transaction instead of grouping concurrent ones (benchmarks).
  public var sqliteGroupCommit = true
  /// The SQLite file, unless `postgres` is set.
  public var database: DatabaseLocation {
    self.postgres.map(DatabaseLocation.postgres)
      ?? .sqlite(path: self.databasePath, groupCommit: self.sqliteGroupCommit)
  }
  /// Test-only: lets slots be booked over capacity, to show the booking suite catches it. Never in production.
  public var unsafeDisableCapacityCheck = false

  public init(
    databasePath: String, host: String, port: Int, seedsDirectory: String, tlsCertificatePath: String? = nil,
    tlsKeyPath: String? = nil, options: MotCuaCore.Options = .init()
  ) {
    self.databasePath = databasePath
    self.host = host
    self.port = port
    self.seedsDirectory = seedsDirectory
    self.tlsCertificatePath = tlsCertificatePath
    self.tlsKeyPath = tlsKeyPath
    self.options = options
  }
}

