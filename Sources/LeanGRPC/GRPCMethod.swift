/// A method served at one path, working on message bytes (the server knows no serialization).
public enum GRPCMethod: Sendable {
  /// One request message, one response message. Throw a ``GRPCStatus`` (or any error, mapped by
  /// ``GRPCServerConfiguration/statusForError``) to fail the call.
  case unary(@Sendable (_ request: [UInt8], _ call: GRPCCall) async throws -> [UInt8])
  /// A unary method that can usually answer at once from memory. `inline` runs on the connection's
  /// event loop as the request completes — no Task, no thread hop — and must neither block nor
  /// wait; it returns `nil` when it cannot answer without waiting (e.g. a token not yet known), and
  /// `otherwise` then serves the call like a ``unary(_:)`` method.
  case unaryInline(
    inline: @Sendable (_ request: [UInt8], _ call: GRPCCall) throws -> [UInt8]?,
    otherwise: @Sendable (_ request: [UInt8], _ call: GRPCCall) async throws -> [UInt8]
  )
  /// One request message, any number of response messages sent through the writer; the call ends
  /// with OK when the closure returns, or with the status of the error it throws.
  case serverStreaming(
    @Sendable (_ request: [UInt8], _ call: GRPCCall, _ send: GRPCResponseWriter) async throws -> Void
  )

  /// The shape of the method, as the stream state machine needs it.
  var kind: GRPCMethodKind {
    switch self {
    case .unary, .unaryInline: return .unary
    case .serverStreaming: return .serverStreaming
    }
  }
}

/// Whether a method answers with one message or a stream of them.
enum GRPCMethodKind: Sendable, Equatable {
  case unary
  case serverStreaming
}
