import CityScheduler
import Foundation
import CitySimulation
import MotCuaDomain
import Testing

@Suite struct CitySimulatorTests {
  @Test func theSameSeedReplaysExactlyAndAnotherSeedDiffers() throws {
    let first = try CityFixture.simulator(CityFixture.lightDay, seed: 11)
    let again = try CityFixture.simulator(CityFixture.lightDay, seed: 11)
    let other = try CityFixture.simulator(CityFixture.lightDay, seed: 12)
    #expect(first.citizens == again.citizens)
    #expect(first.citizens != other.citizens)
    for policy in Policy.allCases {
      #expect(first.run(policy).outcomes == again.run(policy).outcomes)
      #expect(first.run(policy).metrics == again.run(policy).metrics)
      #expect(first.run(policy).metrics != other.run(policy).metrics)
    }
  }

  @Test(arguments: Policy.allCases)
  func everyCitizenIsCalledExactlyOnceEvenWhenBranchesClose(policy: Policy) throws {
    var scenario = CityFixture.lightDay
    scenario.closures = [
      Scenario.Closure(branch: "hn-hoang-mai", atHour: 10), Scenario.Closure(branch: "hn-dong-da", atHour: 9.5),
    ]
    let simulator = try CityFixture.simulator(scenario)
    let run = simulator.run(policy)
    #expect(run.outcomes.count == simulator.citizens.count)
    #expect(run.outcomes.allSatisfy { $0.timesCalled == 1 && $0.servedAt != nil && $0.totalMinutes.isFinite })
    #expect(run.metrics.served == simulator.citizens.count)
  }

  @Test func nearestSendsEveryoneToTheNearestBranchWhateverTheCompliance() throws {
    var scenario = CityFixture.lightDay
    scenario.compliance = 0
    let ignoring = try CityFixture.simulator(scenario).run(.nearest)
    scenario.compliance = 1
    let simulator = try CityFixture.simulator(scenario)
    let following = simulator.run(.nearest)
    #expect(ignoring.outcomes == following.outcomes)

    let travel = DetourTravelModel(catalogue: CityFixture.catalogue)
    for (citizen, outcome) in zip(simulator.citizens, following.outcomes) {
      let nearest = CityFixture.catalogue.branches.filter {
        CityFixture.catalogue.counters(at: $0.id).contains { $0.serviceIDs.contains(citizen.service) }
      }.min {
        travel.travel(from: citizen.origin, to: $0.id, mode: .motorbike)!.minutes
          < travel.travel(from: citizen.origin, to: $1.id, mode: .motorbike)!.minutes
      }!
      #expect(outcome.servedAt == nearest.id)
      let minutes = travel.travel(from: citizen.origin, to: nearest.id, mode: .motorbike)!.minutes
      #expect(abs(outcome.travelMinutes - minutes) < 1e-9)
    }
  }

  @Test func everyPolicyRunsOnTheSameCitizens() throws {
    let simulator = try CityFixture.simulator(CityFixture.lightDay)
    let report = simulator.report(Policy.allCases)
    #expect(report.rows.map(\.policy) == Policy.allCases)
    #expect(report.rows.allSatisfy { $0.metrics.citizens == simulator.citizens.count })
    #expect(report.json.contains(#""shortest-posted": {"mean_total_min": "#))
    for key in ["p95_total_min", "p95_wait_min", "max_branch_wait_ratio", "share_total_over_60", "queue_swing"] {
      #expect(report.json.components(separatedBy: "\"\(key)\"").count == 4)
    }
  }

  @Test func aSurgeMultipliesItsDistrictsCitizensOnlyWithinItsHours() throws {
    let base = try CityFixture.simulator(Scenario(), seed: 5).citizens
    var scenario = Scenario()
    scenario.surges = [Scenario.Surge(branch: "hn-hoang-mai", fromHour: 9, toHour: 12, multiplier: 3)]
    let surged = try CityFixture.simulator(scenario, seed: 5).citizens
    func count(_ citizens: [Citizen], _ hours: Range<Double>, inDistrict: Bool) -> Int {
      citizens.count {
        ($0.district == BranchID("hn-hoang-mai")) == inDistrict && hours.contains($0.departureSecond / 3600)
      }
    }
    let ratio = Double(count(surged, 9..<12, inDistrict: true)) / Double(count(base, 9..<12, inDistrict: true))
    #expect(ratio > 2.4 && ratio < 3.6)
    let outside = Double(count(surged, 13..<17, inDistrict: true)) / Double(count(base, 13..<17, inDistrict: true))
    #expect(outside > 0.7 && outside < 1.4)
  }
}
