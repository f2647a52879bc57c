import LeanGRPC
import MotCuaDomain
import QueueEngine
import StageCPU
import Synchronization

/// The live view of every branch: its `BranchQueue` (a cache of what the store committed) and the display
/// boards watching it. Committed events are applied strictly in sequence order — an event that arrives early
/// waits for the ones before it — and fanned out to watchers in that order.
///
/// A board is first *pending*: the hub keeps the events applied after it began watching while its handler sends
/// the snapshot (or the events it missed). Then it goes *live*: each event is encoded once, here, and written
/// straight to the streams of all the branch's live boards (`GRPCResponseWriter.writeWithoutWaiting`) — no Task
/// wakes up per board and event.
final class BranchHub: Sendable {
  /// How many events a slow watcher may fall behind before its stream ends (it reconnects and resumes).
  static let watcherBuffer = 10_000

  /// A board's place among the watchers of a branch.
  struct Watch: Sendable, Hashable {
    let branch: BranchID
    let id: Int
  }

  /// The board message of an event, encoded (for every live board of its branch at once).
  typealias Encode = @Sendable (WatchedEvent) throws -> GRPCEncodedMessage

  private struct LiveBoard {
    let writer: GRPCResponseWriter
    let encode: Encode
  }

  private struct State {
    var queues: [BranchID: BranchQueue]
    var early: [BranchID: [UInt64: BranchEvent]] = [:]
    /// Boards not yet live, with the events applied since they began watching.
    var pending: [BranchID: [Int: [WatchedEvent]]] = [:]
    var live: [BranchID: [Int: LiveBoard]] = [:]
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
    StageCPU.shared.measure(.liveViews) { self.apply(events) }
  }

  private func apply(_ events: [BranchEvent]) {
    self.state.withLock { state in
      for event in events {
        // Another server's events arrive both from its commits and from this server's re-reads: keep one.
        guard let last = state.queues[event.branchID]?.lastSequence, event.sequence > last else { continue }
        state.early[event.branchID, default: [:]][event.sequence] = event
        while let last = state.queues[event.branchID]?.lastSequence,
          let next = state.early[event.branchID]?.removeValue(forKey: last + 1)
        {
          state.queues[event.branchID]?.apply(next)  // in place: a copy would copy the waiting lists each event
          self.onApply(next)
          Self.fanOut(next, &state)
        }
      }
    }
  }

  /// Hands an event just applied to the branch's boards. The writes are queued on the streams' event loops
  /// under the lock, so that every board receives the events in sequence order.
  private static func fanOut(_ event: BranchEvent, _ state: inout State) {
    let branch = event.branchID
    let live = state.live[branch] ?? [:]
    let pendingIDs = state.pending[branch].map { Array($0.keys) } ?? []
    guard !live.isEmpty || !pendingIDs.isEmpty, let queue = state.queues[branch] else { return }
    // One object for every board, with the counters open right after this event (not when a board gets round
    // to it): its board message is built and encoded once.
    let watched = WatchedEvent(
      event,
      openCounters: Dictionary(
        uniqueKeysWithValues: event.waitingAfter.keys.map { ($0, queue.openCounters(serving: $0)) }))
    for id in pendingIDs {
      if state.pending[branch]?[id]?.count ?? 0 < Self.watcherBuffer {
        state.pending[branch]?[id]?.append(watched)
      } else {
        state.pending[branch]?[id] = nil  // too far behind: its handler ends the call and the board resumes
      }
    }
    guard let encode = live.first?.value.encode else { return }
    let writers = live.values.map(\.writer)
    guard let message = try? watched.message(encode) else {
      // Not expected (a board message always serializes): the boards end their calls and resume.
      state.live[branch] = nil
      GRPCResponseWriter.detach(writers)
      return
    }
    GRPCResponseWriter.writeWithoutWaiting([message], to: writers, maxBacklog: Self.watcherBuffer)
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

  /// The branch's queue now, and the board's place among its watchers, taken atomically: the hub keeps every event
  /// after that queue for the board until it goes live (`goLive`). Call `unwatch` when the call ends.
  func watch(_ branch: BranchID) -> (BranchQueue, Watch)? {
    self.state.withLock { state in
      guard let queue = state.queues[branch] else { return nil }
      let watch = Watch(branch: branch, id: state.nextWatcherID)
      state.nextWatcherID += 1
      state.pending[branch, default: [:]][watch.id] = []
      return (queue, watch)
    }
  }

  /// From now on the board's events are written straight to its stream: first those kept since it began
  /// watching, then each as it is applied. `false` when the board fell more than `watcherBuffer` events behind
  /// meanwhile (or the hub shut down): its call should end, and the board resumes from where it is.
  func goLive(_ watch: Watch, writer: GRPCResponseWriter, encode: @escaping Encode) throws -> Bool {
    try self.state.withLock { state in
      guard let kept = state.pending[watch.branch]?.removeValue(forKey: watch.id) else { return false }
      if !kept.isEmpty {
        let messages = try kept.map { try $0.message(encode) }
        GRPCResponseWriter.writeWithoutWaiting(messages, to: [writer], maxBacklog: Self.watcherBuffer)
      }
      state.live[watch.branch, default: [:]][watch.id] = LiveBoard(writer: writer, encode: encode)
      return true
    }
  }

  /// The board no longer watches (its call ended).
  func unwatch(_ watch: Watch) {
    self.state.withLock { state in
      state.pending[watch.branch]?[watch.id] = nil
      state.live[watch.branch]?[watch.id] = nil
    }
  }

  /// The events kept for a board that is not live yet; `nil` once it is live, or fell behind.
  func kept(_ watch: Watch) -> [WatchedEvent]? {
    self.state.withLock { $0.pending[watch.branch]?[watch.id] }
  }

  /// Ends every board's watch (at shutdown): live boards' calls end after what was written, pending ones when
  /// they try to go live.
  func finishAll() {
    let writers = self.state.withLock { state in
      defer {
        state.live = [:]
        state.pending = [:]
      }
      return state.live.values.flatMap { $0.values.map(\.writer) }
    }
    GRPCResponseWriter.detach(writers)
  }
}
