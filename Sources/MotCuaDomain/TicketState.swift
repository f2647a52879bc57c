/// Where a ticket is in its life: WAITING → CALLED → SERVING → DONE, and CALLED → NO_SHOW.
public enum TicketState: String, Sendable, Hashable, CaseIterable {
  case waiting = "WAITING"
  case called = "CALLED"
  case serving = "SERVING"
  case done = "DONE"
  case noShow = "NO_SHOW"

  /// Whether the ticket is finished and can change no more.
  public var isFinal: Bool { self == .done || self == .noShow }
}
