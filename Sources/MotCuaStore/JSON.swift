import Foundation
import MotCuaDomain

/// JSON text columns, encoded with sorted keys so that equal values store equal text.
package enum JSON {
  /// One of each for every call: they keep no state between calls, and making one costs more than a small value's
  /// encoding.
  private static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return encoder
  }()
  private static let decoder = JSONDecoder()

  package static func encode(_ value: some Encodable) throws -> String {
    if let ticket = value as? Ticket { return Self.text(of: ticket) }
    if let counts = value as? [String: Int] { return Self.text(of: counts) }
    if let counter = value as? CounterState { return Self.text(of: counter) }
    if let services = value as? [ServiceID] { return Self.text(of: services) }
    return String(decoding: try Self.encoder.encode(value), as: UTF8.self)
  }

  /// `encode` always through `JSONEncoder` (the reference the hand-written encodings are tested against).
  package static func encodeGenerically(_ value: some Encodable) throws -> String {
    String(decoding: try Self.encoder.encode(value), as: UTF8.self)
  }

  package static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try Self.decoder.decode(type, from: Data(text.utf8))
  }
}
