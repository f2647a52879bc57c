internal import NIOHTTP2

/// The life of one HTTP/2 connection, without I/O: counts open streams, closes an idle connection,
/// and drains it on graceful shutdown (GOAWAY, then close once the last stream closes).
struct GRPCConnectionStateMachine {
  /// What the connection handler does next.
  enum Action: Equatable {
    case none
    /// Arm the idle timer (no stream is open).
    case armIdleTimer
    /// Cancel the idle timer (a stream opened).
    case cancelIdleTimer
    /// Send GOAWAY naming the last stream that will be served; keep the connection open.
    case sendGoAway(lastStreamID: HTTP2StreamID)
    /// Send GOAWAY, then close the connection.
    case sendGoAwayAndClose(lastStreamID: HTTP2StreamID)
    /// Close the connection (GOAWAY already sent).
    case close
  }

  private enum State {
    case active
    case draining
    case closed
  }

  private var state: State = .active
  private(set) var openStreams = 0
  private(set) var lastStreamID: HTTP2StreamID = .rootStream

  /// The connection became active.
  mutating func connectionActive() -> Action {
    guard case .active = self.state, self.openStreams == 0 else { return .none }
    return .armIdleTimer
  }

  /// The peer opened a stream.
  mutating func streamOpened(_ id: HTTP2StreamID) -> Action {
    self.openStreams += 1
    if id > self.lastStreamID { self.lastStreamID = id }
    return self.openStreams == 1 ? .cancelIdleTimer : .none
  }

  /// A stream closed.
  mutating func streamClosed(_ id: HTTP2StreamID) -> Action {
    self.openStreams = max(0, self.openStreams - 1)
    guard self.openStreams == 0 else { return .none }
    switch self.state {
    case .active:
      return .armIdleTimer
    case .draining:
      self.state = .closed
      return .close
    case .closed:
      return .none
    }
  }

  /// The idle timer fired.
  mutating func idleTimerFired() -> Action {
    guard case .active = self.state, self.openStreams == 0 else { return .none }
    self.state = .closed
    return .sendGoAwayAndClose(lastStreamID: self.lastStreamID)
  }

  /// The server shuts down gracefully: no new streams, the open ones finish.
  mutating func beginGracefulShutdown() -> Action {
    guard case .active = self.state else { return .none }
    if self.openStreams == 0 {
      self.state = .closed
      return .sendGoAwayAndClose(lastStreamID: self.lastStreamID)
    }
    self.state = .draining
    return .sendGoAway(lastStreamID: self.lastStreamID)
  }
}
