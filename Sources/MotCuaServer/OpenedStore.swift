public import Logging
import MotCuaPostgres
import MotCuaSQLite
public import MotCuaStore

/// A store opened at a `DatabaseLocation`: for PostgreSQL, with its connection pool running (from `open`
/// until `close`), the durability settings checked and the migrations run.
public struct OpenedStore: Sendable {
  public let store: any MotCuaStore
  /// The store as shared by several servers (PostgreSQL), whose changes the server follows.
  public let shared: (any SharedStore)?
  private let pool: Task<Void, Never>?

  public static func open(_ location: DatabaseLocation, logger: Logger, enforceCapacity: Bool = true) async throws
    -> OpenedStore
  {
    switch location {
    case .sqlite(let path, let groupCommit):
      return OpenedStore(
        store: try SQLiteStore(path: path, enforceCapacity: enforceCapacity, groupCommit: groupCommit), shared: nil,
        pool: nil)
    case .postgres(let configuration):
      let store = PostgresStore(configuration, logger: logger, enforceCapacity: enforceCapacity)
      let pool = Task { await store.run() }
      do {
        try await store.prepare()
      } catch {
        pool.cancel()
        throw error
      }
      return OpenedStore(store: store, shared: store, pool: pool)
    }
  }

  /// Stops the connection pool (PostgreSQL).
  public func close() {
    self.pool?.cancel()
  }
}
