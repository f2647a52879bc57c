import MotCuaDomain
import MotCuaStore
import QueueEngine
import Testing

/// The behaviour every store driver must have. Each test runs on a fresh, seeded store of each driver.
@Suite struct StoreContractTests {
  @Test(arguments: StoreDriver.allCases)
  func numbersArePerServiceGaplessAndFormatted(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    var numbers: [String] = []
    for service in [f.serviceA, f.serviceA, f.serviceB, f.serviceA] {
      numbers.append(try await store.issueTicket(f.issue(service)).ticket!.number)
    }
    let a = f.serviceA.prefix
    let b = f.serviceB.prefix
    #expect(numbers == ["\(a)001", "\(a)002", "\(b)001", "\(a)003"])
  }

  @Test(arguments: StoreDriver.allCases)
  func numberingRestartsAtLocalMidnight(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    f.now = CivilTime.vietnam.instant(on: LocalDate("2026-11-27")!, minute: 23 * 60 + 59)
    _ = try await store.issueTicket(f.issue())
    let lastToday = try await store.issueTicket(f.issue()).ticket!
    f.now = f.now.adding(seconds: 60)  // 00:00:xx on the 28th, Hanoi time
    let firstTomorrow = try await store.issueTicket(f.issue()).ticket!
    #expect(lastToday.number.hasSuffix("002") && lastToday.day.description == "2026-11-27")
    #expect(firstTomorrow.number.hasSuffix("001") && firstTomorrow.day.description == "2026-11-28")
  }

  @Test(arguments: StoreDriver.allCases)
  func concurrentIssuesGetDistinctGaplessNumbers(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let commands = (0..<120).map { _ in f.issue() }
    let numbers = try await withThrowingTaskGroup(of: String.self) { group in
      for command in commands { group.addTask { try await store.issueTicket(command).ticket!.number } }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    let expected = (1...120).map { TicketNumber.format(prefix: f.serviceA.prefix, sequence: $0) }
    #expect(numbers.sorted() == expected.sorted())
  }

  @Test(arguments: StoreDriver.allCases)
  func aRetryWithTheSameKeyReturnsTheSameTicket(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let command = f.issue(key: "retry-me")
    let first = try await store.issueTicket(command)
    var retry = command
    retry.ticketID = TicketID("another-id")  // a retry arrives as a new request
    retry.at = retry.at.adding(seconds: 5)
    let second = try await store.issueTicket(retry)
    #expect(!first.replayed && second.replayed)
    #expect(second.ticket?.id == first.ticket?.id && second.ticket?.number == first.ticket?.number)
    #expect(second.events.isEmpty)
    // Nothing was consumed by the retry: the next ticket takes the next number.
    #expect(try await store.issueTicket(f.issue()).ticket?.sequence == 2)
  }

  @Test(arguments: StoreDriver.allCases)
  func theSameKeyForADifferentRequestIsRefusedAndChangesNothing(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    _ = try await store.issueTicket(f.issue(f.serviceA, key: "k"))
    let error = await #expect(throws: DomainError.self) { try await store.issueTicket(f.issue(f.serviceB, key: "k")) }
    #expect(error?.code == .failedPrecondition)
    #expect(try await store.issueTicket(f.issue(f.serviceB)).ticket?.sequence == 1)
  }

  @Test(arguments: StoreDriver.allCases)
  func aCommandWhoseDeadlinePassedIsNotApplied(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let late = f.issue(key: "late")
    let error = await #expect(throws: DomainError.self) {
      try await CommandDeadline.$current.withValue(ContinuousClock.now.advanced(by: .milliseconds(-1))) {
        try await store.issueTicket(late)
      }
    }
    #expect(error?.code == .deadlineExceeded)
    // Nothing was applied: the number was not taken and the key is unused.
    #expect(try await store.earlierTicket(principal: late.principalID, key: "late", fingerprint: late.fingerprint) == nil)
    let inTime = try await CommandDeadline.$current.withValue(ContinuousClock.now.advanced(by: .seconds(60))) {
      try await store.issueTicket(f.issue())
    }
    #expect(inTime.ticket?.sequence == 1)
  }

