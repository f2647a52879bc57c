internal import Logging
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// Serves one HTTP/2 stream of a connection: feeds its frames to a ``GRPCServerStreamStateMachine``,
/// performs the actions (writes through the connection, the deadline timer, the method — inline or
/// as a Task) and delivers the method's results back. Lives on the connection's event loop; the
/// connection handler owns it from the stream's first HEADERS until the stream closes.
final class GRPCServerStream {
  /// How many bytes of a streaming method's messages may wait in HTTP/2's flow-control buffer before
  /// the method's next `write` suspends.
  static let outboundHighWatermark = 64 * 1024

  let id: HTTP2StreamID
  private let core: GRPCServerCore
  // Strong: the connection drops its streams when they close or the connection goes inactive.
  private let connection: GRPCConnectionHandler
  private let eventLoop: any EventLoop
  private var machine: GRPCServerStreamStateMachine
  /// The method at the request's path, found when its headers arrived.
  private var method: GRPCMethod?
  private var task: Task<Void, Never>?
  private var deadlineTimer: Scheduled<Void>?
  /// Writers of a streaming method waiting for room, oldest first (a method may write from several
  /// child Tasks at once).
  private var pendingWrites: [CheckedContinuation<Void, any Error>] = []
  /// Bytes of this stream's messages handed to HTTP/2 and not yet passed on by its flow control.
  private var bytesInFlight = 0
  /// How many of this stream's messages HTTP/2 holds (not yet passed on by its flow control).
  private var messagesInFlight = 0
  /// The method waiting while others write to its stream without waiting (``writeWithoutWaiting(_:maxBacklog:)``).
  private var detachWaiter: CheckedContinuation<Void, any Error>?
  /// Whether writes without waiting stopped: the stream fell behind, or ``detach()`` was called.
  private var detached = false
  /// The method's Task was cancelled before it began to wait for ``detach()``.
  private var detachWaitCancelled = false
  /// The status that ended the call, given to a streaming writer that tries to write after it.
  private var closedStatus = GRPCStatus(.cancelled, "the call was cancelled")
  /// Whether a streaming method runs (graceful shutdown ends those calls).
  private(set) var isStreaming = false
  private var closed = false

  init(id: HTTP2StreamID, core: GRPCServerCore, connection: GRPCConnectionHandler, eventLoop: any EventLoop) {
    self.id = id
    self.core = core
    self.connection = connection
    self.eventLoop = eventLoop
    self.machine = GRPCServerStreamStateMachine(limits: core.limits)
  }

  // MARK: - Events from the connection

  func receiveHeaders(_ headers: HPACKHeaders, endStream: Bool) {
    let methods = self.core.methods
    var routed: GRPCMethod?
    let action = self.machine.receiveHeaders(
      headers, endStream: endStream, peer: self.connection.peer, now: .now,
      route: { path in
        routed = methods[path]  // looked up once: `start` runs the method found here
        return routed?.kind
      })
    if routed != nil { self.method = routed }
    self.perform(action)
  }

  func receiveData(_ buffer: ByteBuffer, endStream: Bool) {
    self.perform(self.machine.receiveData(buffer, endStream: endStream))
  }

  /// The stream closed (reset by either side, ended, or the connection was lost).
  func streamClosed() {
    guard !self.closed else { return }
    self.perform(self.machine.streamClosed())
    self.finish()
    self.closed = true
  }

  /// The server shuts down gracefully.
  func serverShuttingDown() {
    self.perform(self.machine.serverShuttingDown())
  }

  // MARK: - Events from the method

  /// The deadline timer fired.
  private func deadlinePassed() {
    self.deadlineTimer = nil
    self.perform(self.machine.deadlinePassed())
  }

  /// A unary method returned or threw.
  private func unaryCompleted(_ result: Result<[UInt8], any Error>, path: String) {
    switch result {
    case .success(let response):
      self.perform(self.machine.methodReturned(response))
    case .failure(let error):
      self.perform(self.machine.methodFinished(self.core.status(for: error, path: path)))
    }
  }

  /// A streaming method returned (OK) or threw.
  private func streamingCompleted(_ error: (any Error)?, path: String) {
    let status = error.map { self.core.status(for: $0, path: path) } ?? GRPCStatus(.ok, "")
    self.perform(self.machine.methodFinished(status))
  }

