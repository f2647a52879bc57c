import Foundation
import Logging
import MotCuaDomain
import MotCuaStore
import PostgresNIO
import Synchronization

/// Every command is one READ COMMITTED transaction, re-run from the start when the database reports a conflict it
/// resolved by failing this transaction (a unique key taken by a concurrent duplicate, a serialization failure, a
/// deadlock): the re-run sees what the other transaction committed, e.g. the idempotent result it produced.
extension PostgresStore {
  /// How many times a command runs before the store answers UNAVAILABLE.
  static let maxAttempts = 6

  /// Runs `body` in one transaction, retrying conflicts; maps connection failures to `DomainError.unavailable`.
  func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
    var lastReason = "conflicting transactions"
    var lastRefusal: DomainError? = nil
    for attempt in 1...Self.maxAttempts {
      do {
        return try await self.attempt(body)
      } catch {
        switch Self.classify(error) {
        case .domain(let domainError):
          throw domainError
        case .retry(let reason, let refusal):
          lastReason = reason
          lastRefusal = refusal
          self.logger.debug("transaction conflict, retrying", metadata: ["reason": "\(reason)", "attempt": "\(attempt)"])
          let base = 5 * (1 << min(attempt, 5))
          try? await Task.sleep(for: .milliseconds(Int.random(in: base / 2...base)))
        case .unavailable(let reason):
          throw Self.unavailable(reason)
        case .other(let error):
          throw error
        }
      }
    }
    throw lastRefusal ?? Self.unavailable("\(lastReason) after \(Self.maxAttempts) attempts")
  }

  static func unavailable(_ reason: String) -> DomainError {
    DomainError(.unavailable, "the database is unavailable (\(reason)); retry the request")
  }

  /// One run of `body` in a transaction. If no connection is lent within twice the connect timeout while no
  /// other command got one either (the database is away, not merely busy), the attempt fails at once with
  /// `LeaseTimeout` instead of waiting for the pool to give up; the abandoned request, if it is lent a
  /// connection later, runs nothing. If the lent connection closes (the database went away mid-transaction),
  /// or the caller is cancelled, the attempt fails at once too: PostgresNIO 1.33 can leave a query on a
  /// connection that closed unanswered for good, and cancelling it does not end it.
  private func attempt<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
    let gate = LeaseGate()
    let client = self.client
    let logger = self.logger
    let patience = self.configuration.connectTimeout * 2
    let outcome = Outcome<T>()
    let activity = self.poolActivity
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        outcome.wait(continuation)
        let work = Task {
          do {
            // The connection is claimed before BEGIN: it may close before the transaction starts, too.
            let value = try await client.withConnection { connection in
              guard gate.claim(connection) else { throw LeaseTimeout() }
              activity.lent()
              let value = try await connection.withTransaction(logger: logger) { connection in
                let result = try await body(PostgresSession(connection: connection, logger: logger))
                try Task.checkCancellation()  // the caller went away (and was answered): roll back, do not commit
                try CommandDeadline.check()
                gate.committing()
                return result
              }
              gate.finished()
              return value
            }
            outcome.finish(.success(value))
          } catch {
            outcome.finish(.failure(error))
          }
        }
        let timer = Task {
          var waited = Duration.zero
          while !Task.isCancelled {
            try? await Task.sleep(for: Self.connectionCheckInterval)
            if Task.isCancelled { return }
            waited += Self.connectionCheckInterval
            if let committing = gate.lostConnection() {
              outcome.finish(.failure(ConnectionLost(whileCommitting: committing)))
              work.cancel()
              return
            }
            // A busy pool lends connections to others meanwhile: keep waiting for one.
            if waited >= patience, !activity.lentWithin(patience), gate.abandon() {
              outcome.finish(.failure(LeaseTimeout()))
              work.cancel()
              return
            }
          }
        }
        outcome.onFinish { timer.cancel() }
        gate.onCancel { work.cancel() }
      }
    } onCancel: {
      gate.cancel()
      outcome.finish(.failure(CancellationError()))
    }
  }

  /// How often a running attempt checks that its connection is still open.
  static let connectionCheckInterval = Duration.milliseconds(250)

  /// The outcome is unknown: the database may have committed before the connection broke.
  static let lostWhileCommitting =
    "the connection was lost while committing, so the command may have been applied; read its result "
    + "before repeating a command that has no idempotency key"

  /// What a failed attempt means.
  enum Failure {
    case domain(DomainError)
    case retry(String, DomainError?)
    case unavailable(String)
    case other(any Error)
  }

  static func classify(_ error: any Error) -> Failure {
    var cause = error
    if let transaction = error as? PostgresTransactionError {
      if transaction.closureError == nil, transaction.beginError == nil, transaction.commitError != nil {
        return .unavailable(Self.lostWhileCommitting)
      }
      cause = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error
    }
    switch cause {
    case let domain as DomainError:
      return .domain(domain)
    case let changed as ConcurrentChange:
      return .retry(changed.refusal.message, changed.refusal)
    case is LeaseTimeout:
      return .unavailable("no connection within the connect timeout")
    case let lost as ConnectionLost:
      return .unavailable(lost.whileCommitting ? Self.lostWhileCommitting : "the connection was lost")
    case let psql as PSQLError:
      if psql.code == .serverClosedConnection || psql.code == .clientClosedConnection {
        return .unavailable("the connection was lost")
      }
      guard psql.code == .server, let state = psql.serverInfo?[.sqlState] else {
        return .unavailable("\(psql.code)")
      }
      switch state {
      case "23505": return .retry("unique violation", nil)
      case "40001": return .retry("serialization failure", nil)
      case "40P01": return .retry("deadlock", nil)
      default:
        // Data exceptions come from what the caller sent (e.g. a NUL character, which text columns refuse).
        if state.hasPrefix("22") {
          return .domain(
            DomainError.invalidArgument(
              "the request holds a value the database cannot store (SQLSTATE \(state), e.g. a NUL character); correct it"))
        }
        // Connection exceptions, insufficient resources, operator intervention (shutdown, recovery).
        if ["08", "53", "57"].contains(String(state.prefix(2))) { return .unavailable("SQLSTATE \(state)") }
        return .other(psql)
      }
    default:
      if cause is CancellationError { return .unavailable("cancelled") }
      // The pool's error type lives in a module this target does not import.
      if String(reflecting: type(of: cause)).hasSuffix("ConnectionPoolError") {
        return .unavailable("connection pool: \(cause)")
      }
      return .other(cause)
    }
  }
}

