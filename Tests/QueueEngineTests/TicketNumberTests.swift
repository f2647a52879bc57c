import QueueEngine
import Testing

@Suite struct TicketNumberTests {
  @Test(arguments: [(1, "B001"), (17, "B017"), (999, "B999"), (1000, "B1000"), (12345, "B12345")])
  func formatsPrefixAndAtLeastThreeDigits(sequence: Int, expected: String) {
    #expect(TicketNumber.format(prefix: "B", sequence: sequence) == expected)
  }
}
