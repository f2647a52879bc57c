/// The `grpc-timeout` header: 1 to 8 ASCII digits then a unit (`H`, `M`, `S`, `m`, `u`, `n`).
enum GRPCTimeout {
  /// Parses a `grpc-timeout` value; `nil` when it is malformed.
  static func parse(_ value: String) -> Duration? {
    let utf8 = value.utf8
    guard utf8.count >= 2, utf8.count <= 9 else { return nil }
    var amount: Int64 = 0
    var index = utf8.startIndex
    let unitIndex = utf8.index(before: utf8.endIndex)
    while index != unitIndex {
      let byte = utf8[index]
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      amount = amount * 10 + Int64(byte - UInt8(ascii: "0"))
      index = utf8.index(after: index)
    }
    switch utf8[unitIndex] {
    case UInt8(ascii: "H"): return .seconds(amount * 3600)
    case UInt8(ascii: "M"): return .seconds(amount * 60)
    case UInt8(ascii: "S"): return .seconds(amount)
    case UInt8(ascii: "m"): return .milliseconds(amount)
    case UInt8(ascii: "u"): return .microseconds(amount)
    case UInt8(ascii: "n"): return .nanoseconds(amount)
    default: return nil
    }
  }
}
