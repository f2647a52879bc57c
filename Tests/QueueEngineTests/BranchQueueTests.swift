import MotCuaDomain
import QueueEngine
import Testing

@Suite struct BranchQueueTests {
  func event(_ sequence: UInt64, _ kind: BranchEvent.Kind, ticket: Ticket?, counter: CounterState? = nil,
    from: ServiceID? = nil) -> BranchEvent
  {
    BranchEvent(
      branchID: Fixture.branch, sequence: sequence, kind: kind, at: Instant(millisecondsSinceEpoch: 0), actor: "t",
      ticket: ticket, counter: counter, fromServiceID: from, waitingAfter: [:])
  }

  @Test func eventsAreAppliedOnlyInSequence() {
    var queue = BranchQueue(branchID: Fixture.branch, tickets: [], counters: [], lastSequence: 0)
    let early = queue.apply(self.event(2, .issued, ticket: Fixture.ticket(2)))
    #expect(!early)
    #expect(queue.waitingCount(for: Fixture.serviceA, on: Fixture.day) == 0)
    let first = queue.apply(self.event(1, .issued, ticket: Fixture.ticket(1)))
    let second = queue.apply(self.event(2, .issued, ticket: Fixture.ticket(2)))
    let repeated = queue.apply(self.event(2, .issued, ticket: Fixture.ticket(2)))
    #expect(first && second && !repeated)
    #expect(queue.waitingCount(for: Fixture.serviceA, on: Fixture.day) == 2)
    #expect(queue.lastSequence == 2)
  }

  @Test func peopleAheadFollowsCallOrder() {
    let walkIn1 = Fixture.ticket(1, rank: 6, at: 1_000)
    let walkIn2 = Fixture.ticket(2, rank: 6, at: 2_000)
    let priority = Fixture.ticket(3, rank: 0, at: 3_000)
    let queue = BranchQueue(
      branchID: Fixture.branch, tickets: [walkIn1, walkIn2, priority], counters: [], lastSequence: 3)
    #expect(queue.peopleAhead(of: priority) == 0)
    #expect(queue.peopleAhead(of: walkIn1) == 1)
    #expect(queue.peopleAhead(of: walkIn2) == 2)
    #expect(queue.peopleAhead(ofNewTicketWithRank: 0, for: Fixture.serviceA, on: Fixture.day) == 1)
    #expect(queue.peopleAhead(ofNewTicketWithRank: 6, for: Fixture.serviceA, on: Fixture.day) == 3)
  }

  @Test func callTransferAndCounterEventsUpdateTheView() {
    var queue = BranchQueue(branchID: Fixture.branch, tickets: [Fixture.ticket(1)], counters: [], lastSequence: 0)
    let open = CounterState(
      counterID: Fixture.counter1, branchID: Fixture.branch, isOpen: true, serviceIDs: [Fixture.serviceA])
    queue.apply(self.event(1, .counterOpened, ticket: nil, counter: open))
    #expect(queue.openCounters(serving: Fixture.serviceA) == 1)
    var called = Fixture.ticket(1, state: .called, counter: Fixture.counter1)
    queue.apply(self.event(2, .called, ticket: called, counter: open))
    #expect(queue.waitingCount(for: Fixture.serviceA, on: Fixture.day) == 0)
    called.state = .waiting
    called.serviceID = Fixture.serviceB
    queue.apply(self.event(3, .transferred, ticket: called, from: Fixture.serviceA))
    #expect(queue.waitingCount(for: Fixture.serviceB, on: Fixture.day) == 1)
  }

  @Test func yesterdaysTicketsAreNotCountedToday() {
    let old = Fixture.ticket(1, day: Fixture.day.adding(days: -1))
    var queue = BranchQueue(branchID: Fixture.branch, tickets: [old, Fixture.ticket(2)], counters: [], lastSequence: 0)
    #expect(queue.waitingCount(for: Fixture.serviceA, on: Fixture.day) == 1)
    queue.prune(before: Fixture.day)
    #expect(queue.waitingTickets(for: Fixture.serviceA, on: Fixture.day.adding(days: -1)).isEmpty)
  }
}
