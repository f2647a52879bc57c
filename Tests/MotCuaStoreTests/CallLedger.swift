import MotCuaDomain
import MotCuaStore
import QueueEngine

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

extension CallLedger {
  /// Every counter calls and completes, concurrently, until nothing waits; counter n goes through
  /// `stores[n % stores.count]` (several servers sharing one database). Returns every call made.
  static func callUntilEmpty(
    _ counters: [CounterID], through stores: [any MotCuaStore], _ fixture: StoreFixture
  ) async throws -> [Call] {
    try await withThrowingTaskGroup(of: [Call].self) { group in
      for (n, counter) in counters.enumerated() {
        let store = stores[n % stores.count]
        group.addTask {
          var mine: [Call] = []
          while let ticket = try await store.callNext(fixture.callNext(counter)).ticket {
            mine.append(Call(ticket: ticket.id, counter: counter))
            _ = try await store.updateTicket(fixture.update(ticket.id, .complete(counter: counter)))
          }
          return mine
        }
      }
      return try await group.reduce(into: []) { $0 += $1 }
    }
  }
}
