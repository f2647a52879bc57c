import Testing

import NIOCore

@testable import LeanGRPC

@Suite struct GRPCTimeoutTests {
  @Test(arguments: [
    ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("3S", .seconds(3)),
    ("4m", .milliseconds(4)), ("5u", .microseconds(5)), ("6n", .nanoseconds(6)),
    ("99999999S", .seconds(99_999_999)), ("00000001m", .milliseconds(1)),
  ])
  func validTimeoutIsParsed(value: String, expected: Duration) {
    #expect(GRPCTimeout.parse(value) == expected)
  }

  @Test(arguments: ["", "S", "1", "123456789S", "1s", "1.0S", " 1S", "1S ", "-1S", "1h"])
  func malformedTimeoutIsRejected(value: String) {
    #expect(GRPCTimeout.parse(value) == nil)
  }

  @Test func largestTimeoutSaturatesTheTimerAmountInsteadOfTrapping() throws {
    let largest = try #require(GRPCTimeout.parse("99999999H"))
    #expect(TimeAmount(clamping: largest) == .nanoseconds(.max))
    #expect(TimeAmount(clamping: .zero - largest) == .nanoseconds(.min))
    #expect(TimeAmount(clamping: .milliseconds(1500)) == .milliseconds(1500))
  }
}
