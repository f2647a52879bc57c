import Foundation
public import MotCuaDomain

/// The real clock.
public struct SystemClock: WallClock {
  public init() {}

  public func now() -> Instant {
    Instant(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
  }
}
