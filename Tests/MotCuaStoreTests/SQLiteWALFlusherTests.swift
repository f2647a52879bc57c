import Foundation
import GRDB
import MotCuaDomain
@testable import MotCuaSQLite
import MotCuaStore
import Synchronization
import Testing

/// Group commit answers a command only once its transaction is durable: the writer commits without an fsync and
/// `WALFlusher` fsyncs the WAL file (`WALFile`) off the writer before answering.
@Suite struct SQLiteWALFlusherTests {
  /// A sync the test holds: it records what a separate connection sees when the sync begins, then waits.
  final class HeldSync: Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let state = Mutex<(began: Int, rowsSeen: [Int])>((0, []))
    let reader: DatabaseQueue
    let failure: (any Error)?

    init(reader: DatabaseQueue, failure: (any Error)? = nil) {
      self.reader = reader
      self.failure = failure
    }

    @Sendable func sync() throws {
      let rows = try self.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") ?? 0 }
      self.state.withLock {
        $0.began += 1
        $0.rowsSeen.append(rows)
      }
      _ = self.gate.wait(timeout: .now() + 120)  // a failed test still ends
      if let failure { throw failure }
    }

    func release() { self.gate.signal() }
    var began: Int { self.state.withLock { $0.began } }
    var rowsSeen: [Int] { self.state.withLock { $0.rowsSeen } }
  }

  /// A committer over a new database holding table `t`, its syncs made by `sync`; and a reader of the file.
  static func committer(sync: (DatabaseQueue) -> HeldSync) throws -> (SQLiteGroupCommitter, HeldSync) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("flush.sqlite").path
    let pool = try DatabasePool(path: path)
    try pool.write { try $0.execute(sql: "CREATE TABLE t (x INTEGER)") }
    let held = sync(try DatabaseQueue(path: path))
    let committer = SQLiteGroupCommitter(
      pool: pool, grouping: true, flusher: WALFlusher(sync: held.sync))
    return (committer, held)
  }

  static func waitUntil(_ condition: () -> Bool) async throws {
    let limit = ContinuousClock.now.advanced(by: .seconds(60))  // generous: other suites can keep the pool busy
    while !condition() {
      try #require(ContinuousClock.now < limit, "timed out")
      try await Task.sleep(for: .milliseconds(1))
    }
  }

  /// The sync begins after the command committed (another connection sees its row), and the caller is answered
  /// only after the sync returned. Commands that arrive meanwhile commit without waiting for it (the writer goes
  /// on) and are answered after the next sync. Negative control: answering in the writer, before the sync, fails
  /// the "not answered" expectations.
  @Test func aCommandIsAnsweredOnlyAfterASyncThatBeganAfterItsCommit() async throws {
    let (committer, held) = try Self.committer { HeldSync(reader: $0) }
    let answered = Mutex(0)
    let insert: @Sendable () async throws -> Void = {
      try await committer.write { try $0.execute(sql: "INSERT INTO t VALUES (1)") }
      answered.withLock { $0 += 1 }
    }
    async let first: Void = insert()
    try await Self.waitUntil { held.began == 1 }
    #expect(held.rowsSeen == [1])  // committed before its sync began
    // Two more commit while the first sync is held: the writer is not waiting for it.
    async let second: Void = insert()
    async let third: Void = insert()
    try await Self.waitUntil { (try? held.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") }) == 3 }
    try await Task.sleep(for: .milliseconds(100))
    #expect(answered.withLock { $0 } == 0)  // nobody answered while the sync is held
    held.release()
    try await first
    try await Self.waitUntil { held.began == 2 }
    #expect(held.rowsSeen == [1, 3])
    try await Task.sleep(for: .milliseconds(100))
    #expect(answered.withLock { $0 } == 1)  // the later two wait for the second sync
    held.release()
    try await second
    try await third
    #expect(answered.withLock { $0 } == 3)
    #expect(committer.flusher.syncsSoFar == 2)
  }

  struct DiskFailed: Error, Equatable {}

  /// A failed sync fails its batch, and every later one without syncing again: after a failed fsync the pages
  /// may be gone, so a later fsync that succeeds would prove nothing; and the committer applies nothing more.
  /// Callers get UNAVAILABLE, told the change may have been applied. Negative control: without the committer's
  /// check of the flusher's failure, the later command's row is there (2).
  @Test func aFailedSyncFailsItsBatchAndEveryLaterOne() async throws {
    let (committer, held) = try Self.committer { HeldSync(reader: $0, failure: DiskFailed()) }
    let insert: @Sendable () async -> Result<Void, any Error> = {
      do {
        try await committer.write { try $0.execute(sql: "INSERT INTO t VALUES (1)") }
        return .success(())
      } catch { return .failure(error) }
    }
    async let first = insert()
    try await Self.waitUntil { held.began == 1 }
    held.release()
    for result in [await first, await insert()] {
      #expect {
        try result.get()
      } throws: {
        guard let error = $0 as? DomainError else { return false }
        return error.code == .unavailable && error.message.contains("DiskFailed") && error.message.contains("restart")
      }
    }
    #expect(held.began == 1)
    // The later command was not applied: the committer applies nothing once a sync failed.
    #expect(try await held.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") } == 1)
  }

  /// The real sync flushes the database's WAL file, and follows the path to a new file should the old one be
  /// replaced. A missing file is an error that names it.
  @Test func theWALFileSyncsTheFileAtItsPathNow() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("store.sqlite").path
    let pool = try DatabasePool(path: path)
    try pool.write { try $0.execute(sql: "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)") }
    func inode(_ file: String) throws -> UInt64? {
      (try FileManager.default.attributesOfItem(atPath: file)[.systemFileNumber] as? NSNumber)?.uint64Value
    }
    let wal = WALFile(databasePath: path)
    try wal.sync()
    #expect(wal.syncedInode == (try inode(path + "-wal")))

    let other = WALFile(databasePath: directory.appendingPathComponent("other.sqlite").path)
    #expect(FileManager.default.createFile(atPath: other.path, contents: Data([1])))
    try other.sync()
    let first = other.syncedInode
    try FileManager.default.removeItem(atPath: other.path)
    #expect(FileManager.default.createFile(atPath: other.path, contents: Data([2])))
    try other.sync()
    #expect(other.syncedInode == (try inode(other.path)))
    #expect(other.syncedInode != first)
    try FileManager.default.removeItem(atPath: other.path)
    #expect { try other.sync() } throws: { "\($0)".contains("could not find \(other.path)") }
  }

  /// Through the store: a command's answer came after a sync of the database's own WAL file, and a retry that
  /// finds the command's result by its key (read apart from the writer, where a batch shows before its sync) is
  /// answered only after a sync that began after the read. Negative controls: without the wait in `earlierTicket`
  /// the retry is answered while the flusher is held; with the store's flusher syncing another (missing) file,
  /// the issue fails UNAVAILABLE.
  @Test func theStoreSyncsItsWALAndAnswersARetryOnlyAfterASync() async throws {
    let store = try await SQLiteGroupCommitTests.makeStore()
    var f = StoreFixture()
    let command = f.issue(key: "retried")
    let ticket = try #require(try await store.issueTicket(command).ticket)
    let walInode = (try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.systemFileNumber]
      as? NSNumber)?.uint64Value
    #expect(store.wal.syncedInode == walInode && walInode != nil)

    // Hold the flusher: an answer it runs waits here.
    let gate = DispatchSemaphore(value: 0)
    let holding = Mutex(false)
    store.committer.flusher.afterSync { _ in
      holding.withLock { $0 = true }
      _ = gate.wait(timeout: .now() + 120)
    }
    try await Self.waitUntil { holding.withLock { $0 } }
    let answered = Mutex<Ticket?>(nil)
    async let retry: Ticket? = {
      let found = try await store.earlierTicket(
        principal: command.principalID, key: "retried", fingerprint: command.fingerprint)
      answered.withLock { $0 = found }
      return found
    }()
    try await Task.sleep(for: .milliseconds(150))
    #expect(answered.withLock { $0 } == nil)
    gate.signal()
    #expect(try await retry == ticket)
  }
}
