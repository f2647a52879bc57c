public import MotCuaDomain

/// The ticket state machine. Pure: it takes a ticket, a command and the time, and returns the ticket after
/// the command or the reason it is refused. Illegal transitions are refused, never applied.
public enum TicketLifecycle {
  /// Applies `command` to `ticket` at `now`.
  ///
  /// - Throws: `failedPrecondition` for an illegal transition or a ticket held by another counter,
  ///   `invalidArgument` for a transfer to the queue the ticket is already in.
  public static func apply(
    _ command: TicketCommand, to ticket: Ticket, at now: Instant
  ) throws(DomainError) -> Ticket {
    var next = ticket
    switch command {
    case .call(let counter):
      try require(ticket, in: [.waiting], for: command)
      next.state = .called
      next.counterID = counter
      next.calledAt = now
    case .recall(let counter):
      try require(ticket, in: [.called], for: command)
      try requireHeld(ticket, by: counter, for: command)
      next.recallCount += 1
    case .startServing(let counter):
      try require(ticket, in: [.called], for: command)
      try requireHeld(ticket, by: counter, for: command)
      next.state = .serving
      next.servingStartedAt = now
    case .complete(let counter):
      try require(ticket, in: [.called, .serving], for: command)
      try requireHeld(ticket, by: counter, for: command)
      next.state = .done
      next.servingStartedAt = ticket.servingStartedAt ?? ticket.calledAt ?? now
      next.completedAt = now
    case .markNoShow(let counter):
      try require(ticket, in: [.called], for: command)
      try requireHeld(ticket, by: counter, for: command)
      next.state = .noShow
      next.completedAt = now
    case .transfer(let service, let counter):
      try require(ticket, in: [.waiting, .called, .serving], for: command)
      if ticket.state != .waiting, let counter { try requireHeld(ticket, by: counter, for: command) }
      guard service != ticket.serviceID else {
        throw .invalidArgument("ticket \(ticket.number) is already in the queue of '\(service)'")
      }
      next.serviceID = service
      next.state = .waiting
      next.counterID = nil
      next.calledAt = nil
      next.servingStartedAt = nil
    }
    return next
  }

  private static func require(
    _ ticket: Ticket, in states: Set<TicketState>, for command: TicketCommand
  ) throws(DomainError) {
    guard states.contains(ticket.state) else {
      let allowed = TicketState.allCases.filter(states.contains).map(\.rawValue).joined(separator: " or ")
      throw .failedPrecondition(
        "\(command.name) needs a ticket that is \(allowed); ticket \(ticket.number) is \(ticket.state.rawValue)"
      )
    }
  }

  private static func requireHeld(
    _ ticket: Ticket, by counter: CounterID, for command: TicketCommand
  ) throws(DomainError) {
    guard ticket.counterID == counter else {
      throw .failedPrecondition(
        "ticket \(ticket.number) is held by counter '\(ticket.counterID?.rawValue ?? "none")', not '\(counter)'"
      )
    }
  }
}
