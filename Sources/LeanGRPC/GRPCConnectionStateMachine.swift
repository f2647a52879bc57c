internal import NIOHTTP2

/// The life of one HTTP/2 connection, without I/O: counts open streams and running methods, closes
/// an idle connection, and drains it on graceful shutdown (GOAWAY, then close once the last stream
/// closes).
///
/// Graceful shutdown sends two GOAWAYs, as gRPC servers do: first GOAWAY(max stream ID) with a
/// PING, so the client stops opening streams; once the PING is acknowledged (or the handler's
/// timer gives up waiting), GOAWAY naming the last stream the server saw, so streams the client
/// opened in the meantime are still served rather than silently dropped.
struct GRPCConnectionStateMachine {
  /// What the connection handler does next.
  enum Action: Equatable {
    case none
    /// Arm the idle timer (no stream is open).
    case armIdleTimer
    /// Cancel the idle timer (a stream opened).
    case cancelIdleTimer
    /// Send GOAWAY(max stream ID) and a PING; call ``secondGoAwayDue()`` when the PING is
    /// acknowledged (or after a timeout).
    case sendFirstGoAwayAndPing
    /// Send GOAWAY naming the last stream that will be served; keep the connection open.
    case sendGoAway(lastStreamID: HTTP2StreamID)
    /// Send GOAWAY, then close the connection (after the current writes, not re-entrantly).
    case sendGoAwayAndClose(lastStreamID: HTTP2StreamID)
    /// Close the connection (GOAWAY already sent), after the current writes, not re-entrantly.
    case close
  }

  private enum State {
    case active
    /// The first GOAWAY went out; waiting for the PING ACK.
    case drainingFirstGoAwaySent
    /// The final GOAWAY went out; closing once the last stream closes.
    case draining
    case closed
  }

  /// The most methods that may run at once on the connection (its stream limit).
  let maxRunningMethods: Int
  private var state: State = .active
  private(set) var openStreams = 0
  private(set) var lastStreamID: HTTP2StreamID = .rootStream
  /// Methods whose Task has not ended yet (their stream may be closed already).
  private(set) var runningMethods = 0

  init(maxRunningMethods: Int = .max) {
    self.maxRunningMethods = maxRunningMethods
  }

  /// Whether graceful shutdown has begun: new streaming calls are ended at once.
  var isDraining: Bool {
    if case .active = self.state { return false }
    return true
  }

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
    case .drainingFirstGoAwaySent, .closed:
      return .none
    }
  }

  /// A method is about to start; returns whether it may (the connection is under its limit).
  mutating func methodStarting() -> Bool {
    guard self.runningMethods < self.maxRunningMethods else { return false }
    self.runningMethods += 1
    return true
  }

  /// A method's Task ended.
  mutating func methodEnded() {
    precondition(self.runningMethods > 0, "methodEnded without methodStarting")
    self.runningMethods -= 1
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
    self.state = .drainingFirstGoAwaySent
    return .sendFirstGoAwayAndPing
  }

  /// The PING sent with the first GOAWAY was acknowledged, or waiting for it timed out.
  mutating func secondGoAwayDue() -> Action {
    guard case .drainingFirstGoAwaySent = self.state else { return .none }
    if self.openStreams == 0 {
      self.state = .closed
      return .sendGoAwayAndClose(lastStreamID: self.lastStreamID)
    }
    self.state = .draining
    return .sendGoAway(lastStreamID: self.lastStreamID)
  }
}
