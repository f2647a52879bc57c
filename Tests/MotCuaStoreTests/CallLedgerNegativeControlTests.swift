import MotCuaDomain
import MotCuaStore
import QueueEngine
import Testing

/// Negative control for the no-double-call property: two servers deciding "who is next" from their own
/// in-memory queues (not in the store's transaction) hand the same ticket to two counters — and the ledger used
/// by the contract suite catches it.
@Suite struct CallLedgerNegativeControlTests {
  @Test func decidingFromTwoInMemoryCachesCallsATicketTwiceAndTheLedgerSeesIt() throws {
    var f = StoreFixture()
    let command = f.issue()
    let ticket = Ticket(
      id: command.ticketID, branchID: f.branch, serviceID: command.service.id, originalServiceID: command.service.id,
      day: f.day, sequence: 1, number: "A001", priority: .none, callRank: command.callRank, state: .waiting,
      issuedAt: command.at, trackingCode: command.trackingCode)
    let nodeA = BranchQueue(branchID: f.branch, tickets: [ticket], counters: [], lastSequence: 0)
    let nodeB = BranchQueue(branchID: f.branch, tickets: [ticket], counters: [], lastSequence: 0)
    let services: Set = [command.service.id]
    let fromA = try #require(QueueOrder.next(among: nodeA.waitingTickets(for: command.service.id, on: f.day), for: services))
    let fromB = try #require(QueueOrder.next(among: nodeB.waitingTickets(for: command.service.id, on: f.day), for: services))
    let ledger = CallLedger([Call(ticket: fromA.id, counter: f.counters[0].id), Call(ticket: fromB.id, counter: f.counters[1].id)])
    #expect(ledger.ticketsCalledMoreThanOnce == [ticket.id])
  }
}