/// A guarded update found the row changed by a concurrent command: re-run the transaction.
struct ConcurrentChange: Error {
  /// What to answer if it keeps happening.
  let refusal: DomainError
}

/// No pooled connection became available in time.
struct LeaseTimeout: Error {}

/// The lent connection closed while the attempt ran.
struct ConnectionLost: Error {
  /// The body had finished: the COMMIT may have reached the database.
  let whileCommitting: Bool
}

/// Who was first: the transaction that was lent a connection, or the timer that gave up waiting for one; and,
/// once lent, the connection and whether the transaction got as far as committing.
final class LeaseGate: Sendable {
  private enum State {
    case waiting
    case leased(PostgresConnection, committing: Bool)
    /// The transaction ended (committed or rolled back) while its connection was open.
    case finished
    case abandoned
  }
  private struct Box {
    var state = State.waiting
    var cancelled = false
    var onCancel: (@Sendable () -> Void)?
  }
  private let box = Mutex(Box())

  /// The transaction got `connection`: true unless the timer gave up first or the caller went away.
  func claim(_ connection: PostgresConnection) -> Bool {
    self.box.withLock { box in
      switch box.state {
      case .waiting where !box.cancelled:
        box.state = .leased(connection, committing: false)
        return true
      case .leased:
        return true
      case .waiting, .finished, .abandoned:
        return false
      }
    }
  }

  /// The transaction's body finished: what follows is the COMMIT.
  func committing() {
    self.box.withLock { box in
      if case .leased(let connection, _) = box.state { box.state = .leased(connection, committing: true) }
    }
  }

  /// The transaction ended: a close of its connection from now on is none of this attempt's business.
  func finished() {
    self.box.withLock { $0.state = .finished }
  }

  /// If the lent connection has closed: whether the transaction was committing. Nil while it is open or
  /// before one is lent.
  func lostConnection() -> Bool? {
    self.box.withLock { box in
      guard case .leased(let connection, let committing) = box.state, connection.isClosed else { return nil }
      return committing
    }
  }

  /// The timer gave up: true unless the transaction already has its connection.
  func abandon() -> Bool {
    self.box.withLock { box in
      guard case .waiting = box.state else { return false }
      box.state = .abandoned
      return true
    }
  }

  /// The caller went away: the transaction is cancelled (before or during its run: it rolls back).
  func cancel() {
    let action = self.box.withLock { box in
      box.cancelled = true
      return box.onCancel
    }
    action?()
  }

  func onCancel(_ action: @escaping @Sendable () -> Void) {
    let cancelled = self.box.withLock { box in
      box.onCancel = action
      return box.cancelled
    }
    if cancelled { action() }
  }
}

/// Resumes the caller once, with whichever result comes first.
final class Outcome<T: Sendable>: Sendable {
  private struct Box {
    var continuation: CheckedContinuation<T, any Error>?
    var result: Result<T, any Error>?
    var onFinish: (@Sendable () -> Void)?
  }
  private let box = Mutex(Box())

  /// Resumes `continuation` now if a result came first (the caller was cancelled before it waited).
  func wait(_ continuation: CheckedContinuation<T, any Error>) {
    let result: Result<T, any Error>? = self.box.withLock { box in
      if box.result == nil { box.continuation = continuation }
      return box.result
    }
    if let result { continuation.resume(with: result) }
  }

  func finish(_ result: Result<T, any Error>) {
    let (continuation, action): (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) = self.box.withLock {
      box in
      guard box.result == nil else { return (nil, nil) }
      box.result = result
      defer { box.continuation = nil }
      return (box.continuation, box.onFinish)
    }
    continuation?.resume(with: result)
    action?()
  }

  func onFinish(_ action: @escaping @Sendable () -> Void) {
    let finished = self.box.withLock { box in
      box.onFinish = action
      return box.result != nil
    }
    if finished { action() }
  }
}

/// When the pool last lent a connection: tells a database that is away from a pool that is only busy.
final class PoolActivity: Sendable {
  private let last = Mutex<ContinuousClock.Instant?>(nil)

  func lent() { self.last.withLock { $0 = .now } }

  func lentWithin(_ duration: Duration) -> Bool {
    self.last.withLock { $0.map { ContinuousClock.now - $0 < duration } ?? false }
  }
}
