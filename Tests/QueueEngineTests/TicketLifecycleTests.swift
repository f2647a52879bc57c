import MotCuaDomain
import QueueEngine
import Testing

@Suite struct TicketLifecycleTests {
  static let now = Instant(secondsSinceEpoch: 1_790_000_000)
  static let c1 = Fixture.counter1

  /// Every command with the states it is legal from.
  static let legal: [(TicketCommand, Set<TicketState>)] = [
    (.call(counter: c1), [.waiting]),
    (.recall(counter: c1), [.called]),
    (.startServing(counter: c1), [.called]),
    (.complete(counter: c1), [.called, .serving]),
    (.markNoShow(counter: c1), [.called]),
    (.transfer(to: Fixture.serviceB, by: c1), [.waiting, .called, .serving]),
  ]

  static var allPairs: [(TicketCommand, TicketState)] {
    legal.flatMap { command, _ in TicketState.allCases.map { (command, $0) } }
  }

  static func ticket(in state: TicketState) -> Ticket {
    Fixture.ticket(1, state: state, counter: state == .waiting ? nil : c1)
  }

  @Test(arguments: allPairs)
  func commandIsAppliedOnlyFromItsLegalStates(command: TicketCommand, state: TicketState) throws {
    let legalStates = Self.legal.first { $0.0 == command }!.1
    let before = Self.ticket(in: state)
    if legalStates.contains(state) {
      let after = try TicketLifecycle.apply(command, to: before, at: Self.now)
      #expect(after.id == before.id && after.number == before.number)
    } else {
      let error = #expect(throws: DomainError.self) { try TicketLifecycle.apply(command, to: before, at: Self.now) }
      #expect(error?.code == .failedPrecondition)
      #expect(error?.message.contains(state.rawValue) == true)
    }
  }

  @Test func callAssignsCounterAndTime() throws {
    let called = try TicketLifecycle.apply(.call(counter: Self.c1), to: Self.ticket(in: .waiting), at: Self.now)
    #expect(called.state == .called && called.counterID == Self.c1 && called.calledAt == Self.now)
  }

  @Test func completeFromCalledRecordsServiceStartAtCall() throws {
    let called = try TicketLifecycle.apply(.call(counter: Self.c1), to: Self.ticket(in: .waiting), at: Self.now)
    let later = Self.now.adding(seconds: 300)
    let done = try TicketLifecycle.apply(.complete(counter: Self.c1), to: called, at: later)
    #expect(done.state == .done && done.servingStartedAt == Self.now && done.completedAt == later)
  }

  @Test func recallCountsAndKeepsState() throws {
    let recalled = try TicketLifecycle.apply(.recall(counter: Self.c1), to: Self.ticket(in: .called), at: Self.now)
    #expect(recalled.state == .called && recalled.recallCount == 1)
  }

  @Test func anotherCounterCannotActOnAHeldTicket() {
    let other = Fixture.counter2
    for command: TicketCommand in [
      .recall(counter: other), .startServing(counter: other), .complete(counter: other),
      .markNoShow(counter: other), .transfer(to: Fixture.serviceB, by: other),
    ] {
      let error = #expect(throws: DomainError.self) {
        try TicketLifecycle.apply(command, to: Self.ticket(in: .called), at: Self.now)
      }
      #expect(error?.code == .failedPrecondition)
    }
  }

  @Test func transferKeepsNumberAndIssueTimeAndReturnsToWaiting() throws {
    let serving = Self.ticket(in: .serving)
    let moved = try TicketLifecycle.apply(.transfer(to: Fixture.serviceB, by: Self.c1), to: serving, at: Self.now)
    #expect(moved.state == .waiting && moved.serviceID == Fixture.serviceB && moved.counterID == nil)
    #expect(moved.number == serving.number && moved.issuedAt == serving.issuedAt)
    #expect(moved.originalServiceID == Fixture.serviceA)
  }

  @Test func transferToTheSameQueueIsRejected() {
    let error = #expect(throws: DomainError.self) {
      try TicketLifecycle.apply(.transfer(to: Fixture.serviceA, by: nil), to: Self.ticket(in: .waiting), at: Self.now)
    }
    #expect(error?.code == .invalidArgument)
  }
}
