package import Appointments
package import MotCuaDomain

/// The refusals every driver words the same way.
package enum StoreRefusal {
  package static func keyReused(_ key: String) -> DomainError {
    .failedPrecondition(
      "idempotency key '\(key)' was already used for a different request; use a new key for a new request")
  }

  package static func counterClosed(_ counter: CounterID) -> DomainError {
    .failedPrecondition("counter '\(counter)' is closed; open it with OpenCounter before calling")
  }

  /// A counter that still holds `ticket` cannot call the next (or, `closing`, close).
  package static func counterHolds(_ counter: CounterID, _ ticket: Ticket, closing: Bool) -> DomainError {
    .failedPrecondition(
      "counter '\(counter)' still holds ticket \(ticket.number) (\(ticket.state.rawValue)); "
        + (closing ? "Complete it, MarkNoShow or Transfer it before closing" : "Complete it or MarkNoShow before calling the next"))
  }

  package static func noTicket(_ id: TicketID) -> DomainError { .notFound("no ticket '\(id)'") }

  package static func ticketChangedConcurrently(_ ticket: Ticket) -> DomainError {
    DomainError(.unavailable, "ticket \(ticket.number) changed concurrently; try again")
  }

  package static func feedbackNotServed(_ ticket: Ticket) -> DomainError {
    .failedPrecondition("feedback is for served tickets; ticket \(ticket.number) is \(ticket.state.rawValue)")
  }

  package static func feedbackTwice(_ ticket: Ticket) -> DomainError {
    .failedPrecondition("feedback for ticket \(ticket.number) was already received")
  }

  package static func slotFull(_ slot: SlotID) -> DomainError {
    .failedPrecondition("slot full: \(slot) has no place left; choose another slot")
  }

  package static func noLiveHold(_ hold: String) -> DomainError {
    .notFound("no live hold '\(hold)' for this citizen; holds lapse after a few minutes")
  }

  package static let noBookingForCodeAndID = DomainError.notFound("no booking with that code and national ID")

  package static func noBooking(code: String) -> DomainError { .notFound("no booking with code \(code)") }

  package static func bookingFinal(_ displayCode: String, _ state: String) -> DomainError {
    .failedPrecondition("booking \(displayCode) is \(state) and cannot change")
  }

  package static func bookingBegun(_ displayCode: String) -> DomainError {
    .failedPrecondition("booking \(displayCode) has begun and can no longer change")
  }

  package static func noPlan(_ id: String) -> DomainError {
    .notFound("no plan '\(id)'; StaffService.ProposeRebalance makes one")
  }

  package static func planOutOfDate(_ id: String) -> DomainError {
    .failedPrecondition(
      "plan '\(id)' is out of date: staffing changed since it was proposed (another plan was applied); propose again")
  }
}

