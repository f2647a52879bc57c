import MotCuaDomain

/// New ticket ids: `tk_`, the issue time in milliseconds as 9 characters that sort as the time does, then 11
/// random characters (55 bits), 23 characters in all as before.
///
/// Ids issued close together sit together in the stores' id indexes (the ticket's key, its events' ticket
/// index): a batch of tickets dirties the last page of each, not a random page per ticket, and at a million
/// tickets the pages written are the ones already in memory. A ticket's id with its tracking code is what
/// proves it is yours: 55 random bits and the code's 40 still leave 95 to guess.
enum TicketIDs {
  /// `RandomText.lowerBase32`'s characters in byte order, so that the time prefix sorts as the time does.
  static let timeAlphabet = RandomText.lowerBase32.sorted()
  /// 9 characters of 5 bits: milliseconds since 1970 up to the year 3084.
  static let timeLength = 9

  static func make(at instant: Instant) -> TicketID {
    TicketID("tk_" + self.timePrefix(instant) + RandomText.make(length: 11, alphabet: RandomText.lowerBase32))
  }

  /// The time in milliseconds, most significant character first (times before 1970 count as 1970).
  static func timePrefix(_ instant: Instant) -> String {
    let milliseconds = UInt64(max(0, instant.millisecondsSinceEpoch))
    var text = ""
    text.reserveCapacity(self.timeLength)
    for position in (0..<self.timeLength).reversed() {
      text.append(self.timeAlphabet[Int((milliseconds >> UInt64(5 * position)) & 31)])
    }
    return text
  }
}
