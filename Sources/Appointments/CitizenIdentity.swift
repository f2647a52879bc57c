public import MotCuaDomain

/// A citizen's identity as the store keeps it: keyed hashes and the phone's last three digits, never the
/// numbers themselves.
public struct CitizenIdentity: Hashable, Sendable {
  public let nationalIDHash: String
  public let phoneHash: String
  public let phoneLastDigits: String

  public init(nationalIDHash: String, phoneHash: String, phoneLastDigits: String) {
    self.nationalIDHash = nationalIDHash
    self.phoneHash = phoneHash
    self.phoneLastDigits = phoneLastDigits
  }

  /// A national ID number reduced to its digits: 12 (CCCD) or 9 (old CMND).
  public static func normalizedNationalID(_ text: String) throws(DomainError) -> String {
    let digits = text.filter { $0 != " " }
    guard digits.allSatisfy(\.isASCIIDigitCharacter), digits.count == 12 || digits.count == 9 else {
      throw .invalidArgument("national_id must be a 12-digit citizen identity number (or a 9-digit old ID)")
    }
    return digits
  }

  /// A Vietnamese mobile number as 10 digits starting with 0 ("+84 91…" → "091…").
  public static func normalizedPhone(_ text: String) throws(DomainError) -> String {
    var digits = text.filter { $0 != " " && $0 != "-" && $0 != "." }
    if digits.hasPrefix("+84") { digits = "0" + digits.dropFirst(3) } else if digits.hasPrefix("84") && digits.count == 11 {
      digits = "0" + digits.dropFirst(2)
    }
    guard digits.count == 10, digits.hasPrefix("0"), digits.allSatisfy(\.isASCIIDigitCharacter) else {
      throw .invalidArgument("phone must be a Vietnamese mobile number, e.g. 0912345678 or +84912345678")
    }
    return digits
  }
}

extension Character {
  var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
