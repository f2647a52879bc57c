import GRDB
import MotCuaDomain
import MotCuaStore
import StageCPU
import Synchronization

/// Applies the store's write commands, many concurrent ones in one transaction (group commit), so that durable
/// writes are not bounded by one fsync each.
///
/// Guarantees:
/// - A caller is answered only after the transaction holding its command committed and was made durable (a reply
///   means on disk): the writer commits without an fsync and `WALFlusher` fsyncs the WAL off the writer, then
///   answers, while the writer runs the next batch.
/// - Commands run in the order they were submitted; each sees the writes of those before it, in the same
///   transaction or not (numbering and idempotency hold as with one transaction per command).
/// - Each command runs in its own savepoint: one that throws — a refusal, a constraint, its caller's deadline
///   (captured at submission, checked at the end of the savepoint) — is rolled back alone and gets its own error.
/// - If the transaction fails (its COMMIT, or an error that aborts it), no command of it is acknowledged: each
///   that had succeeded gets the transaction's error; commands not yet run go on to the next transaction.
/// - Once submitted, a command runs to its outcome: cancelling the caller neither loses nor repeats it.
///
/// One writer drains the queue on GRDB's writer connection: it takes every command waiting (at most
/// `batchLimit`), runs them, commits once, hands their answers to the flusher, and starts again while commands
/// wait; none waits for a timer. With grouping off, each command is its own transaction, fsynced in its COMMIT
/// (the fsync-bound figure, for benchmarks).
final class SQLiteGroupCommitter: Sendable {
  /// The most commands one transaction holds.
  static let batchLimit = 256

  private let pool: DatabasePool
  private let grouping: Bool
  /// Syncs the WAL before a batch is answered.
  let flusher: WALFlusher
  private let state = Mutex(State())

  private struct State {
    var queue: [Command] = []
    /// True from the moment a drain is scheduled until it finds the queue empty.
    var draining = false
    var committedTransactions = 0
  }

  /// Called once the command's transaction committed: answers its caller.
  private typealias Acknowledgement = @Sendable () -> Void

  /// A submitted command, its result type erased: `apply` runs it and returns how to acknowledge it; `fail`
  /// answers its caller with an error. Exactly one of the two answers reaches the caller.
  private struct Command: Sendable {
    let deadline: ContinuousClock.Instant?
    let apply: @Sendable (Database) throws -> Acknowledgement
    let fail: @Sendable (any Error) -> Void
  }

  /// - Parameters:
  ///   - grouping: false runs each command in its own transaction; the writer must then commit with
  ///     `synchronous = FULL`, and with `NORMAL` when true.
  ///   - flusher: syncs the pool's WAL (with grouping on).
  init(pool: DatabasePool, grouping: Bool, flusher: WALFlusher) {
    self.pool = pool
    self.grouping = grouping
    self.flusher = flusher
  }

  /// Transactions committed so far (for tests: grouping shows as fewer transactions than commands).
  var committedTransactions: Int { self.state.withLock { $0.committedTransactions } }

  /// Commands submitted and not yet taken into a transaction (for tests).
  var queuedCommands: Int { self.state.withLock { $0.queue.count } }

