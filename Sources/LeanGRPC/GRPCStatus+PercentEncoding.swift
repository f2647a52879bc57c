extension GRPCStatus {
  /// Percent-encodes a status message for `grpc-message` (PROTOCOL-HTTP2): the UTF-8 bytes outside
  /// 0x20–0x7E, and `%` itself, become `%XX` (uppercase hex); the rest are kept.
  static func percentEncoded(_ message: String) -> String {
    let utf8 = message.utf8
    if utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E && $0 != UInt8(ascii: "%") }) {
      return message
    }
    let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count * 3)
    for byte in utf8 {
      if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
        bytes.append(byte)
      } else {
        bytes.append(UInt8(ascii: "%"))
        bytes.append(hex[Int(byte >> 4)])
        bytes.append(hex[Int(byte & 0x0F)])
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
