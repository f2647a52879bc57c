import GRDB
import GRDBSQLite
import Synchronization

/// Runs `WALCheckpointPolicy` for one database: a `sqlite3_wal_hook` on the writer connection reports the WAL's
/// size after every commit (it replaces SQLite's automatic checkpoint), and background checkpoints run on a
/// connection of their own (`synchronous = FULL`: the WAL is fsynced before a copy and the database file after).
///
/// The hook holds this object unretained. It lives as long as the writer connection: the store's
/// `prepareDatabase` closure, which GRDB keeps in that connection's configuration, holds it (and so does the
/// store).
final class WALCheckpointer: Sendable {
  private let policy: Mutex<WALCheckpointPolicy>
  private let background = Mutex<DatabaseQueue?>(nil)
  private let passes = Mutex(Passes())

  /// Checkpoints so far, by connection (for tests and diagnostics): background passes that copied frames, and
  /// the writer's fallback passes.
  struct Passes: Equatable, Sendable {
    var background = 0
    var writer = 0
  }

  /// - Parameter threshold: frames in the WAL at which a checkpoint starts.
  init(threshold: Int) {
    self.policy = Mutex(WALCheckpointPolicy(threshold: threshold))
  }

  /// Makes this object the checkpointer of `db`, the writer connection.
  func install(on db: Database) {
    sqlite3_wal_hook(
      db.sqliteConnection,
      { context, connection, _, frames in
        guard let context else { return SQLITE_OK }
        Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(connection, walFrames: frames)
        return SQLITE_OK
      },
      Unmanaged.passUnretained(self).toOpaque())
  }

  /// Opens the background connection on the database at `path` (until then the writer checkpoints alone).
  func openBackground(path: String) throws {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    configuration.label = "motcua.checkpoint"
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    self.background.withLock { $0 = queue }
  }

  var passesSoFar: Passes { self.passes.withLock { $0 } }

  /// On the writer, inside its commit.
  private func committed(_ connection: OpaquePointer?, walFrames: Int32) {
    switch self.policy.withLock({ $0.committed(walFrames: Int(walFrames)) }) {
    case .none:
      return
    case .checkpointHere:
      // As SQLite's automatic checkpoint does from its own hook; busy or failed, a later commit tries again.
      _ = sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
      self.passes.withLock { $0.writer += 1 }
    case .startBackground:
      guard let queue = self.background.withLock({ $0 }) else {
        self.policy.withLock { $0.backgroundFinished() }
        return
      }
      queue.asyncWriteWithoutTransaction { db in
        // A failure (busy past the timeout, an I/O error) leaves the frames to the writer's fallback.
        if let copied = try? db.checkpoint(.passive).checkpointedFrameCount, copied > 0 {
          self.passes.withLock { $0.background += 1 }
        }
        self.policy.withLock { $0.backgroundFinished() }
      }
    }
  }
}
