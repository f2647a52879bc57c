import MotCuaDomain
import Synchronization

/// A clock the test sets.
final class ManualClock: WallClock {
  private let current: Mutex<Instant>

  init(_ start: Instant) { self.current = Mutex(start) }

  /// `date` at `time` in Hanoi.
  convenience init(_ date: String, _ time: String) {
    self.init(CivilTime.vietnam.instant(on: LocalDate(date)!, minute: ClockTime(time)!.minuteOfDay))
  }

  func now() -> Instant { self.current.withLock { $0 } }

  func advance(seconds: Int64) { self.current.withLock { $0 = $0.adding(seconds: seconds) } }

  func set(_ date: String, _ time: String) {
    let instant = CivilTime.vietnam.instant(on: LocalDate(date)!, minute: ClockTime(time)!.minuteOfDay)
    self.current.withLock { $0 = instant }
  }
}
