import ArgumentParser
import CitySimulation
import Foundation
import MotCuaDomain
import MotCuaSeeds

struct SimulateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Simulations that drive the scheduler's code.",
    subcommands: [City.self])

  /// A failure reported without the usage text: the message says what to fix.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  struct City: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "city",
      abstract: "Simulate a day of citizens choosing branches by a policy; print waits, travel and queue swing.",
      discussion: """
        The scenario (JSON) names only what differs from the seeded city; see Benchmarks/city/README.md for the
        format, the model and the metrics. --policy all runs every policy on the same citizens. The seed is
        --seed, else the scenario's "seed", else 1.
        """)

    @Option(help: "Scenario file (JSON).") var scenario: String
    @Option(help: "nearest, shortest-posted, motcua or all.") var policy = "all"
    @Option(help: "Random seed (default: the scenario's seed, else 1).") var seed: UInt64?
    @Option(help: "table or json.") var format = "table"
    @Option(help: "Seed data directory.") var seeds = "seeds"
    @Option(help: "Simulated date YYYY-MM-DD (its weekday picks rosters and opening hours).")
    var date = CitySimulator.defaultDate.description

    func validate() throws {
      guard self.policy == "all" || Policy(rawValue: self.policy) != nil else {
        throw ValidationError("--policy must be nearest, shortest-posted, motcua or all, not '\(self.policy)'")
      }
      guard ["table", "json"].contains(self.format) else {
        throw ValidationError("--format must be table or json, not '\(self.format)'")
      }
      guard LocalDate(self.date) != nil else { throw ValidationError("--date must be YYYY-MM-DD") }
    }

    func run() throws {
      let catalogue = try SeedLoader.load(directory: self.seeds)
      guard let data = FileManager.default.contents(atPath: self.scenario) else {
        throw Failure(description: "cannot read scenario file \(self.scenario)")
      }
      let plan: SimulationPlan
      do {
        plan = try SimulationPlan(
          scenario: try Scenario.decode(json: data), catalogue: catalogue, date: LocalDate(self.date)!)
      } catch {
        throw Failure(description: "\(self.scenario): \(error)")
      }
      let policies = self.policy == "all" ? Policy.allCases : [Policy(rawValue: self.policy)!]
      let simulator = CitySimulator(plan: plan, catalogue: catalogue, seed: self.seed ?? plan.seed ?? 1)
      let report = simulator.report(policies)
      print(self.format == "json" ? report.json : report.table)
    }
  }
}
