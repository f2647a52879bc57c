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
}
