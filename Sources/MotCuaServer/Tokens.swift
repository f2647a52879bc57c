import Crypto
import MotCuaDomain

/// Bearer tokens: random, shown once, stored only as a SHA-256 hash.
public enum Tokens {
  /// A new token ("mct_" and 43 base64url characters: 256 random bits) and its id.
  public static func generate() -> (token: String, id: String) {
    var rng = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
    let id = "tok_" + RandomText.make(length: 12, alphabet: RandomText.lowerBase32)
    return ("mct_" + base64URL(bytes), id)
  }

  /// The hex SHA-256 the store keeps.
  public static func hash(_ token: String) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    hex.reserveCapacity(64)
    for byte in SHA256.hash(data: Array(token.utf8)) {  // every call hashes its token: no string per byte
      hex.append(digits[Int(byte >> 4)])
      hex.append(digits[Int(byte & 15)])
    }
    return String(decoding: hex, as: UTF8.self)
  }

  private static func base64URL(_ bytes: [UInt8]) -> String {
    let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    var out = ""
    var buffer = 0
    var bits = 0
    for byte in bytes {
      buffer = (buffer << 8) | Int(byte)
      bits += 8
      while bits >= 6 {
        bits -= 6
        out.append(table[(buffer >> bits) & 63])
      }
    }
    if bits > 0 { out.append(table[(buffer << (6 - bits)) & 63]) }
    return out
  }
}

/// Random identifiers and codes from the system's secure generator.
enum RandomText {
  static let lowerBase32 = Array("abcdefghijkmnpqrstuvwxyz23456789")
  /// Upper-case letters and digits without look-alikes (no I, O, 0, 1): easy to read off a ticket.
  static let trackingAlphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")

  /// `length` characters drawn uniformly from a 32-character `alphabet`: 5 random bits each, twelve to a 64-bit
  /// draw from the system's generator (one draw per character was a system call each, 28 per ticket).
  static func make(length: Int, alphabet: [Character]) -> String {
    precondition(alphabet.count == 32, "RandomText alphabets have 32 characters (5 bits each)")
    var rng = SystemRandomNumberGenerator()
    var text = ""
    text.reserveCapacity(length)
    var bits: UInt64 = 0
    for i in 0..<length {
      if i % 12 == 0 { bits = rng.next() }
      text.append(alphabet[Int(bits & 31)])
      bits >>= 5
    }
    return text
  }
}
