internal import NIOCore

/// Reassembles length-prefixed gRPC messages (1-byte compressed flag, 4-byte big-endian length,
/// payload) from DATA frames: a message may span many frames, a frame may hold many messages.
struct GRPCMessageReader {
  /// What the buffered bytes yield next.
  enum Next: Equatable {
    /// A whole message.
    case message([UInt8])
    /// The bytes so far end inside a message (or hold none).
    case needMoreData
    /// The next message cannot be accepted: the call must end with this status.
    case failure(GRPCStatus)
  }

  /// The largest payload accepted; checked as soon as the length prefix is read.
  let maxMessageBytes: Int
  private var buffer: ByteBuffer?

  init(maxMessageBytes: Int) {
    self.maxMessageBytes = maxMessageBytes
  }

  /// Whether bytes of an unfinished message are buffered.
  var hasPartialMessage: Bool {
    (self.buffer?.readableBytes ?? 0) > 0
  }

  /// Adds the bytes of a DATA frame.
  mutating func append(_ bytes: ByteBuffer) {
    guard bytes.readableBytes > 0 else { return }
    if var buffer = self.buffer, buffer.readableBytes > 0 {
      self.buffer = nil  // keep the storage uniquely referenced while appending
      var bytes = bytes
      buffer.writeBuffer(&bytes)
      self.buffer = buffer
    } else {
      self.buffer = bytes
    }
  }

  /// Takes the next whole message, if the buffered bytes hold one.
  mutating func next() -> Next {
    guard var buffer = self.buffer, buffer.readableBytes >= 5 else { return .needMoreData }
    let readerIndex = buffer.readerIndex
    let flag = buffer.getInteger(at: readerIndex, as: UInt8.self)!
    let length = Int(buffer.getInteger(at: readerIndex + 1, as: UInt32.self)!)
    switch flag {
    case 0:
      break
    case 1:
      // Only `identity` is accepted as grpc-encoding, so a compressed message has no usable
      // encoding: compression.md asks for INTERNAL.
      return .failure(GRPCStatus(.internalError, "compressed message received without grpc-encoding"))
    default:
      return .failure(GRPCStatus(.internalError, "invalid compressed flag \(flag)"))
    }
    guard length <= self.maxMessageBytes else {
      return .failure(
        GRPCStatus(
          .resourceExhausted,
          "request message of \(length) bytes is larger than the limit of \(self.maxMessageBytes) bytes"
        )
      )
    }
    guard buffer.readableBytes >= 5 + length else { return .needMoreData }
    self.buffer = nil
    buffer.moveReaderIndex(forwardBy: 5)
    let message = buffer.readBytes(length: length)!
    self.buffer = buffer.readableBytes > 0 ? buffer : nil
    return .message(message)
  }
}
