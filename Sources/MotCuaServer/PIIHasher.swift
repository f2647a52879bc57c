import Crypto
import Foundation
public import Logging
import Appointments
import MotCuaDomain

/// Keyed hashes (HMAC-SHA256) of citizens' identity numbers and phones: the store keeps these, never the
/// numbers. The key comes from `MOTCUA_PII_KEY`, or a key file beside the database (created with mode 0600 on
/// first start, with a warning: every node of a deployment must be given the same key).
public struct PIIHasher: Sendable {
  private let keyBytes: [UInt8]

  init(key: some Sequence<UInt8>) {
    self.keyBytes = Array(key)
  }

  /// Loads the key from the environment or `keyFile`, creating the file if neither exists and `mayCreate`.
  public static func load(
    environment: [String: String], keyFile: String, logger: Logger, mayCreate: Bool = true
  ) throws -> PIIHasher {
    if let secret = environment["MOTCUA_PII_KEY"], !secret.isEmpty {
      return PIIHasher(key: SHA256.hash(data: Array(secret.utf8)))
    }
    if let data = FileManager.default.contents(atPath: keyFile) {
      guard data.count >= 32 else { throw DomainError.failedPrecondition("PII key file \(keyFile) is too short") }
      return PIIHasher(key: data)
    }
    guard mayCreate else {
      throw DomainError.failedPrecondition(
        "PII key file \(keyFile) does not exist; create it once and give every server the same file "
          + "(e.g. head -c 32 /dev/urandom > \(keyFile))")
    }
    var rng = SystemRandomNumberGenerator()
    let bytes = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    guard FileManager.default.createFile(atPath: keyFile, contents: bytes, attributes: [.posixPermissions: 0o600])
    else { throw DomainError.failedPrecondition("cannot create PII key file \(keyFile)") }
    logger.warning(
      "generated a new PII key; every server sharing this database must use the same key (MOTCUA_PII_KEY or this file)",
      metadata: ["file": "\(keyFile)"])
    return PIIHasher(key: bytes)
  }

  func hash(_ purpose: String, _ value: String) -> String {
    HMAC<SHA256>.authenticationCode(
      for: Array("\(purpose):\(value)".utf8), using: SymmetricKey(data: self.keyBytes))
      .map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
  }

  /// The stored form of a citizen; throws INVALID_ARGUMENT for malformed numbers.
  func identity(nationalID: String, phone: String) throws(DomainError) -> CitizenIdentity {
    let id = try CitizenIdentity.normalizedNationalID(nationalID)
    let phone = try CitizenIdentity.normalizedPhone(phone)
    return CitizenIdentity(
      nationalIDHash: self.hash("national-id", id), phoneHash: self.hash("phone", phone),
      phoneLastDigits: String(phone.suffix(3)))
  }

  func nationalIDHash(_ nationalID: String) throws(DomainError) -> String {
    self.hash("national-id", try CitizenIdentity.normalizedNationalID(nationalID))
  }
}
