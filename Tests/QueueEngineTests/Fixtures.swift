import MotCuaDomain

/// Small builders shared by the engine tests.
enum Fixture {
  static let branch = BranchID("hn-test")
  static let serviceA = ServiceID("svc-a")
  static let serviceB = ServiceID("svc-b")
  static let counter1 = CounterID("hn-test-q01")
  static let counter2 = CounterID("hn-test-q02")
  static let day = LocalDate(year: 2026, month: 11, day: 27)!

  static func ticket(
    _ n: Int, service: ServiceID = serviceA, rank: Int = 6, state: TicketState = .waiting, at ms: Int64? = nil,
    counter: CounterID? = nil, day: LocalDate = day
  ) -> Ticket {
    Ticket(
      id: TicketID("t" + String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n)), branchID: branch, serviceID: service, originalServiceID: service,
      day: day, sequence: n, number: "A" + String(n), priority: .none, callRank: rank, state: state,
      issuedAt: Instant(millisecondsSinceEpoch: ms ?? Int64(n) * 1000), counterID: counter,
      trackingCode: "CODE\(n)")
  }
}
