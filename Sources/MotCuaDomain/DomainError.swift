/// A failure a caller can act on: the code says what kind, the message says what to do.
///
/// The server maps `code` to a gRPC status; the domain never imports gRPC.
public struct DomainError: Error, Hashable, Sendable, CustomStringConvertible {
  public enum Code: String, Sendable, Hashable {
    case invalidArgument
    case notFound
    case failedPrecondition
    case permissionDenied
    case unauthenticated
    case resourceExhausted
    case unavailable
    /// The caller's deadline passed before the command committed: nothing was applied.
    case deadlineExceeded
  }

  public let code: Code
  public let message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "\(self.code): \(self.message)" }

  public static func invalidArgument(_ message: String) -> DomainError { .init(.invalidArgument, message) }
  public static func notFound(_ message: String) -> DomainError { .init(.notFound, message) }
  public static func failedPrecondition(_ message: String) -> DomainError { .init(.failedPrecondition, message) }
  public static func permissionDenied(_ message: String) -> DomainError { .init(.permissionDenied, message) }
  public static func unauthenticated(_ message: String) -> DomainError { .init(.unauthenticated, message) }
}
