import ArgumentParser
import Foundation
import WaitPrediction

struct ReplayCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Run the wait predictor causally over an event log and write one prediction per issued ticket.",
    discussion: """
      Events are JSON Lines sorted by "t" (Unix seconds): roster, counter_open, counter_close, issue, call, start,
      complete, no_show, transfer; other types and fields are ignored. Each issued ticket gets one output line
      {"ticket":…,"mean_s":…,"p50_s":…,"p90_s":…}, predicted from the events up to and including its issue.
      --warmup logs are replayed first, without output, so the predictor starts with what it learned there.
      """)

  @Option(help: "Event log to predict (JSON Lines).") var events: String
  @Option(help: "Where to write the predictions (JSON Lines); - for standard output.") var out = "-"
  @Option(help: "Event logs to learn from first, in order, without writing predictions (repeatable).")
  var warmup: [String] = []
  @Option(help: "Monte-Carlo replications per prediction.") var samples = PredictorConfiguration().samples

  func validate() throws {
    guard self.samples >= 8 else { throw ValidationError("--samples must be at least 8") }
  }

  func run() async throws {
    var replay = EventLogReplay(predictor: BranchPredictor(configuration: .init(samples: self.samples)))
    for path in self.warmup {
      for line in try Self.lines(path) { _ = replay.feed(line: line) }
    }
    var output = ""
    for line in try Self.lines(self.events) {
      if let prediction = replay.feed(line: line) {
        output += prediction.jsonLine
        output += "\n"
      }
    }
    if self.out == "-" {
      print(output, terminator: "")
    } else {
      try output.write(toFile: self.out, atomically: true, encoding: .utf8)
    }
  }

  private static func lines(_ path: String) throws -> [Substring] {
    guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) else {
      throw ValidationError("cannot read \(path)")
    }
    return text.split(whereSeparator: \.isNewline)
  }
}
