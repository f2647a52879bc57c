import Testing

@testable import LeanGRPC

@Suite struct GRPCStatusPercentEncodingTests {
  @Test(arguments: [
    ("plain ASCII text", "plain ASCII text"),
    ("100%", "100%25"),
    ("Quầy 3", "Qu%E1%BA%A7y 3"),
    ("line\nbreak\t", "line%0Abreak%09"),
    ("~ and \u{7F}", "~ and %7F"),
    ("", ""),
  ])
  func messageIsPercentEncoded(message: String, expected: String) {
    #expect(GRPCStatus.percentEncoded(message) == expected)
  }
}
