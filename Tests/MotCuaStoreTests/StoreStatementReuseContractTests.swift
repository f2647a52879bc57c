import Appointments
import MotCuaDomain
import MotCuaStore
import QueueEngine
import Testing

/// What reusing prepared statements must not change, for every driver: queries that take a list of any length
/// (a counter's services, slot ids), and a command the database refuses followed by the same command again.
@Suite struct StoreStatementReuseContractTests {
  @Test(arguments: StoreDriver.allCases)
  func aCounterOpenForSeveralServicesCallsAcrossThemInIssueOrderAndNoOther(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    let serviceC = f.catalogue.services[2]
    let counter = f.counters[0].id
    _ = try await store.setCounter(f.open(counter, for: [f.serviceA.id, f.serviceB.id]))
    let a1 = try await store.issueTicket(f.issue(f.serviceA)).ticket!
    let other = try await store.issueTicket(f.issue(serviceC)).ticket!
    let b1 = try await store.issueTicket(f.issue(f.serviceB)).ticket!
    let a2 = try await store.issueTicket(f.issue(f.serviceA)).ticket!
    var order: [TicketID] = []
    while let called = try await store.callNext(f.callNext(counter)).ticket {
      order.append(called.id)
      _ = try await store.updateTicket(f.update(called.id, .complete(counter: counter)))
    }
    #expect(order == [a1.id, b1.id, a2.id])
    #expect(try await store.ticket(other.id)?.state == .waiting)
    // The same counter with one service: the list changes length, the calling rule does not.
    _ = try await store.setCounter(f.open(counter, for: [serviceC.id]))
    #expect(try await store.callNext(f.callNext(counter)).ticket?.id == other.id)
  }

  @Test(arguments: StoreDriver.allCases)
  func slotUsageAnswersForMoreSlotsThanOneStatementHasPlaceholders(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let nine = StoreBookingContractTests.slot(capacity: 2, minute: 9 * 60)
    let ten = StoreBookingContractTests.slot(capacity: 2, minute: 10 * 60)
    _ = try await store.takeSlot(StoreBookingContractTests.take(nine, StoreBookingContractTests.citizen(1)))
    _ = try await store.takeSlot(StoreBookingContractTests.take(ten, StoreBookingContractTests.citizen(2)))
    _ = try await store.takeSlot(StoreBookingContractTests.take(ten, StoreBookingContractTests.citizen(3)))
    // Every minute of the day: 1,440 ids, two of them used, the others never taken.
    let ids = (0..<(24 * 60)).map {
      SlotID(
        branchID: nine.id.branchID, serviceID: nine.id.serviceID, date: nine.id.date, start: ClockTime(minuteOfDay: $0)!)
    }
    #expect(try await store.slotUsage(ids) == [nine.id: 1, ten.id: 2])
  }

  @Test(arguments: StoreDriver.allCases)
  func anIssueTheDatabaseRefusesTakesNoNumberAndTheNextIssuesAreNumberedOn(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    var f = StoreFixture()
    var sequences: [Int] = []
    for _ in 0..<2 {
      let issued = try await store.issueTicket(f.issue()).ticket!
      sequences.append(issued.sequence)
      var clash = f.issue()
      clash.ticketID = issued.id  // the ticket id is taken: the insert fails
      await #expect(throws: (any Error).self) { try await store.issueTicket(clash) }
    }
    sequences.append(try await store.issueTicket(f.issue()).ticket!.sequence)
    #expect(sequences == [1, 2, 3])
  }
}
