@testable import MotCuaServer
import Testing

/// Token hashes: the store keeps them, so their text must not change between versions.
@Suite struct TokensTests {
  /// Lower-case hex SHA-256, as stored since the first version (FIPS 180-2's test vectors). Negative control: an
  /// encoding that drops a byte's leading zero fails the first vector (its digest has bytes 0x01 and 0x03).
  @Test func aTokenHashIsItsSHA256InLowerCaseHex() {
    #expect(Tokens.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Tokens.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }
}
