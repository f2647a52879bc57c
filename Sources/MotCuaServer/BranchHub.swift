import MotCuaDomain
import QueueEngine
import Synchronization

/// The live view of every branch: its `BranchQueue` (a cache of what the store committed) and the display
/// boards watching it. Committed events are applied strictly in sequence order — an event that arrives early
/// waits for the ones before it — and fanned out to watchers in that order.
final class BranchHub: Sendable {
  /// How many events a slow watcher may fall behind before its stream ends (it reconnects and resumes).
  static let watcherBuffer = 10_000

  private struct Watcher {
    let continuation: AsyncStream<BranchEvent>.Continuation
  }

  private struct State {
    var queues: [BranchID: BranchQueue]
    var early: [BranchID: [UInt64: BranchEvent]] = [:]
    var watchers: [BranchID: [Int: Watcher]] = [:]
    var nextWatcherID = 0
  }

  private let state: Mutex<State>
  /// Told of every event as it is applied, in sequence order (the predictors learn from it).
  private let onApply: @Sendable (BranchEvent) -> Void

  init(queues: [BranchQueue], onApply: @escaping @Sendable (BranchEvent) -> Void = { _ in }) {
    self.state = Mutex(State(queues: Dictionary(uniqueKeysWithValues: queues.map { ($0.branchID, $0) })))
    self.onApply = onApply
  }

  /// Applies committed events (in any order; each is applied once its predecessors have been).
  func publish(_ events: [BranchEvent]) {
    guard !events.isEmpty else { return }
    // Streams are finished after the lock is released: finishing runs their termination handler, which locks.
    let dropped: [Watcher] = self.state.withLock { state in
      var dropped: [Watcher] = []
      for event in events {
        // Another server's events arrive both from its commits and from this server's re-reads: keep one.
        guard let last = state.queues[event.branchID]?.lastSequence, event.sequence > last else { continue }
        state.early[event.branchID, default: [:]][event.sequence] = event
        while let last = state.queues[event.branchID]?.lastSequence,
          let next = state.early[event.branchID]?.removeValue(forKey: last + 1)
        {
          state.queues[event.branchID]?.apply(next)  // in place: a copy would copy the waiting lists each event
          self.onApply(next)
          for (id, watcher) in state.watchers[event.branchID] ?? [:] {
            if case .dropped = watcher.continuation.yield(next) {
              dropped.append(watcher)
              state.watchers[event.branchID]?[id] = nil
            }
          }
        }
      }
      return dropped
    }
    for watcher in dropped { watcher.continuation.finish() }
  }

  /// Forgets every branch's waiting tickets of days before `day` (they expired at midnight).
  func prune(before day: LocalDate) {
    self.state.withLock { state in
      for id in state.queues.keys { state.queues[id]?.prune(before: day) }
    }
  }

  /// A copy of a branch's queue now.
  func queue(_ branch: BranchID) -> BranchQueue? {
    self.state.withLock { $0.queues[branch] }
  }

  /// The ticket `id` if it waits at any branch (the live view: what this server has applied).
  func waitingTicket(_ id: TicketID) -> Ticket? {
    self.state.withLock { state in
      for queue in state.queues.values {
        if let ticket = queue.waitingTicket(id) { return ticket }
      }
      return nil
    }
  }

  /// The last event sequence applied to each branch.
  func lastSequences() -> [BranchID: UInt64] {
    self.state.withLock { $0.queues.mapValues(\.lastSequence) }
  }

  /// The sum of every branch's last sequence: it changes whenever any branch does.
  func sequenceTotal() -> UInt64 {
    self.state.withLock { $0.queues.values.reduce(0) { $0 &+ $1.lastSequence } }
  }

  /// The branch's queue now and a stream of every event after it, taken atomically.
  func watch(_ branch: BranchID) -> (BranchQueue, AsyncStream<BranchEvent>)? {
    let (stream, continuation) = AsyncStream.makeStream(
      of: BranchEvent.self, bufferingPolicy: .bufferingOldest(Self.watcherBuffer))
    let queue: BranchQueue? = self.state.withLock { state in
      guard let queue = state.queues[branch] else { return nil }
      let id = state.nextWatcherID
      state.nextWatcherID += 1
      state.watchers[branch, default: [:]][id] = Watcher(continuation: continuation)
      continuation.onTermination = { [weak self] _ in
        self?.state.withLock { _ = $0.watchers[branch]?.removeValue(forKey: id) }
      }
      return queue
    }
    guard let queue else { return nil }
    return (queue, stream)
  }

  /// Ends every watcher's stream (at shutdown).
  func finishAll() {
    let watchers = self.state.withLock { state in
      defer { state.watchers = [:] }
      return state.watchers.values.flatMap(\.values)
    }
    for watcher in watchers { watcher.continuation.finish() }
  }
}
