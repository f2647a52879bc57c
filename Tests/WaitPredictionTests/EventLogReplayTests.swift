import Foundation
import MotCuaDomain
import Testing

@testable import WaitPrediction

@Suite struct EventLogReplayTests {
  func replay(_ lines: [String]) -> [EventLogReplay.Output] {
    var replay = EventLogReplay(predictor: BranchPredictor(configuration: .init(samples: 64)))
    return lines.compactMap { replay.feed(line: Substring($0)) }
  }

  @Test func oneWellFormedPredictionPerIssuedTicket() throws {
    let lines = EventLogFixture.lines(days: 2)
    let outputs = self.replay(lines)
    let issued = lines.filter { $0.contains(#""type":"issue""#) }.count
    #expect(outputs.count == issued)
    #expect(Set(outputs.map(\.ticket)).count == issued)
    for output in outputs {
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(output.jsonLine.utf8)) as? [String: Any])
      #expect(Set(object.keys) == ["ticket", "mean_s", "p50_s", "p90_s"])
      let p50 = try #require(object["p50_s"] as? Double)
      let p90 = try #require(object["p90_s"] as? Double)
      #expect(p50 >= 0 && p90 >= p50)
    }
  }

  @Test func aPredictionUsesNoEventAfterItsTicketsIssue() {
    let lines = EventLogFixture.lines(days: 2, arrivalsPerDay: 40)
    let full = self.replay(lines)
    // Replaying only the lines up to each issue must give the same prediction for that ticket.
    let issueLines = lines.indices.filter { lines[$0].contains(#""type":"issue""#) }
    for (k, lineIndex) in issueLines.enumerated() where k % 7 == 0 {
      let prefix = self.replay(Array(lines[...lineIndex]))
      #expect(prefix.last == full[k])
    }
  }

  @Test func unknownTypesFieldsAndBadLinesAreIgnored() {
    #expect(EventLogReplay.event(fromJSONLine: #"{"t":5,"type":"weather"}"#) == nil)
    #expect(EventLogReplay.event(fromJSONLine: "not json") == nil)
    #expect(EventLogReplay.event(fromJSONLine: "") == nil)
    let event = EventLogReplay.event(
      fromJSONLine: #"{"t":12.5,"type":"issue","ticket":"T1","service":"s1","priority":"CHILD_UNDER_6","appointment":true,"slot_start":60,"x":[1]}"#)
    #expect(
      event
        == .issue(
          ticket: TicketID("T1"), service: ServiceID("s1"), priority: .childUnder6, appointment: true,
          slotStart: Instant(secondsSinceEpoch: 60), at: Instant(millisecondsSinceEpoch: 12_500)))
  }
}