  /// A streaming method writes a message; `continuation` resumes once the stream can take more.
  func methodSends(_ message: GRPCEncodedMessage, continuation: CheckedContinuation<Void, any Error>) {
    let action = self.machine.methodSends(message)
    guard case .write(let response) = action, response.trailers == nil, !self.closed else {
      self.perform(action)
      continuation.resume(throwing: self.closedStatus)
      return
    }
    self.perform(action)
    if self.closed || self.machine.isClosed {
      continuation.resume(throwing: self.closedStatus)
    } else if self.bytesInFlight <= Self.outboundHighWatermark {
      continuation.resume()
    } else {
      self.pendingWrites.append(continuation)
    }
  }

  // MARK: - Actions

  /// Writes messages to a streaming method's stream on behalf of other code (many streams share them), without
  /// flushing; the stream is detached instead once HTTP/2 holds `maxBacklog` of its messages (a client that
  /// stopped reading). Returns the connection to flush, or `nil` when the stream takes no such writes.
  func writeWithoutWaiting(_ messages: [GRPCEncodedMessage], maxBacklog: Int) -> GRPCConnectionHandler? {
    guard !self.closed, !self.detached, self.isStreaming else { return nil }
    for message in messages {
      guard self.messagesInFlight < maxBacklog else {
        self.detach()
        break
      }
      self.perform(self.machine.methodSends(message), flush: false)
      if self.closed || self.machine.isClosed { break }
    }
    return self.connection
  }

  /// Ends writes without waiting: the method's ``waitUntilDetached(_:)`` returns, and later writes are dropped.
  func detach() {
    guard !self.detached else { return }
    self.detached = true
    let waiter = self.detachWaiter
    self.detachWaiter = nil
    waiter?.resume()
  }

  /// The method waits while others write to its stream: `continuation` resumes once the stream is detached, and
  /// throws once the call is over.
  func waitUntilDetached(_ continuation: CheckedContinuation<Void, any Error>) {
    if self.detached {
      continuation.resume()
    } else if self.closed || self.machine.isClosed || self.detachWaitCancelled || self.detachWaiter != nil {
      continuation.resume(throwing: self.closedStatus)
    } else {
      self.detachWaiter = continuation
    }
  }

  /// The method's Task was cancelled while (or before) it waits to be detached.
  func detachWaitCancelled(_ status: GRPCStatus) {
    self.detachWaitCancelled = true
    let waiter = self.detachWaiter
    self.detachWaiter = nil
    waiter?.resume(throwing: status)
  }

  private func perform(_ action: GRPCServerStreamStateMachine.Action, flush: Bool = true) {
    switch action {
    case .none, .drop:
      break
    case .armDeadline(let deadline):
      self.armDeadline(deadline)
    case .startMethod(let call, let kind, let request):
      // A deadline that passed while the request arrived (e.g. `grpc-timeout: 1n`): the method never runs.
      if let deadline = call.deadline, ContinuousClock.now >= deadline {
        self.perform(self.machine.deadlinePassed())
      } else {
        self.start(call: call, kind: kind, request: request)
      }
    case .write(let response):
      self.write(response, flush: flush)
    case .cancelMethod:
      self.cancelMethod(GRPCStatus(.cancelled, "the call was cancelled"))
    }
  }

  private func armDeadline(_ deadline: ContinuousClock.Instant) {
    let remaining = ContinuousClock.now.duration(to: deadline)
    // Saturated: the largest grpc-timeout (`99999999H`) overflows Int64 nanoseconds.
    let amount = TimeAmount(clamping: remaining)
    let stream = NIOLoopBound(self, eventLoop: self.eventLoop)
    self.deadlineTimer = self.eventLoop.scheduleTask(in: max(.zero, amount)) {
      stream.value.deadlinePassed()
    }
  }

