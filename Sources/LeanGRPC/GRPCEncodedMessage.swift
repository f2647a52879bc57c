internal import NIOCore

/// A response message with its gRPC length prefix, as it goes on the wire: every response is one. Encoded once,
/// it can be written to any number of streams without encoding or copying it again (an event fanned out to every
/// display board of a branch): every write shares the one buffer.
public struct GRPCEncodedMessage: Sendable {
  /// The length-prefixed message: compression flag 0, the length (4 bytes, big-endian), the bytes.
  let framed: ByteBuffer

  /// Encodes the serialized message `bytes`.
  public init(_ bytes: [UInt8]) {
    var buffer = ByteBufferAllocator().buffer(capacity: 5 + bytes.count)
    buffer.writeInteger(UInt8(0))
    buffer.writeInteger(UInt32(bytes.count))
    buffer.writeBytes(bytes)
    self.framed = buffer
  }

  /// The length of the message, without the prefix.
  public var count: Int { self.framed.readableBytes - 5 }

  /// The message's serialized bytes, without the prefix (a copy).
  public var bytes: [UInt8] { self.framed.getBytes(at: self.framed.readerIndex + 5, length: self.count) ?? [] }

  /// Whether `other` is this very encoding (the same buffer), not merely equal bytes.
  public func sharesStorage(with other: GRPCEncodedMessage) -> Bool {
    self.framed.withUnsafeReadableBytes { mine in
      other.framed.withUnsafeReadableBytes { theirs in
        mine.baseAddress == theirs.baseAddress && mine.count == theirs.count
      }
    }
  }
}
