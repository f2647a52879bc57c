internal import Logging
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// Serves one HTTP/2 stream: feeds its frames to a ``GRPCServerStreamStateMachine``, performs the
/// actions (writes, deadline timer, the method's Task) and delivers the method's results back.
final class GRPCStreamHandler: ChannelInboundHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private let core: GRPCServerCore
  private let connection: GRPCConnectionHandler
  private var machine: GRPCServerStreamStateMachine
  private var context: ChannelHandlerContext?
  private var task: Task<Void, Never>?
  private var deadlineTimer: Scheduled<Void>?
  /// Writers of a streaming method waiting for the stream to become writable, oldest first (a
  /// method may write from several child Tasks at once).
  private var pendingWrites: [CheckedContinuation<Void, any Error>] = []
  /// The status that ended the call, given to a streaming writer that tries to write after it.
  private var closedStatus = GRPCStatus(.cancelled, "the call was cancelled")
  private var registeredForShutdown = false

  init(core: GRPCServerCore, connection: GRPCConnectionHandler) {
    self.core = core
    self.connection = connection
    self.machine = GRPCServerStreamStateMachine(limits: core.limits)
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let action: GRPCServerStreamStateMachine.Action
    switch self.unwrapInboundIn(data) {
    case .headers(let headers):
      let core = self.core
      action = self.machine.receiveHeaders(
        headers.headers,
        endStream: headers.endStream,
        peer: self.connection.peer,
        now: .now,
        route: { core.methods[$0]?.kind }
      )
    case .data(let data):
      guard case .byteBuffer(let buffer) = data.data else { return }
      action = self.machine.receiveData(buffer, endStream: data.endStream)
    default:
      return
    }
    self.perform(action)
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable, !self.pendingWrites.isEmpty {
      // Each waiter's message is written already: they only wait for room for the next one.
      let waiters = self.pendingWrites
      self.pendingWrites = []
      for waiter in waiters { waiter.resume() }
    }
    context.fireChannelWritabilityChanged()
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.perform(self.machine.streamClosed())
    self.finish()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    // Stream errors (e.g. a reset) close the stream channel; channelInactive does the rest.
    self.core.logger.trace("stream error", metadata: ["error": "\(error)"])
  }

  // MARK: - Events from the method and the connection

  /// The deadline timer fired.
  private func deadlinePassed() {
    self.deadlineTimer = nil
    self.perform(self.machine.deadlinePassed())
  }

  /// A unary method returned or threw.
  func unaryCompleted(_ result: Result<[UInt8], any Error>, path: String) {
    switch result {
    case .success(let response):
      self.perform(self.machine.methodReturned(response))
    case .failure(let error):
      self.perform(self.machine.methodFinished(self.core.status(for: error, path: path)))
    }
  }

  /// A streaming method returned (OK) or threw.
  func streamingCompleted(_ error: (any Error)?, path: String) {
    let status = error.map { self.core.status(for: $0, path: path) } ?? GRPCStatus(.ok, "")
    self.perform(self.machine.methodFinished(status))
  }

  /// A streaming method writes a message; `continuation` resumes once the stream can take more.
  func methodSends(_ message: [UInt8], continuation: CheckedContinuation<Void, any Error>) {
    let action = self.machine.methodSends(message)
    if case .write(let response) = action, response.trailers == nil, let context = self.context {
      self.perform(action)
      if self.machine.isClosed {
        // Writing closed the stream re-entrantly (e.g. the connection failed during the flush).
        continuation.resume(throwing: self.closedStatus)
      } else if context.channel.isWritable {
        continuation.resume()
      } else {
        self.pendingWrites.append(continuation)
      }
    } else {
      self.perform(action)
      continuation.resume(throwing: self.closedStatus)
    }
  }

  /// The server shuts down gracefully.
  func serverShuttingDown() {
    self.perform(self.machine.serverShuttingDown())
  }

  // MARK: - Actions

  private func perform(_ action: GRPCServerStreamStateMachine.Action) {
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
      self.write(response)
    case .cancelMethod:
      self.cancelMethod(GRPCStatus(.cancelled, "the call was cancelled"))
    }
  }

  private func armDeadline(_ deadline: ContinuousClock.Instant) {
    guard let context = self.context else { return }
    let remaining = ContinuousClock.now.duration(to: deadline)
    // Saturated: the largest grpc-timeout (`99999999H`) overflows Int64 nanoseconds.
    let amount = TimeAmount(clamping: remaining)
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    self.deadlineTimer = context.eventLoop.scheduleTask(in: max(.zero, amount)) {
      loopBound.value.deadlinePassed()
    }
  }

  private func start(call: GRPCCall, kind: GRPCMethodKind, request: [UInt8]) {
    guard let context = self.context, let method = self.core.methods[call.path] else { return }
    let eventLoop = context.eventLoop
    let stream = NIOLoopBound(self, eventLoop: eventLoop)
    let path = call.path
    if case .serverStreaming = method {
      guard self.connection.register(self) else {
        // Graceful shutdown began before this call started: end it like the calls it cancelled.
        self.perform(self.machine.serverShuttingDown())
        return
      }
      self.registeredForShutdown = true
    }
    // A method keeps running after its stream closes until it honours cancellation: without this
    // limit a client resetting streams (or using tiny deadlines) could run any number of them.
    guard self.connection.methodStarting() else {
      self.perform(
        self.machine.methodFinished(
          GRPCStatus(.resourceExhausted, "too many calls running on this connection")))
      return
    }
    let tracker = self.core.methodTasks
    tracker.taskStarted()
    switch method {
    case .unary(let body):
      self.task = Task {
        let result: Result<[UInt8], any Error>
        do {
          result = .success(try await body(request, call))
        } catch {
          result = .failure(error)
        }
        eventLoop.execute {
          stream.value.unaryCompleted(result, path: path)
          stream.value.methodEnded()
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
          stream.value.methodEnded()
          tracker.taskEnded()
        }
      }
    }
  }

  /// The method's Task ended (its call may have ended long before).
  private func methodEnded() {
    self.connection.methodEnded()
  }

  private func write(_ response: GRPCServerStreamStateMachine.Response) {
    guard let context = self.context else { return }
    if let trailers = response.trailers,
      let code = trailers.first(name: "grpc-status").flatMap(Int.init),
      let statusCode = GRPCStatusCode(rawValue: code)
    {
      self.closedStatus = GRPCStatus(statusCode == .ok ? .cancelled : statusCode, "the call is over")
    }
    // Cancel before writing: flushing trailers and RST_STREAM may close the stream re-entrantly.
    if response.cancelMethod {
      self.cancelMethod(self.closedStatus)
    }
    if let headers = response.headers {
      context.write(self.wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
    }
    if let message = response.message {
      var buffer = context.channel.allocator.buffer(capacity: 5 + message.count)
      buffer.writeInteger(UInt8(0))
      buffer.writeInteger(UInt32(message.count))
      buffer.writeBytes(message)
      context.write(self.wrapOutboundOut(.data(.init(data: .byteBuffer(buffer)))), promise: nil)
    }
    if let trailers = response.trailers {
      context.write(
        self.wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
      if response.resetStream {
        context.write(self.wrapOutboundOut(.rstStream(.noError)), promise: nil)
      }
    }
    context.flush()
    if response.trailers != nil {
      self.finish()
    }
  }

  private func cancelMethod(_ status: GRPCStatus) {
    self.task?.cancel()
    self.task = nil
    self.failPendingWrites(status)
  }

  /// The call is over: stop the timer, wake a waiting writer, leave the connection's registry.
  private func finish() {
    self.deadlineTimer?.cancel()
    self.deadlineTimer = nil
    self.task = nil
    self.failPendingWrites(self.closedStatus)
    if self.registeredForShutdown {
      self.registeredForShutdown = false
      self.connection.unregister(self)
    }
  }

  private func failPendingWrites(_ status: GRPCStatus) {
    let waiters = self.pendingWrites
    self.pendingWrites = []
    for waiter in waiters { waiter.resume(throwing: status) }
  }
}