  private func start(call: GRPCCall, kind: GRPCMethodKind, request: [UInt8]) {
    guard let method = self.method else { return }
    let path = call.path
    if case .unaryInline(let inline, _) = method {
      // Answered here, on the event loop, when the method can do so from memory.
      let answer: [UInt8]?
      do {
        answer = try inline(request, call)
      } catch {
        self.perform(self.machine.methodFinished(self.core.status(for: error, path: path)))
        return
      }
      if let answer {
        self.perform(self.machine.methodReturned(answer))
        return
      }
    }
    if case .serverStreaming = method {
      guard !self.connection.isDraining else {
        // Graceful shutdown began before this call started: end it like the calls it cancelled.
        self.perform(self.machine.serverShuttingDown())
        return
      }
      self.isStreaming = true
    }
    // A method keeps running after its stream closes until it honours cancellation: without this
    // limit a client resetting streams (or using tiny deadlines) could run any number of them.
    guard self.connection.methodStarting() else {
      self.perform(
        self.machine.methodFinished(
          GRPCStatus(.resourceExhausted, "too many calls running on this connection")))
      return
    }
    let eventLoop = self.eventLoop
    let stream = NIOLoopBound(self, eventLoop: eventLoop)
    let tracker = self.core.methodTasks
    let connection = NIOLoopBound(self.connection, eventLoop: eventLoop)
    tracker.taskStarted()
    switch method {
    case .unary(let body), .unaryInline(_, otherwise: let body):
      self.task = Task {
        let result: Result<[UInt8], any Error>
        do {
          result = .success(try await body(request, call))
        } catch {
          result = .failure(error)
        }
        eventLoop.execute {
          stream.value.unaryCompleted(result, path: path)
          connection.value.methodEnded()
          tracker.taskEnded()
        }
      }
    case .serverStreaming(let body):
      let writer = GRPCResponseWriter(stream: stream)
      self.task = Task {
        var failure: (any Error)?
        do {
          try await body(request, call, writer)
        } catch {
          failure = error
        }
        eventLoop.execute { [failure] in
          stream.value.streamingCompleted(failure, path: path)
          connection.value.methodEnded()
          tracker.taskEnded()
        }
      }
    }
  }

  private func write(_ response: GRPCServerStreamStateMachine.Response, flush: Bool = true) {
    guard !self.closed else { return }
    if let trailers = response.trailers,
      let code = trailers.first(name: "grpc-status").flatMap(Int.init),
      let statusCode = GRPCStatusCode(rawValue: code)
    {
      self.closedStatus = GRPCStatus(statusCode == .ok ? .cancelled : statusCode, "the call is over")
    }
    if response.cancelMethod {
      self.cancelMethod(self.closedStatus)
    }
    if let headers = response.headers {
      self.connection.write(.headers(.init(headers: headers)), on: self.id)
    }
    if let buffer = response.message?.framed {  // shared with other streams, not copied
      let data = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(buffer)))
      if self.isStreaming && response.trailers == nil {
        // Counted until HTTP/2's flow control lets it go, so a streaming method waits for a slow reader.
        let size = buffer.readableBytes
        self.bytesInFlight += size
        self.messagesInFlight += 1
        let promise = self.eventLoop.makePromise(of: Void.self)
        let stream = NIOLoopBound(self, eventLoop: self.eventLoop)
        promise.futureResult.whenComplete { _ in stream.value.sent(size) }
        self.connection.write(data, on: self.id, promise: promise)
      } else {
        self.connection.write(data, on: self.id)
      }
    }
    if let trailers = response.trailers {
      self.connection.write(.headers(.init(headers: trailers, endStream: true)), on: self.id)
      if response.resetStream {
        self.connection.write(.rstStream(.noError), on: self.id)
      }
    }
    if flush {
      self.connection.flush()
    }
    if response.trailers != nil {
      self.finish()
    }
  }

  /// A streaming message left the flow-control buffer (or was dropped with the stream).
  private func sent(_ size: Int) {
    self.bytesInFlight -= size
    self.messagesInFlight -= 1
    if self.bytesInFlight <= Self.outboundHighWatermark, !self.pendingWrites.isEmpty {
      // Each waiter's message is written already: they only wait for room for the next one.
      let waiters = self.pendingWrites
      self.pendingWrites = []
      for waiter in waiters { waiter.resume() }
    }
  }

  private func cancelMethod(_ status: GRPCStatus) {
    self.task?.cancel()
    self.task = nil
    self.failPendingWrites(status)
  }

  /// The call is over: stop the timer, wake a waiting writer.
  private func finish() {
    self.deadlineTimer?.cancel()
    self.deadlineTimer = nil
    self.task = nil
    self.failPendingWrites(self.closedStatus)
  }

  private func failPendingWrites(_ status: GRPCStatus) {
    let waiters = self.pendingWrites
    self.pendingWrites = []
    for waiter in waiters { waiter.resume(throwing: status) }
    let detachWaiter = self.detachWaiter
    self.detachWaiter = nil
    detachWaiter?.resume(throwing: status)
  }
}
