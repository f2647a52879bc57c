import CitySimulation
import Foundation
import MotCuaDomain
import MotCuaSeeds

/// The seeded city, loaded once, and helpers to simulate scenarios on it.
enum CityFixture {
  static let seedsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("seeds").path

  static let catalogue: Catalogue = try! SeedLoader.load(directory: seedsDirectory)

  static func plan(_ scenario: Scenario) throws -> SimulationPlan {
    try SimulationPlan(scenario: scenario, catalogue: catalogue, date: CitySimulator.defaultDate)
  }

  static func plan(json: String) throws -> SimulationPlan {
    try plan(Scenario.decode(json: Data(json.utf8)))
  }

  static func simulator(_ scenario: Scenario, seed: UInt64 = 1) throws -> CitySimulator {
    CitySimulator(plan: try plan(scenario), catalogue: catalogue, seed: seed)
  }

  /// A lighter day than the default (a quarter of the arrivals), for quick structural checks.
  static let lightDay = Scenario(name: "light", arrivalsPerHour: [170, 170, 170, 135, 35, 170, 170, 170, 170])

  /// An instant `second` seconds into the simulated day.
  static func hour(_ citizen: Citizen, _ outcome: CitizenOutcome) -> Double {
    (citizen.departureSecond + outcome.totalMinutes * 60) / 3600
  }
}
