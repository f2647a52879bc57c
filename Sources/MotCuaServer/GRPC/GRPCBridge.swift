import GRDB
import GRPCCore
import Logging
import MotCuaDomain

/// The one place where grpc-swift-2's server types meet the handlers: metadata and peer into a
/// `CallContext`, handler errors into gRPC statuses. A caller's mistake is never INTERNAL.
struct GRPCBridge: Sendable {
  let logger: Logger

  func unary<Request: Sendable, Response: Sendable>(
    _ request: ServerRequest<Request>, _ context: ServerContext,
    _ handler: (Request, CallContext) async throws -> Response
  ) async throws -> ServerResponse<Response> {
    do {
      return ServerResponse(message: try await handler(request.message, Self.callContext(request.metadata, context)))
    } catch {
      throw self.status(for: error, method: context.descriptor)
    }
  }

  func serverStreaming<Request: Sendable, Response: Sendable>(
    _ request: ServerRequest<Request>, _ context: ServerContext,
    _ handler: @escaping @Sendable (Request, CallContext, (Response) async throws -> Void) async throws -> Void
  ) -> StreamingServerResponse<Response> {
    let call = Self.callContext(request.metadata, context)
    let message = request.message
    let method = context.descriptor
    return StreamingServerResponse { writer in
      do {
        try await handler(message, call) { try await writer.write($0) }
        return [:]
      } catch {
        throw self.status(for: error, method: method)
      }
    }
  }

  static func callContext(_ metadata: Metadata, _ context: ServerContext) -> CallContext {
    CallContext(
      authorization: metadata[stringValues: "authorization"].first(where: { _ in true }),
      peer: context.remotePeer)
  }

  /// Maps an error to the status the caller sees.
  func status(for error: any Error, method: MethodDescriptor) -> RPCError {
    switch error {
    case let error as DomainError:
      let code: RPCError.Code =
        switch error.code {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .failedPrecondition: .failedPrecondition
        case .permissionDenied: .permissionDenied
        case .unauthenticated: .unauthenticated
        case .resourceExhausted: .resourceExhausted
        case .unavailable: .unavailable
        }
      return RPCError(code: code, message: error.message)
    case let error as RPCError:
      return error
    case is CancellationError:
      return RPCError(code: .cancelled, message: "the call was cancelled")
    case let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED:
      return RPCError(code: .unavailable, message: "the database is busy; retry with the same idempotency key")
    default:
      self.logger.error("internal error", metadata: ["method": "\(method)", "error": "\(error)"])
      return RPCError(code: .internalError, message: "internal error; it has been logged")
    }
  }
}
