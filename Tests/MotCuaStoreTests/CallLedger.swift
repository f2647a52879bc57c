import MotCuaDomain

/// One ticket handed to one counter.
struct Call: Hashable, Sendable {
  let ticket: TicketID
  let counter: CounterID
}

/// Checks the "a called ticket belongs to one counter only" property over a record of calls.
struct CallLedger {
  let calls: [Call]

  init(_ calls: [Call]) { self.calls = calls }

  var ticketsCalledMoreThanOnce: Set<TicketID> {
    Set(Dictionary(grouping: self.calls, by: \.ticket).filter { $0.value.count > 1 }.keys)
  }
}
