import CitySimulation
import MotCuaDomain
import Testing

@Suite struct ClosureTests {
  static let closed = BranchID("hn-hoang-mai")

  static func scenario() -> Scenario {
    var scenario = CityFixture.lightDay
    scenario.closures = [Scenario.Closure(branch: Self.closed.rawValue, atHour: 10)]
    return scenario
  }

  @Test(arguments: Policy.allCases)
  func aClosedBranchCallsNobodyAfterItClosesAndItsCitizensAreServedElsewhere(policy: Policy) throws {
    let simulator = try CityFixture.simulator(Self.scenario())
    let run = simulator.run(policy)
    var servedThereLate = 0
    for (citizen, outcome) in zip(simulator.citizens, run.outcomes) where outcome.servedAt == Self.closed {
      if CityFixture.hour(citizen, outcome) >= 10 { servedThereLate += 1 }
    }
    #expect(servedThereLate == 0)
    let districtAfterTen = zip(simulator.citizens, run.outcomes).filter {
      $0.0.district == Self.closed && $0.0.departureSecond >= 10 * 3600
    }
    #expect(!districtAfterTen.isEmpty)
    #expect(districtAfterTen.allSatisfy { $0.1.servedAt != nil && $0.1.servedAt != Self.closed })
    #expect(run.outcomes.allSatisfy { $0.timesCalled == 1 })
  }

  @Test func nearestLearnsOfTheClosureOnArrivalAndPaysTheExtraTrip() throws {
    let simulator = try CityFixture.simulator(Self.scenario())
    let nearest = simulator.run(.nearest)
    let motcua = simulator.run(.motcua)
    #expect(nearest.metrics.rerouted > 0)
    // Followers of motcua learn of it at the next refresh, so fewer find the door shut.
    #expect(motcua.metrics.rerouted < nearest.metrics.rerouted)
    // Those of the closed district setting out later each find the door shut at most once (a nearest-goer knows
    // a branch is closed once they have seen it), and most of them do.
    let late = zip(simulator.citizens, nearest.outcomes).filter {
      $0.0.district == Self.closed && $0.0.departureSecond >= 11 * 3600
    }.map(\.1)
    #expect(late.allSatisfy { $0.reroutes <= 1 })
    #expect(late.count(where: { $0.reroutes == 1 }) * 2 > late.count)
  }
}
