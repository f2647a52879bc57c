import MotCuaDomain
import MotCuaStore
import QueueEngine

/// Builds store commands for the contract suite at a fixed branch, with time under the test's control.
struct StoreFixture {
  let catalogue = Seeds.catalogue
  let branch = BranchID("hn-hoan-kiem")
  var now = CivilTime.vietnam.instant(on: LocalDate("2026-11-27")!, minute: 9 * 60)
  var ticketCounter = 0

  var day: LocalDate { self.catalogue.civilTime.date(of: self.now) }

  /// Two services every counter-rich branch offers.
  var serviceA: Service { self.catalogue.services[0] }
  var serviceB: Service { self.catalogue.services[1] }

  /// Counters of the branch.
  var counters: [Counter] { self.catalogue.counters(at: self.branch) }

  mutating func issue(
    _ service: Service? = nil, priority: Priority = .none, key: String? = nil, principal: String = "kiosk-1"
  ) -> IssueTicketCommand {
    self.ticketCounter += 1
    self.now = self.now.adding(seconds: 1)
    let service = service ?? self.serviceA
    let n = self.ticketCounter
    return IssueTicketCommand(
      principalID: principal, idempotencyKey: key ?? "key-\(n)",
      fingerprint: "IssueTicket|\(self.branch)|\(service.id)|\(priority.rawValue)", branchID: self.branch,
      service: service, priority: priority,
      callRank: self.catalogue.priorityPolicy(for: self.branch).rank(for: priority), day: self.day, at: self.now,
      ticketID: TicketID("t-\(n)-\(service.prefix)"), trackingCode: "TRACK\(n)")
  }

  func open(_ counter: CounterID, for services: [ServiceID]) -> SetCounterCommand {
    SetCounterCommand(counterID: counter, branchID: self.branch, openFor: services, principalID: "mgr", at: self.now)
  }

  func callNext(_ counter: CounterID, key: String? = nil) -> CallNextCommand {
    CallNextCommand(
      counterID: counter, branchID: self.branch, principalID: "counter-\(counter)", idempotencyKey: key,
      day: self.day, at: self.now)
  }

  func update(_ ticket: TicketID, _ command: TicketCommand) -> UpdateTicketCommand {
    UpdateTicketCommand(ticketID: ticket, command: command, principalID: "counter", at: self.now)
  }
}
