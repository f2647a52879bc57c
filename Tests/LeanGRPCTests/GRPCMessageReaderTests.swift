import NIOCore
import Testing

@testable import LeanGRPC

@Suite struct GRPCMessageReaderTests {
  static func framed(_ payload: [UInt8]) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeInteger(UInt8(0))
    buffer.writeInteger(UInt32(payload.count))
    buffer.writeBytes(payload)
    return buffer
  }

  @Test(arguments: [1, 2, 5, 6, 100])
  func messageSplitIntoChunksIsReassembled(chunk: Int) {
    var reader = GRPCMessageReader(maxMessageBytes: 1024)
    let payload = (0..<300).map { UInt8($0 % 256) }
    var framed = Self.framed(payload)
    var results: [GRPCMessageReader.Next] = []
    while framed.readableBytes > 0 {
      reader.append(framed.readSlice(length: min(chunk, framed.readableBytes))!)
      results.append(reader.next())
    }
    #expect(results.last == .message(payload))
    #expect(results.dropLast().allSatisfy { $0 == .needMoreData })
    #expect(!reader.hasPartialMessage)
  }

  @Test func severalMessagesInOneFrameAreReadInOrder() {
    var reader = GRPCMessageReader(maxMessageBytes: 1024)
    var frame = Self.framed([1])
    var second = Self.framed([])
    var third = Self.framed([3, 3])
    frame.writeBuffer(&second)
    frame.writeBuffer(&third)
    reader.append(frame)
    #expect(reader.next() == .message([1]))
    #expect(reader.next() == .message([]))
    #expect(reader.next() == .message([3, 3]))
    #expect(reader.next() == .needMoreData)
  }

  @Test func messageAtTheLimitIsAccepted() {
    var reader = GRPCMessageReader(maxMessageBytes: 10)
    reader.append(Self.framed(Array(repeating: 1, count: 10)))
    #expect(reader.next() == .message(Array(repeating: 1, count: 10)))
  }

  @Test func messageOverTheLimitFailsFromItsPrefix() {
    var reader = GRPCMessageReader(maxMessageBytes: 10)
    var prefix = ByteBuffer()
    prefix.writeInteger(UInt8(0))
    prefix.writeInteger(UInt32(11))
    reader.append(prefix)
    guard case .failure(let status) = reader.next() else { Issue.record("no failure"); return }
    #expect(status.code == .resourceExhausted)
  }

  @Test(arguments: [UInt8(1), 2, 255])
  func compressedOrInvalidFlagIsInternal(flag: UInt8) {
    var reader = GRPCMessageReader(maxMessageBytes: 10)
    var buffer = ByteBuffer()
    buffer.writeInteger(flag)
    buffer.writeInteger(UInt32(1))
    buffer.writeInteger(UInt8(0))
    reader.append(buffer)
    guard case .failure(let status) = reader.next() else { Issue.record("no failure"); return }
    #expect(status.code == .internalError)
  }
}
