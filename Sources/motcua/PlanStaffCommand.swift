import ArgumentParser
import Foundation
import MotCuaDomain
import StaffPlanning

struct PlanStaffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan-staff",
    abstract: "Propose staff moves between branches that minimise the expected waiting (Erlang C per branch).",
    discussion: """
      Input (JSON): {"max_moves", "max_distance_km", "branches": [{"id", "lat", "lon", "required_skills"}],
      "services": [{"id", "mean_service_minutes"}], "demand": [{"branch", "service", "arrivals_per_hour"}],
      "staff": [{"id", "branch", "skills"}], "target"?: {"within_minutes", "share"}}. Each branch is one M/M/s
      pool (λ = its arrivals an hour, 1/μ = the arrival-weighted mean service time); the objective is
      Σ λ·E[W] in waiting minutes per hour, an unstable branch counting 10⁶ per arrival. A person moves only
      to a branch within max_distance_km (great-circle) whose required_skills they all hold; at most max_moves
      people move; a branch with demand keeps at least one person.
      Output (JSON): {"moves": [{"staff", "from", "to"}], "objective_before", "objective", "branches": [{"id",
      "staff", "mean_wait_min", …}], "proved_optimal", and with a target "target_met" and "shortfalls"}.
      An unstable branch's mean_wait_min is null. See Benchmarks/staff/README.md.
      """)

  @Option(help: "Instance file (JSON).") var input: String
  @Option(help: "Where to write the plan (JSON); - for standard output.") var out = "-"
  @Option(help: "improved (default) or greedy (plain greedy, for comparison).") var search = "improved"
  @Flag(help: "Print the planning time (excluding reading and writing) to standard error.") var timing = false

  /// A failure reported without the usage text: the message says what to fix.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  func validate() throws {
    guard ["improved", "greedy"].contains(self.search) else {
      throw ValidationError("--search must be improved or greedy, not '\(self.search)'")
    }
  }

  func run() throws {
    guard let data = FileManager.default.contents(atPath: self.input) else {
      throw Failure(description: "cannot read \(self.input)")
    }
    let problem: RebalanceProblem
    do {
      problem = try JSONDecoder().decode(RebalanceProblem.self, from: data)
    } catch let error as DecodingError {
      throw Failure(description: "\(self.input): \(Self.describe(error))")
    }
    let planner = StaffPlanner(search: self.search == "greedy" ? .greedy : .improved)
    let plan: RebalancePlan
    let clock = ContinuousClock()
    let start = clock.now
    do {
      plan = try planner.plan(problem)
    } catch {
      throw Failure(description: "\(self.input): \(error.message)")
    }
    if self.timing {
      let elapsed = clock.now - start
      let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
      FileHandle.standardError.write(Data("plan-staff: planned in \(milliseconds) ms\n".utf8))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    var json = try encoder.encode(plan)
    json.append(0x0A)
    if self.out == "-" {
      FileHandle.standardOutput.write(json)
    } else {
      do {
        try json.write(to: URL(fileURLWithPath: self.out))
      } catch {
        throw Failure(description: "cannot write \(self.out): \(error.localizedDescription)")
      }
    }
  }

  /// "branches[2].lat: expected a number" rather than Foundation's debug dump.
  private static func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.reduce("") { text, key in
        if let index = key.intValue { return text + "[\(index)]" }
        return text.isEmpty ? key.stringValue : text + "." + key.stringValue
      }
    }
    switch error {
    case .keyNotFound(let key, let context):
      let parent = path(context.codingPath)
      return "\(parent.isEmpty ? "" : parent + ".")\(key.stringValue): missing"
    case .typeMismatch(let type, let context):
      return "\(path(context.codingPath)): expected \(type)"
    case .valueNotFound(let type, let context):
      return "\(path(context.codingPath)): expected \(type), found null"
    case .dataCorrupted(let context):
      let where_ = path(context.codingPath)
      return where_.isEmpty ? "not valid JSON (\(context.debugDescription))" : "\(where_): \(context.debugDescription)"
    @unknown default:
      return "\(error)"
    }
  }
}
