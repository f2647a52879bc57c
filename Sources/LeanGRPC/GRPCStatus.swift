/// A gRPC status: a code and a human-readable message.
///
/// Methods throw a `GRPCStatus` to answer with that status as is; any other error goes through
/// ``GRPCServerConfiguration/statusForError``.
public struct GRPCStatus: Error, Sendable, Equatable {
  /// The status code sent in `grpc-status`.
  public var code: GRPCStatusCode
  /// The message sent, percent-encoded, in `grpc-message` (omitted when empty).
  public var message: String

  /// Creates a status.
  public init(_ code: GRPCStatusCode, _ message: String) {
    self.code = code
    self.message = message
  }
}
