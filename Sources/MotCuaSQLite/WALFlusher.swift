import Foundation
import Synchronization

/// Makes the group committer's transactions durable off the writer, and only then answers their commands.
///
/// With group commit the writer commits with `synchronous = NORMAL`: in WAL mode a commit writes its frames to the
/// WAL file without an fsync. The writer hands its batch's answers here and goes on with the next batch; this
/// fsyncs the WAL file and then answers. Before, the fsync ran inside every COMMIT and the writer waited for the
/// disk in every batch (here ~0.3–0.5 ms; far more on a slower disk).
///
/// Why an answer still means on disk:
/// - An answer handed over before a sync began goes out only after that sync returned; a sync covers every frame
///   written to the file before it began, whichever connection wrote it.
/// - SQLite's recovery replays the WAL's frames up to the last valid commit frame: a commit whose frames are on
///   disk survives a power cut. A later commit's frames, cut off half-written, fail their checksums and are
///   ignored, as they are with `NORMAL` alone.
/// - Commands that read another's writes (an idempotent replay, a slot's remaining capacity) are in the same or a
///   later batch, so their answers wait for a sync that covers the writes they read. A retry that finds an earlier
///   result through a read connection waits for a sync too (`SQLiteStore.answeredWhenDurable`).
///
/// Answers go out in the order they were handed over. A sync that fails poisons the flusher: that batch and every
/// later one fail with the error (after a failed fsync the kernel may have dropped the pages, so a later fsync
/// that succeeds proves nothing), and the committer applies nothing more; the server must be restarted to recover
/// from the file.
final class WALFlusher: Sendable {
  /// Makes everything written to the WAL so far durable.
  typealias Sync = @Sendable () throws -> Void
  /// Answers a batch, with the sync's outcome.
  typealias Answer = @Sendable (Result<Void, any Error>) -> Void

  private let sync: Sync
  private let queue = DispatchQueue(label: "motcua.wal-flusher")
  private let state = Mutex(State())

  private struct State {
    var waiting: [Answer] = []
    /// True from the moment a flush is scheduled until it finds nothing waiting.
    var flushing = false
    var syncs = 0
    var failure: (any Error)?
  }

  init(sync: @escaping Sync) {
    self.sync = sync
  }

  /// Syncs made so far (for tests: several batches share one when they arrive during a sync).
  var syncsSoFar: Int { self.state.withLock { $0.syncs } }

  /// The error of the sync that failed, if one did: nothing written since can be vouched for.
  var failure: (any Error)? { self.state.withLock { $0.failure } }

  /// Calls `answer` once everything written to the WAL before this call is durable (or the sync failed).
  func afterSync(_ answer: @escaping Answer) {
    let start = self.state.withLock { state in
      state.waiting.append(answer)
      guard !state.flushing else { return false }
      state.flushing = true
      return true
    }
    if start { self.queue.async { self.flush() } }
  }

  /// Syncs and answers until nothing waits.
  private func flush() {
    while true {
      let (answers, failure) = self.state.withLock { state in
        let answers = state.waiting
        state.waiting = []
        if answers.isEmpty { state.flushing = false }
        return (answers, state.failure)
      }
      guard !answers.isEmpty else { return }
      let result: Result<Void, any Error>
      if let failure {
        result = .failure(failure)
      } else {
        result = Result { try self.sync() }
        self.state.withLock { state in
          state.syncs += 1
          if case .failure(let error) = result { state.failure = error }
        }
      }
      for answer in answers { answer(result) }
    }
  }
}
