public import MotCuaDomain

/// Whether a booking can be checked in now: from `checkInEarlySeconds` before its start to
/// `checkInLateSeconds` after.
public enum CheckInWindow: Hashable, Sendable {
  case tooEarly(opensAt: Instant)
  case open
  case tooLate(closedAt: Instant)

  public static func evaluate(slotStart: Instant, now: Instant, policy: AppointmentPolicy) -> CheckInWindow {
    let opens = slotStart.adding(seconds: -policy.checkInEarlySeconds)
    let closes = slotStart.adding(seconds: policy.checkInLateSeconds)
    if now < opens { return .tooEarly(opensAt: opens) }
    if now > closes { return .tooLate(closedAt: closes) }
    return .open
  }
}
