import Testing

@testable import MotCuaServer

/// `RandomText`: identifiers and tracking codes drawn uniformly from their alphabets.
@Suite struct RandomTextTests {
  @Test func textHasTheLengthAndOnlyTheAlphabetsCharacters() {
    for length in [1, 8, 12, 13, 20, 25] {
      let text = RandomText.make(length: length, alphabet: RandomText.trackingAlphabet)
      #expect(text.count == length)
      #expect(text.allSatisfy(RandomText.trackingAlphabet.contains))
    }
  }

  /// Every character and every position is used evenly: 3,000 ids of 20 characters, a chi-square test per
  /// position (31 degrees of freedom; P(χ² ≥ 85) ≈ 6e-7, so the 21 checks fail by chance about once in 70,000
  /// runs) and over all positions together.
  @Test func everyCharacterIsEquallyLikelyAtEveryPosition() {
    let alphabet = RandomText.lowerBase32
    let index = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })
    let samples = 3000
    var counts = [[Int]](repeating: [Int](repeating: 0, count: 32), count: 20)
    for _ in 0..<samples {
      for (position, character) in RandomText.make(length: 20, alphabet: alphabet).enumerated() {
        counts[position][index[character]!] += 1
      }
    }
    func chiSquare(_ observed: [Int], total: Int) -> Double {
      let expected = Double(total) / 32
      return observed.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    }
    for position in 0..<20 {
      #expect(chiSquare(counts[position], total: samples) < 85, "position \(position): \(counts[position])")
    }
    let overall = (0..<32).map { c in counts.reduce(0) { $0 + $1[c] } }
    #expect(chiSquare(overall, total: samples * 20) < 85, "\(overall)")
  }
}
