import LeanGRPC
import SwiftProtobuf

/// How a streaming handler sends its messages: one at a time (`send(response)`), or through its `writer`, which
/// other code may write to without waiting (`GRPCResponseWriter.writeWithoutWaiting`: one event encoded once for a
/// thousand display boards).
struct StreamSender<Response: Message>: Sendable {
  let writer: GRPCResponseWriter

  /// Serializes and sends one message.
  func callAsFunction(_ response: Response) async throws {
    try await self.writer.write(try LeanBridge.encode(response))
  }

  /// A message encoded once, for writing to any number of streams; the bytes are those `callAsFunction` sends.
  static func encode(_ response: Response) throws -> GRPCEncodedMessage {
    GRPCEncodedMessage(try LeanBridge.encode(response))
  }
}
