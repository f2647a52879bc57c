internal import NIOCore

/// Sends one response message; suspends while HTTP/2 flow control holds the stream back; throws once
/// the stream is cancelled or closed.
public struct GRPCResponseWriter: Sendable {
  private let stream: NIOLoopBound<GRPCServerStream>

  init(stream: NIOLoopBound<GRPCServerStream>) {
    self.stream = stream
  }

  /// Sends one response message.
  ///
  /// Returns once the message is handed to HTTP/2 and the stream can take more; suspends while the
  /// client's flow-control window (and the stream's small outbound buffer) is full.
  ///
  /// - Throws: a ``GRPCStatus`` (CANCELLED, DEADLINE_EXCEEDED, …) once the call is over: the client
  ///   reset the stream, the connection was lost, the deadline passed, or the server shuts down.
  public func write(_ message: [UInt8]) async throws {
    try await self.write(GRPCEncodedMessage(message))
  }

  /// Sends a message encoded beforehand, as ``write(_:)-([UInt8])`` does: its bytes are written as they
  /// are, shared with every other stream the same message is written to.
  public func write(_ message: GRPCEncodedMessage) async throws {
    if Task.isCancelled {
      throw GRPCStatus(.cancelled, "the call was cancelled")
    }
    let stream = self.stream
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
      stream.eventLoop.execute {
        stream.value.methodSends(message, continuation: continuation)
      }
    }
  }

  // MARK: - Writes without waiting (fan-out)

  /// Writes `messages`, in order, to the stream of each of `writers` without a Task per stream and without
  /// waiting: one event-loop task per event loop writes them to every stream it serves, then flushes each
  /// connection once. For one message to many streams (an event to every display board of a branch); the
  /// methods of those streams wait in ``waitUntilDetached()`` meanwhile.
  ///
  /// Messages to a stream written from one thread, or under one lock, arrive in the order of the calls. A stream
  /// whose client lets `maxBacklog` of its messages pile up in HTTP/2's flow control (it stopped
  /// reading) is detached instead: it gets no more of these messages and its method's ``waitUntilDetached()``
  /// returns. Streams whose call is over are skipped.
  public static func writeWithoutWaiting(
    _ messages: [GRPCEncodedMessage], to writers: [GRPCResponseWriter], maxBacklog: Int
  ) {
    guard !messages.isEmpty else { return }
    Self.onEachEventLoop(writers) { streams in
      var connections: [ObjectIdentifier: GRPCConnectionHandler] = [:]
      for stream in streams {
        if let connection = stream.value.writeWithoutWaiting(messages, maxBacklog: maxBacklog) {
          connections[ObjectIdentifier(connection)] = connection
        }
      }
      for connection in connections.values { connection.flush() }
    }
  }

  /// Detaches the streams of `writers` from ``writeWithoutWaiting(_:to:maxBacklog:)``: their methods'
  /// ``waitUntilDetached()`` return (and the methods end their calls), after the messages already written.
  public static func detach(_ writers: [GRPCResponseWriter]) {
    Self.onEachEventLoop(writers) { streams in
      for stream in streams { stream.value.detach() }
    }
  }

  /// Suspends while other code writes to this stream with ``writeWithoutWaiting(_:to:maxBacklog:)``; returns
  /// once the stream is detached (it fell behind, or ``detach(_:)``).
  ///
  /// - Throws: a ``GRPCStatus`` once the call is over (as ``write(_:)-([UInt8])`` does), or when the Task is
  ///   cancelled.
  public func waitUntilDetached() async throws {
    if Task.isCancelled {
      throw GRPCStatus(.cancelled, "the call was cancelled")
    }
    let stream = self.stream
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        stream.eventLoop.execute {
          stream.value.waitUntilDetached(continuation)
        }
      }
    } onCancel: {
      stream.eventLoop.execute {
        stream.value.detachWaitCancelled(GRPCStatus(.cancelled, "the call was cancelled"))
      }
    }
  }

  /// Runs `body` once on each event loop of the writers' streams, with the streams it serves.
  private static func onEachEventLoop(
    _ writers: [GRPCResponseWriter], _ body: @escaping @Sendable ([NIOLoopBound<GRPCServerStream>]) -> Void
  ) {
    guard let first = writers.first else { return }
    if writers.allSatisfy({ $0.stream.eventLoop === first.stream.eventLoop }) {
      let streams = writers.map(\.stream)
      first.stream.eventLoop.execute { body(streams) }
      return
    }
    var byLoop: [ObjectIdentifier: (loop: any EventLoop, streams: [NIOLoopBound<GRPCServerStream>])] = [:]
    for writer in writers {
      let loop = writer.stream.eventLoop
      byLoop[ObjectIdentifier(loop), default: (loop, [])].streams.append(writer.stream)
    }
    for (loop, streams) in byLoop.values {
      loop.execute { body(streams) }
    }
  }
}