  @Test(arguments: StoreDriver.allCases)
  func keysBelongToTheirPrincipal(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let one = try await store.issueTicket(f.issue(key: "same", principal: "kiosk-1")).ticket!
    let two = try await store.issueTicket(f.issue(key: "same", principal: "kiosk-2")).ticket!
    #expect(one.id != two.id && one.number != two.number)
  }

  @Test(arguments: StoreDriver.allCases)
  func callNextTakesPriorityGroupsFirstThenIssueOrder(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: [f.serviceA.id]))
    let walkIn1 = try await store.issueTicket(f.issue()).ticket!
    let elderly = try await store.issueTicket(f.issue(priority: .elderly)).ticket!
    let walkIn2 = try await store.issueTicket(f.issue()).ticket!
    let meritorious = try await store.issueTicket(f.issue(priority: .meritoriousService)).ticket!
    var order: [TicketID] = []
    while let called = try await store.callNext(f.callNext(counter)).ticket {
      order.append(called.id)
      _ = try await store.updateTicket(f.update(called.id, .complete(counter: counter)))
    }
    #expect(order == [meritorious.id, elderly.id, walkIn1.id, walkIn2.id])
  }

  @Test(arguments: StoreDriver.allCases)
  func callNextOnlyServesTheCountersServicesAndToday(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: [f.serviceB.id]))
    _ = try await store.issueTicket(f.issue(f.serviceA))
    #expect(try await store.callNext(f.callNext(counter)).ticket == nil)
    _ = try await store.issueTicket(f.issue(f.serviceB))
    f.now = f.now.adding(seconds: 86_400)  // the next day: yesterday's waiting ticket is not called
    #expect(try await store.callNext(f.callNext(counter)).ticket == nil)
  }

  /// CallNext calls the ticket `QueueOrder` puts first among the waiting tickets of the counter's services,
  /// whatever mix of services, priorities, equal issue times and transfers came before. Negative control: a store
  /// that looked only at the counter's first service fails it.
  @Test(arguments: StoreDriver.allCases)
  func callNextCallsTheFirstInQueueOrderAcrossTheCountersServices(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let services = [f.serviceA, f.serviceB, f.catalogue.services[2]].map(\.id)
    let serves = [
      f.counters[0].id: [services[0], services[1]], f.counters[1].id: [services[2], services[1], services[0]],
    ]
    for (counter, its) in serves { _ = try await store.setCounter(f.open(counter, for: its)) }
    var state: UInt64 = 7
    func roll(_ n: Int) -> Int {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Int((state >> 33) % UInt64(n))
    }
    let priorities: [Priority] = [.none, .none, .none, .elderly, .meritoriousService]
    var called = 0
    for _ in 0..<300 {
      let waiting = try await store.activeTickets(branch: f.branch, since: f.day).filter { $0.state == .waiting }
      switch roll(4) {
      case 0, 1:
        // Now and then in the same second as the ticket before: the id breaks the tie.
        if roll(3) == 0 { f.now = f.now.adding(seconds: -1) }
        let service = f.catalogue.services[roll(3)]
        _ = try await store.issueTicket(f.issue(service, priority: priorities[roll(priorities.count)]))
      case 2:
        let counter = roll(2) == 0 ? f.counters[0].id : f.counters[1].id
        let expected = QueueOrder.next(among: waiting, for: Set(serves[counter]!))
        let ticket = try await store.callNext(f.callNext(counter)).ticket
        #expect(ticket?.id == expected?.id)
        if let ticket {
          called += 1
          _ = try await store.updateTicket(f.update(ticket.id, .complete(counter: counter)))
        }
      default:
        // A transfer keeps the issue time, so the ticket keeps its place in its new queue.
        guard !waiting.isEmpty else { continue }
        let ticket = waiting.sorted { $0.id.rawValue < $1.id.rawValue }[roll(waiting.count)]
        let to = services.filter { $0 != ticket.serviceID }[roll(2)]
        _ = try await store.updateTicket(f.update(ticket.id, .transfer(to: to, by: nil)))
      }
    }
    #expect(called > 50)
  }

  @Test(arguments: StoreDriver.allCases)
  func concurrentCallNextFromManyCountersNeverGivesATicketTwice(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counters = Array(f.counters.prefix(8)).map(\.id)
    for counter in counters { _ = try await store.setCounter(f.open(counter, for: [f.serviceA.id])) }
    for _ in 0..<150 { _ = try await store.issueTicket(f.issue()) }
    let calls = try await CallLedger.callUntilEmpty(counters, through: [store], f)
    #expect(CallLedger(calls).ticketsCalledMoreThanOnce.isEmpty)
    #expect(Set(calls.map(\.ticket)).count == 150)
    #expect(Set(calls.map(\.counter)).count > 1)
  }

  @Test(arguments: StoreDriver.allCases)
  func aClosedCounterOrOneHoldingATicketCannotCall(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counter = f.counters[0].id
    _ = try await store.issueTicket(f.issue())
    _ = try await store.issueTicket(f.issue())
    let closed = await #expect(throws: DomainError.self) { try await store.callNext(f.callNext(counter)) }
    #expect(closed?.code == .failedPrecondition)
    _ = try await store.setCounter(f.open(counter, for: [f.serviceA.id]))
    let held = try await store.callNext(f.callNext(counter)).ticket!
    let busy = await #expect(throws: DomainError.self) { try await store.callNext(f.callNext(counter)) }
    #expect(busy?.code == .failedPrecondition && busy?.message.contains(held.number) == true)
    let closing = await #expect(throws: DomainError.self) {
      try await store.setCounter(SetCounterCommand(
        counterID: counter, branchID: f.branch, openFor: nil, principalID: "m", at: f.now))
    }
    #expect(closing?.code == .failedPrecondition)
    _ = try await store.updateTicket(f.update(held.id, .markNoShow(counter: counter)))
    #expect(try await store.callNext(f.callNext(counter)).ticket != nil)
  }

  @Test(arguments: StoreDriver.allCases)
  func callNextWithAKeyIsIdempotent(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: [f.serviceA.id]))
    _ = try await store.issueTicket(f.issue())
    _ = try await store.issueTicket(f.issue())
    let first = try await store.callNext(f.callNext(counter, key: "call-1"))
    let retry = try await store.callNext(f.callNext(counter, key: "call-1"))
    #expect(retry.replayed && retry.ticket?.id == first.ticket?.id)
  }

  @Test(arguments: StoreDriver.allCases)
  func anIllegalTransitionIsRefusedAndNothingIsWritten(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counter = f.counters[0].id
    let ticket = try await store.issueTicket(f.issue()).ticket!
    let before = try await store.lastEventSequences()[f.branch]
    let error = await #expect(throws: DomainError.self) {
      try await store.updateTicket(f.update(ticket.id, .complete(counter: counter)))
    }
    #expect(error?.code == .failedPrecondition)
    #expect(try await store.ticket(ticket.id) == ticket)
    #expect(try await store.lastEventSequences()[f.branch] == before)
    let missing = await #expect(throws: DomainError.self) {
      try await store.updateTicket(f.update(TicketID("nope"), .complete(counter: counter)))
    }
    #expect(missing?.code == .notFound)
  }

  @Test(arguments: StoreDriver.allCases)
  func transferKeepsThePlaceByOriginalIssueTime(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: [f.serviceA.id]))
    let early = try await store.issueTicket(f.issue(f.serviceA)).ticket!
    let laterB = try await store.issueTicket(f.issue(f.serviceB)).ticket!
    let called = try await store.callNext(f.callNext(counter)).ticket!
    #expect(called.id == early.id)
    let moved = try await store.updateTicket(f.update(early.id, .transfer(to: f.serviceB.id, by: counter)))
    #expect(moved.ticket?.state == .waiting && moved.ticket?.number == early.number)
    #expect(moved.events.first?.fromServiceID == f.serviceA.id)
    _ = try await store.setCounter(f.open(counter, for: [f.serviceB.id]))
    #expect(try await store.callNext(f.callNext(counter)).ticket?.id == early.id)
    _ = try await store.updateTicket(f.update(early.id, .complete(counter: counter)))
    #expect(try await store.callNext(f.callNext(counter)).ticket?.id == laterB.id)
  }

  @Test(arguments: StoreDriver.allCases)
  func everyChangeIsRecordedWithGaplessBranchSequences(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: [f.serviceA.id]))
    let t = try await store.issueTicket(f.issue()).ticket!
    _ = try await store.callNext(f.callNext(counter))
    _ = try await store.updateTicket(f.update(t.id, .recall(counter: counter)))
    _ = try await store.updateTicket(f.update(t.id, .startServing(counter: counter)))
    _ = try await store.updateTicket(f.update(t.id, .complete(counter: counter)))
    let events = try await store.events(branch: f.branch, after: 0, limit: 100)
    #expect(events.map(\.sequence) == [1, 2, 3, 4, 5, 6])
    #expect(events.map(\.kind) == [.counterOpened, .issued, .called, .recalled, .servingStarted, .completed])
    #expect(events[1].waitingAfter[f.serviceA.id] == 1 && events[2].waitingAfter[f.serviceA.id] == 0)
    #expect(events.allSatisfy { !$0.actor.isEmpty })
    #expect(try await store.events(branch: f.branch, after: 4, limit: 100).map(\.sequence) == [5, 6])
  }

  /// Every event's waiting counts are those of the stored queue right after it, through a random stream of
  /// issues (with priorities), calls, recalls, completions, no-shows and transfers between two services at two
  /// counters (refused commands included): the counts the SQLite driver keeps by triggers never drift. Negative
  /// control: without the update trigger's decrement, 216 expectations fail on SQLite.
  @Test(arguments: StoreDriver.allCases)
  func everyEventsWaitingCountsAreTheStoredQueues(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counters = [f.counters[0].id, f.counters[1].id]
    _ = try await store.setCounter(f.open(counters[0], for: [f.serviceA.id]))
    _ = try await store.setCounter(f.open(counters[1], for: [f.serviceA.id, f.serviceB.id]))
    var state: UInt64 = 11
    func roll(_ n: Int) -> Int {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Int((state >> 33) % UInt64(n))
    }
    var tickets: [TicketID] = []
    var checked = 0
    var kinds: Set<BranchEvent.Kind> = []
    var held: [CounterID: TicketID] = [:]
    for _ in 0..<400 {
      let counter = counters[roll(2)]
      var outcome: CommandOutcome?
      do {
        switch roll(8) {
        case 0, 1, 2:
          let command = f.issue(roll(2) == 0 ? f.serviceA : f.serviceB, priority: roll(5) == 0 ? .elderly : .none)
          outcome = try await store.issueTicket(command)
          tickets.append(command.ticketID)
        case 3:
          outcome = try await store.callNext(f.callNext(counter))
          held[counter] = outcome?.ticket?.id
        default:
          guard !tickets.isEmpty else { continue }
          f.now = f.now.adding(seconds: 1)
          // Mostly the ticket the counter called (recall, no-show and serving need one), else any.
          let ticket = roll(4) > 0 ? held[counter] ?? tickets[roll(tickets.count)] : tickets[roll(tickets.count)]
          let command: TicketCommand =
            switch roll(5) {
            case 0: .recall(counter: counter)
            case 1: .complete(counter: counter)
            case 2: .markNoShow(counter: counter)
            case 3: .startServing(counter: counter)
            default: .transfer(to: roll(2) == 0 ? f.serviceA.id : f.serviceB.id, by: roll(2) == 0 ? counter : nil)
            }
          outcome = try await store.updateTicket(f.update(ticket, command))
        }
      } catch is DomainError {  // a refusal: a ticket not in a state the command applies to
      }
      let waiting = try await store.activeTickets(branch: f.branch, since: f.day).filter { $0.state == .waiting }
      for event in outcome?.events ?? [] {
        kinds.insert(event.kind)
        #expect(!event.waitingAfter.isEmpty || event.ticket == nil)
        for (service, n) in event.waitingAfter {
          #expect(n == waiting.count { $0.serviceID == service }, "\(event.kind) of \(service)")
          checked += 1
        }
      }
    }
    #expect(checked > 150)
    #expect(kinds.isSuperset(of: [.issued, .called, .recalled, .servingStarted, .completed, .noShow, .transferred]))
  }

  @Test(arguments: StoreDriver.allCases)
  func aReopenedStoreHasEverythingAndNumberingContinues(driver: StoreDriver) async throws {
    let under = try await driver.makeStore()
    var f = StoreFixture()
    var issued: [Ticket] = []
    for _ in 0..<5 { issued.append(try await under.store.issueTicket(f.issue()).ticket!) }
    let reopened = try await under.reopen()
    for ticket in issued { #expect(try await reopened.ticket(ticket.id) == ticket) }
    #expect(try await reopened.activeTickets(branch: f.branch, since: f.day).count == 5)
    #expect(try await reopened.issueTicket(f.issue()).ticket?.sequence == 6)
    #expect(try await reopened.loadCatalogue()?.branches.count == Seeds.catalogue.branches.count)
  }

  @Test(arguments: StoreDriver.allCases)
  func feedbackOnceForAServedTicket(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: [f.serviceA.id]))
    let t = try await store.issueTicket(f.issue()).ticket!
    let early = await #expect(throws: DomainError.self) {
      try await store.submitFeedback(FeedbackCommand(ticketID: t.id, score: 5, comment: "", at: f.now))
    }
    #expect(early?.code == .failedPrecondition)
    _ = try await store.callNext(f.callNext(counter))
    _ = try await store.updateTicket(f.update(t.id, .complete(counter: counter)))
    try await store.submitFeedback(FeedbackCommand(ticketID: t.id, score: 5, comment: "nhanh", at: f.now))
    let twice = await #expect(throws: DomainError.self) {
      try await store.submitFeedback(FeedbackCommand(ticketID: t.id, score: 1, comment: "", at: f.now))
    }
    #expect(twice?.code == .failedPrecondition)
  }

  @Test(arguments: StoreDriver.allCases)
  func tokensAreFoundByHashOnly(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let principal = Principal(id: "tok_1", role: .kiosk, branchID: BranchID("hn-hoan-kiem"), counterID: nil)
    try await store.createToken(
      TokenRecord(principal: principal, tokenHash: "abc123", label: "kiosk 1", createdAt: Instant(secondsSinceEpoch: 0)))
    #expect(try await store.principal(forTokenHash: "abc123") == principal)
    #expect(try await store.principal(forTokenHash: "abc124") == nil)
  }

  @Test(arguments: StoreDriver.allCases)
  func theCatalogueRoundTrips(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let loaded = try #require(try await store.loadCatalogue())
    let seeds = Seeds.catalogue
    #expect(loaded.services == seeds.services)
    #expect(loaded.branches == seeds.branches)
    #expect(loaded.counters == seeds.counters)
    #expect(loaded.holidays == seeds.holidays)
    #expect(loaded.defaultPriorityPolicy == seeds.defaultPriorityPolicy)
    #expect(loaded.civilTime == seeds.civilTime)
  }
}