  /// Runs `body` as one command and returns its result once it is on disk. The caller's
  /// `CommandDeadline.current` is captured here and checked before the command is kept.
  ///
  /// - Throws: the error `body` threw; `DomainError` `.deadlineExceeded` if the deadline passed before the
  ///   command finished; the database's error if the transaction failed; `CancellationError` if the task was
  ///   cancelled before the command was submitted.
  func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    let deadline = CommandDeadline.current
    guard self.grouping else { return try await self.writeAlone(deadline: deadline, body) }
    try Task.checkCancellation()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
      self.submit(
        Command(
          deadline: deadline,
          apply: { db in
            let value = try body(db)
            return { continuation.resume(returning: value) }
          },
          fail: { continuation.resume(throwing: $0) }))
    }
  }

  /// Returns once everything committed so far is durable.
  ///
  /// - Throws: `notDurable` if the WAL could not be synced.
  func durable() async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
      self.flusher.afterSync { synced in continuation.resume(with: synced.mapError(Self.notDurable)) }
    }
  }

  /// One command, one transaction.
  private func writeAlone<T: Sendable>(
    deadline: ContinuousClock.Instant?, _ body: @escaping @Sendable (Database) throws -> T
  ) async throws -> T {
    let result = try await self.pool.write { db in
      let result = try StageCPU.shared.measure(.store) { try body(db) }  // its COMMIT is GRDB's, not measured
      try CommandDeadline.check(deadline)
      return result
    }
    self.state.withLock { $0.committedTransactions += 1 }
    return result
  }

  private func submit(_ command: Command) {
    let startDrain = self.state.withLock { state in
      state.queue.append(command)
      guard !state.draining else { return false }
      state.draining = true
      return true
    }
    if startDrain {
      self.pool.asyncWriteWithoutTransaction { db in self.drain(db) }
    }
  }

  /// Runs batches until the queue is empty. The only writer while grouping is on.
  private func drain(_ db: Database) {
    var retry: ArraySlice<Command> = []
    while true {
      let batch = self.state.withLock { state -> [Command] in
        state.queue.insert(contentsOf: retry, at: 0)
        let batch = Array(state.queue.prefix(Self.batchLimit))
        state.queue.removeFirst(batch.count)
        if batch.isEmpty { state.draining = false }
        return batch
      }
      guard !batch.isEmpty else { return }
      if let failure = self.flusher.failure {
        // The disk failed a sync: apply nothing more (what was committed may be lost; a restart recovers).
        for command in batch { command.fail(Self.notDurable(failure)) }
        retry = []
        continue
      }
      retry = StageCPU.shared.measure(.store) { self.run(batch, db) }
    }
  }

  /// Runs `batch` in one transaction and has every command that ran answered once it is durable.
  ///
  /// - Returns: the commands not run because an earlier one aborted the transaction.
  private func run(_ batch: [Command], _ db: Database) -> ArraySlice<Command> {
    var outcomes: [Result<Acknowledgement, any Error>] = []
    outcomes.reserveCapacity(batch.count)
    do {
      try db.inTransaction(.immediate) {
        for command in batch {
          do {
            let acknowledgement = try Self.inSavepoint(db) {
              let acknowledgement = try command.apply(db)
              try CommandDeadline.check(command.deadline)
              return acknowledgement
            }
            outcomes.append(.success(acknowledgement))
          } catch let error as SavepointNotRolledBack {
            outcomes.append(.failure(error.commandError))
            throw error.rollbackError  // the command's writes may still be in the transaction: end it
          } catch {
            outcomes.append(.failure(error))
            // SQLITE_FULL, IOERR and the like may roll the whole transaction back: stop here.
            guard db.isInsideTransaction else { throw error }
          }
        }
        return .commit
      }
    } catch {
      // Nothing of this transaction is on disk. A command that failed keeps its own error (it was rolled back
      // anyway); one that had succeeded gets the transaction's. If BEGIN failed, every command gets its error.
      guard !outcomes.isEmpty else {
        for command in batch { command.fail(error) }
        return []
      }
      self.answerAfterSync(batch, outcomes, transactionFailed: error)
      return batch[outcomes.count...]
    }
    self.state.withLock { $0.committedTransactions += 1 }
    self.answerAfterSync(batch, outcomes, transactionFailed: nil)
    return []
  }

  /// Answers the commands that ran, once everything committed so far is synced: refusals too, since they may rest
  /// on an earlier command's writes (a key already used, a full slot). A command that succeeded gets the
  /// transaction's error if it failed; after a failed sync nothing can be vouched for.
  private func answerAfterSync(
    _ batch: [Command], _ outcomes: [Result<Acknowledgement, any Error>], transactionFailed: (any Error)?
  ) {
    let answers = zip(batch, outcomes)
    self.flusher.afterSync { synced in
      for (command, outcome) in answers {
        switch (outcome, synced, transactionFailed) {
        case (_, .failure(let syncError), _): command.fail(Self.notDurable(syncError))
        case (.success, .success, let transactionError?): command.fail(transactionError)
        case (.success(let acknowledge), .success, nil): acknowledge()
        case (.failure(let own), .success, _): command.fail(own)
        }
      }
    }
  }

  /// What a command whose transaction committed but could not be synced is told.
  static func notDurable(_ error: any Error) -> DomainError {
    .init(
      .unavailable,
      "the server could not make the change durable (\(error)), so it may or may not have been applied; the server "
        + "needs a restart: then read the result before repeating a command that has no idempotency key")
  }

  /// Runs `body` in a savepoint, rolled back if it throws. GRDB's `inSavepoint` prepares its statements at every
  /// call (a tenth of the writer's time, profiled); these are cached on the writer's connection.
  ///
  /// - Throws: the error `body` threw, once its writes are undone; `SavepointNotRolledBack` if they could not be.
  private static func inSavepoint<T>(_ db: Database, _ body: () throws -> T) throws -> T {
    try db.cachedStatement(sql: "SAVEPOINT command").execute()
    do {
      let value = try body()
      try db.cachedStatement(sql: "RELEASE SAVEPOINT command").execute()
      return value
    } catch {
      // An error that ended the transaction took the savepoint with it.
      guard db.isInsideTransaction else { throw error }
      do {
        try db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT command").execute()
        try db.cachedStatement(sql: "RELEASE SAVEPOINT command").execute()
      } catch let rollbackError {
        throw SavepointNotRolledBack(commandError: error, rollbackError: rollbackError)
      }
      throw error
    }
  }

  /// A command failed and its savepoint could not be rolled back: its writes may remain, so its transaction must
  /// not commit.
  private struct SavepointNotRolledBack: Error {
    let commandError: any Error
    let rollbackError: any Error
  }
}
