import MotCuaDomain
import MotCuaStore
import Testing

/// The hand-written JSON (`JSON.text(of:)`: what `JSON.encode` writes for tickets, counter states, service lists
/// and waiting counts) is the very text `JSONEncoder` with sorted keys writes, and decodes to the same values.
@Suite struct HandWrittenJSONTests {
  /// Strings with every character class the escaping treats apart.
  static let awkward = [
    "plain", "", "Quầy 01 — Hoàn Kiếm", "a\"b", "back\\slash", "s/l/a/s/h", "new\nline",
    "tab\tcr\rff\u{0C}bs\u{08}",
    "nul\u{0}bell\u{7}esc\u{1B}us\u{1F}", "del\u{7F}", "emoji 🇻🇳", "</script>",
  ]

  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      self.state = self.state &* 6364136223846793005 &+ 1442695040888963407
      return self.state >> 17
    }
    mutating func pick<T>(_ values: [T]) -> T { values[Int(self.next() % UInt64(values.count))] }
    mutating func maybe<T>(_ value: T) -> T? { self.next() % 2 == 0 ? value : nil }
  }

  /// The hand-written encodings name every field: one added to `Ticket` or `CounterState` fails here until
  /// `JSON+HandWritten.swift` (and the generators below) write it too.
  @Test func theEncodedTypesHaveTheFieldsTheHandWrittenTextWrites() {
    let ticket = Ticket(
      id: TicketID("t"), branchID: BranchID("b"), serviceID: ServiceID("s"), originalServiceID: ServiceID("s"),
      day: LocalDate(daysSinceEpoch: 0), sequence: 1, number: "A001", priority: .none, callRank: 0, state: .waiting,
      issuedAt: Instant(millisecondsSinceEpoch: 0), trackingCode: "T")
    #expect(Mirror(reflecting: ticket).children.count == 18)
    let counter = CounterState(counterID: CounterID("c"), branchID: BranchID("b"), isOpen: true, serviceIDs: [])
    #expect(Mirror(reflecting: counter).children.count == 6)
  }

  @Test func aTicketsTextIsJSONEncodersAndDecodesBack() throws {
    var g = Generator(state: 42)
    for _ in 0..<2000 {
      let ticket = Ticket(
        id: TicketID(g.pick(Self.awkward) + "tk"), branchID: BranchID(g.pick(Self.awkward)),
        serviceID: ServiceID(g.pick(Self.awkward)), originalServiceID: ServiceID(g.pick(Self.awkward)),
        day: LocalDate(daysSinceEpoch: Int64(g.next() % 40_000)),
        sequence: Int(g.next() % 100_000), number: g.pick(Self.awkward), priority: g.pick(Priority.allCases),
        callRank: Int(g.next() % 20), state: g.pick(TicketState.allCases),
        issuedAt: Instant(millisecondsSinceEpoch: Int64(g.next() % 2_000_000_000_000)),
        calledAt: g.maybe(Instant(millisecondsSinceEpoch: Int64(g.next() % 2_000_000_000_000))),
        servingStartedAt: g.maybe(Instant(millisecondsSinceEpoch: -Int64(g.next() % 1000))),
        completedAt: g.maybe(Instant(millisecondsSinceEpoch: Int64(g.next()))),
        counterID: g.maybe(CounterID(g.pick(Self.awkward))), recallCount: Int(g.next() % 5),
        trackingCode: g.pick(Self.awkward), dueAt: g.maybe(Instant(millisecondsSinceEpoch: 0)))
      let text = try JSON.encode(ticket)
      #expect(text == (try JSON.encodeGenerically(ticket)))
      #expect(try JSON.decode(Ticket.self, text) == ticket)
    }
  }

  /// An event's waiting counts per service: the same text as `JSONEncoder`'s, with awkward and upper-case keys.
  @Test func waitingCountsTextIsJSONEncoders() throws {
    var g = Generator(state: 7)
    let keys = Self.awkward + ["civil-birth-registration", "Civil", "civil", "b", "B", "a10", "a9", "Ä", "z"]
    for _ in 0..<1000 {
      var counts: [String: Int] = [:]
      for _ in 0..<(g.next() % 6) { counts[g.pick(keys)] = Int(g.next() % 500) - 5 }
      let text = try JSON.encode(counts)
      #expect(text == (try JSON.encodeGenerically(counts)))
      #expect(try JSON.decode([String: Int].self, text) == counts)
    }
  }

  /// A counter's state and a list of services: the same text as `JSONEncoder`'s, and the same values back.
  @Test func counterStatesAndServiceListsAreJSONEncoders() throws {
    var g = Generator(state: 3)
    for _ in 0..<1000 {
      let services = (0..<(g.next() % 4)).map { _ in ServiceID(g.pick(Self.awkward)) }
      let counter = CounterState(
        counterID: CounterID(g.pick(Self.awkward)), branchID: BranchID(g.pick(Self.awkward)), isOpen: g.next() % 2 == 0,
        serviceIDs: services, currentTicketID: g.maybe(TicketID(g.pick(Self.awkward))),
        currentNumber: g.maybe(g.pick(Self.awkward)))
      #expect(try JSON.encode(counter) == (try JSON.encodeGenerically(counter)))
      #expect(try JSON.decode(CounterState.self, try JSON.encode(counter)) == counter)
      #expect(try JSON.encode(services) == (try JSON.encodeGenerically(services)))
      #expect(try JSON.decode([ServiceID].self, try JSON.encode(services)) == services)
    }
  }
}
