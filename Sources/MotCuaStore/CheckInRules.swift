package import Appointments
import MotCuaDomain

/// Whether a booking may be checked in here and now; each refusal says what to do instead.
package enum CheckInRules {
  /// - Throws: `failedPrecondition` for a booking that is not BOOKED, at another branch, changed meanwhile, or
  ///   outside its check-in window.
  package static func check(_ booking: Booking, _ command: CheckInCommand) throws {
    guard booking.state == .booked else {
      throw DomainError.failedPrecondition(
        "booking \(booking.displayCode) is \(booking.state.rawValue); take a walk-in ticket")
    }
    guard booking.slotID.branchID == command.branchID else {
      throw DomainError.failedPrecondition(
        "booking \(booking.displayCode) is at branch '\(booking.slotID.branchID)', not here; please go there")
    }
    guard booking.slotID.serviceID == command.service.id else {
      throw DomainError.failedPrecondition("booking \(booking.displayCode) changed while checking in; try again")
    }
    switch CheckInWindow.evaluate(slotStart: booking.start, now: command.at, policy: command.policy) {
    case .tooEarly(let opensAt):
      throw DomainError.failedPrecondition(
        "too early: check-in for booking \(booking.displayCode) opens at \(CivilTime.vietnam.dateTimeText(opensAt))")
    case .tooLate(let closedAt):
      throw DomainError.failedPrecondition(
        "too late: check-in for booking \(booking.displayCode) closed at \(CivilTime.vietnam.dateTimeText(closedAt)); "
          + "please take a walk-in ticket")
    case .open:
      break
    }
  }
}
