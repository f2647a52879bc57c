/// SplitMix64: a small, fast, seedable generator, so predictions are reproducible.
struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) {
    self.state = seed
  }

  mutating func next() -> UInt64 {
    self.state &+= 0x9E37_79B9_7F4A_7C15
    var z = self.state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform on the open interval (0, 1).
  mutating func uniform() -> Double {
    (Double(self.next() >> 11) + 0.5) * 0x1.0p-53
  }

  /// FNV-1a of a string, to derive a seed from a ticket id.
  static func hash(_ text: String, into seed: UInt64) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
    for byte in text.utf8 {
      h = (h ^ UInt64(byte)) &* 0x100_0000_01B3
    }
    return h
  }
}
