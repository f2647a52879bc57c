import ArgumentParser
import Foundation
import MotCuaPostgres
import MotCuaServer

/// Where the store is, for every command that opens it: the SQLite file, or a shared PostgreSQL database.
struct DatabaseOptions: ParsableArguments {
  @Option(help: "SQLite database file (the default store).") var db = "motcua.sqlite"
  @Option(
    help: ArgumentHelp(
      "Use a shared PostgreSQL database instead of the SQLite file (several servers may share it).",
      discussion: "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE; MOTCUA_POSTGRES_URL sets it too.",
      valueName: "url"))
  var postgres: String?
  @Option(help: "PostgreSQL connections this process keeps open at most.") var postgresPoolSize = 16
  @Flag(help: "Run on PostgreSQL even if its fsync or synchronous_commit is off (acknowledged commands may be lost).")
  var allowUnsafeDurability = false

  func validate() throws {
    guard (1...1000).contains(self.postgresPoolSize) else {
      throw ValidationError("--postgres-pool-size must be 1–1000")
    }
  }

  /// `--postgres`, else `MOTCUA_POSTGRES_URL`, as settings; nil for SQLite.
  var postgresSettings: PostgresStoreConfiguration? {
    let url = self.postgres ?? ProcessInfo.processInfo.environment["MOTCUA_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    return url.map {
      PostgresStoreConfiguration(url: $0, poolSize: self.postgresPoolSize, allowUnsafeDurability: self.allowUnsafeDurability)
    }
  }

  var location: DatabaseLocation { self.postgresSettings.map(DatabaseLocation.postgres) ?? .sqlite(path: self.db) }
}
