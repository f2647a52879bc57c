/// A point in time: milliseconds since 1970-01-01T00:00:00Z. Integer, so it adds up exactly.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var millisecondsSinceEpoch: Int64

  public init(millisecondsSinceEpoch: Int64) {
    self.millisecondsSinceEpoch = millisecondsSinceEpoch
  }

  public init(secondsSinceEpoch: Int64) {
    self.millisecondsSinceEpoch = secondsSinceEpoch * 1000
  }

  public var secondsSinceEpoch: Int64 { self.millisecondsSinceEpoch.floorDivided(by: 1000) }

  /// The instant `seconds` later (earlier if negative).
  public func adding(seconds: Int64) -> Instant {
    Instant(millisecondsSinceEpoch: self.millisecondsSinceEpoch + seconds * 1000)
  }

  /// Seconds from `self` to `later`, rounded down.
  public func seconds(until later: Instant) -> Int64 {
    (later.millisecondsSinceEpoch - self.millisecondsSinceEpoch).floorDivided(by: 1000)
  }

  public var description: String { "\(self.millisecondsSinceEpoch)ms" }

  public static func < (lhs: Instant, rhs: Instant) -> Bool {
    lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
  }
}

extension Int64 {
  /// Division rounding towards negative infinity.
  func floorDivided(by divisor: Int64) -> Int64 {
    let (q, r) = self.quotientAndRemainder(dividingBy: divisor)
    return r < 0 ? q - 1 : q
  }
}
