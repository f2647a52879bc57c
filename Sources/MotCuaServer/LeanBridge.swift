import GRDB
import LeanGRPC
import Logging
import MotCuaDomain
import MotCuaStore
import StageCPU
import SwiftProtobuf

/// The one place where the gRPC server meets the handlers: message bytes ⇄ protobuf messages, a call's metadata,
/// peer and deadline into a `CallContext`, handler errors into gRPC statuses. A caller's mistake is never
/// INTERNAL. The routing table (`MotCuaRoutes.swift`, generated from the contract) calls it for every method.
struct LeanBridge: Sendable {
  let core: MotCuaCore
  let logger: Logger

  /// A unary method: decode, run the handler, encode.
  func unary<Request: Message, Response: Message>(
    _ request: Request.Type, _ handler: @escaping @Sendable (Request, CallContext) async throws -> Response
  ) -> GRPCMethod {
    .unary { bytes, call in
      let message = try Self.decode(Request.self, bytes)
      return try await Self.withDeadline(call) { try Self.encode(try await handler(message, Self.context(call))) }
    }
  }

  /// A unary method answered from memory (its handler takes a `PublicCaller`): on the event loop, without a Task,
  /// when the caller is admitted without the store and the handler can answer cheaply; otherwise in a Task.
  func unary<Request: Message, Response: Message>(
    _ request: Request.Type, _ handler: @escaping @Sendable (Request, PublicCaller) throws -> Response
  ) -> GRPCMethod {
    let core = self.core
    return .unaryInline(
      inline: { bytes, call in
        let message = try Self.decode(Request.self, bytes)
        guard let caller = try core.admitPublicFromMemory(Self.context(call)) else { return nil }
        do {
          return try Self.encode(try handler(message, caller))
        } catch is PublicCaller.AnswerInTask {
          return nil
        }
      },
      otherwise: { bytes, call in
        let message = try Self.decode(Request.self, bytes)
        return try await Self.withDeadline(call) {
          try Self.encode(try handler(message, try await core.admitPublic(Self.context(call))))
        }
      })
  }

  /// A server-streaming method: decode, run the handler, encode each message it sends.
  func serverStreaming<Request: Message, Response: Message>(
    _ request: Request.Type,
    _ handler: @escaping @Sendable (Request, CallContext, (Response) async throws -> Void) async throws -> Void
  ) -> GRPCMethod {
    .serverStreaming { bytes, call, writer in
      let message = try Self.decode(Request.self, bytes)
      try await Self.withDeadline(call) {
        try await handler(message, Self.context(call)) { response in
          try await writer.write(try Self.encode(response))
        }
      }
    }
  }

  /// A server-streaming method whose handler may also send messages encoded beforehand (see `StreamSender`).
  func serverStreaming<Request: Message, Response: Message>(
    _ request: Request.Type,
    _ handler: @escaping @Sendable (Request, CallContext, StreamSender<Response>) async throws -> Void
  ) -> GRPCMethod {
    .serverStreaming { bytes, call, writer in
      let message = try Self.decode(Request.self, bytes)
      try await Self.withDeadline(call) {
        try await handler(message, Self.context(call), StreamSender(writer: writer))
      }
    }
  }

  /// Runs `body` with the call's deadline visible to the store (no task-local is set for calls without one).
  static func withDeadline<T: Sendable>(_ call: GRPCCall, _ body: () async throws -> T) async throws -> T {
    guard let deadline = call.deadline else { return try await body() }
    return try await CommandDeadline.$current.withValue(deadline) { try await body() }
  }

  static func decode<Request: Message>(_ type: Request.Type, _ bytes: [UInt8]) throws -> Request {
    do {
      return try StageCPU.shared.measure(.decode) { try Request(serializedBytes: bytes) }
    } catch {
      throw GRPCStatus(.invalidArgument, "the request is not a valid \(Request.protoMessageName) message")
    }
  }

  static func encode(_ response: some Message) throws -> [UInt8] {
    try StageCPU.shared.measure(.encode) { try response.serializedBytes() }
  }

  static func context(_ call: GRPCCall) -> CallContext {
    CallContext(authorization: call.metadata("authorization"), peer: call.peer, deadline: call.deadline)
  }

  /// The status a handler's error is answered with.
  func status(for error: any Error, path: String) -> GRPCStatus {
    switch error {
    case let error as DomainError:
      let code: GRPCStatusCode =
        switch error.code {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .failedPrecondition: .failedPrecondition
        case .permissionDenied: .permissionDenied
        case .unauthenticated: .unauthenticated
        case .resourceExhausted: .resourceExhausted
        case .unavailable: .unavailable
        case .deadlineExceeded: .deadlineExceeded
        }
      return GRPCStatus(code, error.message)
    case let status as GRPCStatus:
      return status
    case is CancellationError:
      return GRPCStatus(.cancelled, "the call was cancelled")
    case let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED:
      return GRPCStatus(.unavailable, "the database is busy; retry with the same idempotency key")
    default:
      self.logger.error("internal error", metadata: ["method": "\(path)", "error": "\(error)"])
      return GRPCStatus(.internalError, "internal error; it has been logged")
    }
  }
}
