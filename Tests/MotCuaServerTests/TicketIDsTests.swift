import MotCuaDomain
import Testing

@testable import MotCuaServer

/// `TicketIDs`: time-ordered ticket ids that keep their length, alphabet and random part.
@Suite struct TicketIDsTests {
  /// Ids sort as their issue times do, down to the millisecond, across a carry in every prefix character
  /// (32^k − 1 → 32^k milliseconds) and over decades.
  @Test func idsSortAsTheirIssueTimesDo() {
    var times: [Int64] = [0, 1, 31, 32, 1_023, 1_024, 1_795_840_000_000, 1_795_840_000_001, 4_102_444_800_000]
    for k in 1..<9 { times += [(Int64(1) << (5 * k)) - 1, Int64(1) << (5 * k)] }
    times = Array(Set(times)).sorted()
    let ids = times.map { TicketIDs.make(at: Instant(millisecondsSinceEpoch: $0)).rawValue }
    for (earlier, later) in zip(ids, ids.dropFirst()) {
      #expect(earlier.prefix(12) < later.prefix(12), "\(earlier) should sort before \(later)")
    }
  }

  @Test func anIdIsTheOldShapeTimeThenRandomCharacters() {
    let id = TicketIDs.make(at: Instant(millisecondsSinceEpoch: 1_795_840_000_000)).rawValue
    #expect(id.count == 23 && id.hasPrefix("tk_"))
    #expect(id.dropFirst(3).allSatisfy(RandomText.lowerBase32.contains))
    #expect(Set(TicketIDs.timeAlphabet) == Set(RandomText.lowerBase32))
    #expect(TicketIDs.timeAlphabet == TicketIDs.timeAlphabet.sorted())
    // The time decodes back; the random part differs between two ids of the same millisecond.
    let decoded = id.dropFirst(3).prefix(9).reduce(Int64(0)) {
      $0 * 32 + Int64(TicketIDs.timeAlphabet.firstIndex(of: $1)!)
    }
    #expect(decoded == 1_795_840_000_000)
    let twin = TicketIDs.make(at: Instant(millisecondsSinceEpoch: 1_795_840_000_000)).rawValue
    #expect(twin.prefix(12) == id.prefix(12) && twin != id)
  }
}
