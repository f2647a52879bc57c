internal import Synchronization

/// Counts the methods' Tasks still running, so ``LeanGRPCServer/run()`` returns only once every
/// method has ended (they are cancelled when their call ends, so the wait is bounded by how fast
/// the methods honour cancellation).
final class GRPCMethodTaskTracker: Sendable {
  private struct State {
    var running = 0
    var waiters: [CheckedContinuation<Void, Never>] = []
  }

  private let state = Mutex(State())

  /// The number of method Tasks running.
  var running: Int {
    self.state.withLock { $0.running }
  }

  /// A method Task is created.
  func taskStarted() {
    self.state.withLock { $0.running += 1 }
  }

  /// A method Task ends.
  func taskEnded() {
    let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
      precondition(state.running > 0, "taskEnded without taskStarted")
      state.running -= 1
      guard state.running == 0 else { return [] }
      defer { state.waiters = [] }
      return state.waiters
    }
    for waiter in waiters { waiter.resume() }
  }

  /// Returns once no method Task is running.
  func waitUntilNoneRunning() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let done = self.state.withLock { state in
        if state.running == 0 { return true }
        state.waiters.append(continuation)
        return false
      }
      if done { continuation.resume() }
    }
  }
}
