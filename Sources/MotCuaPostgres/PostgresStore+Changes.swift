public import MotCuaStore
import MotCuaDomain
import Logging
import PostgresNIO

/// The change feed: LISTEN on a connection of its own (a pooled one would be lent to commands).
extension PostgresStore {
  /// Channels the migration's triggers notify.
  static let eventsChannel = "motcua_events"
  static let staffingChannel = "motcua_staffing"

  public func followChanges(_ onChange: @escaping @Sendable (StoreChange) async -> Void) async throws {
    if let configurationError { throw configurationError }
    let configuration = try self.configuration.connectionConfiguration()
    var backoff = Duration.milliseconds(100)
    var connectionID = 0
    while !Task.isCancelled {
      connectionID += 1
      do {
        let connection = try await PostgresConnection.connect(
          configuration: configuration, id: connectionID, logger: self.logger)
        do {
          try await Self.follow(connection, logger: self.logger, onEstablished: {
            backoff = .milliseconds(100)
            self.logger.info("change feed following", metadata: ["connection": "\(connectionID)"])
          }, onChange)
        } catch {
          self.logger.warning("change feed lost", metadata: ["connection": "\(connectionID)", "error": "\(String(reflecting: error))"])
        }
        try? await connection.close()
      } catch {
        self.logger.info("change feed cannot connect", metadata: ["connection": "\(connectionID)", "error": "\(String(reflecting: error))"])
      }
      if Task.isCancelled { return }
      try? await Task.sleep(for: backoff)
      backoff = min(backoff * 2, .seconds(2))
    }
  }

  /// Listens on both channels of `connection` and reports what arrives, in order, until the connection is lost
  /// (throws) or the task is cancelled (returns).
  private static func follow(
    _ connection: PostgresConnection, logger: Logger, onEstablished: () -> Void,
    _ onChange: @escaping @Sendable (StoreChange) async -> Void
  ) async throws {
    let (changes, sink) = AsyncStream<StoreChange>.makeStream()
    try await connection.listen(on: Self.eventsChannel) { events in
      try await connection.listen(on: Self.staffingChannel) { staffing in
        onEstablished()
        await onChange(.resynchronise)
        try await withThrowingTaskGroup(of: Void.self) { group in
          group.addTask {
            for try await notification in events {
              if let change = Self.change(eventPayload: notification.payload) { sink.yield(change) }
            }
            throw FeedLost()
          }
          group.addTask {
            for try await _ in staffing { sink.yield(.staffing) }
            throw FeedLost()
          }
          group.addTask {
            try await withTaskCancellationHandler {
              try await connection.closeFuture.get()
            } onCancel: {
              let closing: EventLoopFuture<Void> = connection.close()
              closing.whenComplete { _ in }
            }
            throw FeedLost()
          }
          group.addTask {
            for await change in changes { await onChange(change) }
          }
          group.addTask {
            // A connection dropped without a reset (a dead host, a NAT timeout) never closes by itself: ask.
            while true {
              try await Task.sleep(for: Self.livenessInterval)
              try await Self.ping(connection, logger: logger)
            }
          }
          defer { sink.finish() }
          do {
            try await group.next()
          } catch {
            group.cancelAll()
            if Task.isCancelled { return }
            throw error
          }
        }
      }
    }
  }

  /// How often the feed's connection is asked whether it is alive, and how long it has to answer.
  static let livenessInterval = Duration.seconds(5)

  /// `SELECT 1`; the connection is closed (and the feed restarts) when it does not answer in time. The ping
  /// returns then, or when its task is cancelled, even if the query never does (postgres-nio 1.33 leaves a query
  /// sent on a closed connection unanswered).
  private static func ping(_ connection: PostgresConnection, logger: Logger) async throws {
    let outcome = Outcome<Void>()
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        outcome.wait(continuation)
        let query = Task {
          do {
            _ = try await connection.query("SELECT 1", logger: logger)
            outcome.finish(.success(()))
          } catch {
            outcome.finish(.failure(error))
          }
        }
        let watchdog = Task {
          try? await Task.sleep(for: Self.livenessInterval)
          if Task.isCancelled { return }
          connection.close().whenComplete { _ in }
          outcome.finish(.failure(FeedLost()))
          query.cancel()
        }
        outcome.onFinish { watchdog.cancel() }
      }
    } onCancel: {
      outcome.finish(.failure(CancellationError()))
    }
  }

  /// `branch:sequence` → `.events`.
  static func change(eventPayload payload: String) -> StoreChange? {
    guard let colon = payload.lastIndex(of: ":"), let sequence = UInt64(payload[payload.index(after: colon)...])
    else { return nil }
    return .events(BranchID(String(payload[..<colon])), sequence: sequence)
  }
}

/// The change feed's connection closed.
struct FeedLost: Error {}
