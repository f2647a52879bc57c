import CitySimulation
import Foundation
import MotCuaDomain
import Testing

@Suite struct ScenarioTests {
  @Test func aFullScenarioDecodesEveryField() throws {
    let scenario = try Scenario.decode(
      json: Data(
        """
        {"name": "x", "seed": 9, "hours": [8, 10], "arrivals_per_hour": [100, 50.5],
         "service_mix": {"cert-signature": 1}, "compliance": 0.5, "refresh_minutes": 15,
         "surges": [{"branch": "hn-ba-dinh", "from_hour": 9, "to_hour": 9.5, "multiplier": 3}],
         "closures": [{"branch": "hn-tay-ho", "at_hour": 10}]}
        """.utf8))
    #expect(scenario.name == "x")
    #expect(scenario.seed == 9)
    #expect(scenario.hours == [8, 10])
    #expect(scenario.arrivalsPerHour == [100, 50.5])
    #expect(scenario.serviceMix == ["cert-signature": 1])
    #expect(scenario.compliance == 0.5)
    #expect(scenario.refreshMinutes == 15)
    #expect(scenario.surges == [Scenario.Surge(branch: "hn-ba-dinh", fromHour: 9, toHour: 9.5, multiplier: 3)])
    #expect(scenario.closures == [Scenario.Closure(branch: "hn-tay-ho", atHour: 10)])
  }

  @Test func anEmptyScenarioTakesItsDefaultsFromTheSeeds() throws {
    let plan = try CityFixture.plan(json: "{}")
    #expect(plan.firstHour == 8 && plan.endHour == 17)
    #expect(plan.arrivalsPerHour.count == 9)
    #expect(plan.arrivalsPerHour.allSatisfy { $0 > 0 })
    // Fewer counters work over lunch (12:00–13:00), so fewer citizens come by default.
    #expect(plan.arrivalsPerHour[4] < plan.arrivalsPerHour[0])
    #expect(abs(plan.serviceShares.reduce(0, +) - 1) < 1e-9)
    let copies = CityFixture.catalogue.service(ServiceID("cert-copy-from-original"))!
    let total = Double(CityFixture.catalogue.services.map(\.demandWeight).reduce(0, +))
    let index = plan.services.firstIndex(of: copies.id)!
    #expect(abs(plan.serviceShares[index] - Double(copies.demandWeight) / total) < 1e-9)
    #expect(plan.compliance == 0.6 && plan.refreshMinutes == 5 && plan.surges.isEmpty && plan.closures.isEmpty)
  }

  @Test(arguments: [
    (#"{"hourz": [8, 17]}"#, "hourz"),
    (#"{"compliance": "high"}"#, "compliance"),
    (#"{"compliance": 1.5}"#, "compliance"),
    (#"{"compliance": -0.1}"#, "compliance"),
    (#"{"hours": [17, 8]}"#, "hours"),
    (#"{"hours": [8, 25]}"#, "hours"),
    (#"{"hours": [8]}"#, "hours"),
    (#"{"hours": [8, 10], "arrivals_per_hour": [1, 2, 3]}"#, "arrivals_per_hour"),
    (#"{"hours": [8, 11], "arrivals_per_hour": [1, 2, -3]}"#, "arrivals_per_hour[2]"),
    (#"{"service_mix": {"no-such-service": 1}}"#, "service_mix.no-such-service"),
    (#"{"service_mix": {"cert-signature": -1}}"#, "service_mix.cert-signature"),
    (#"{"service_mix": {"cert-signature": 0}}"#, "service_mix"),
    (#"{"refresh_minutes": 0}"#, "refresh_minutes"),
    (#"{"seed": -1}"#, "seed"),
    (#"{"surges": [{"branch": "hn-nowhere", "from_hour": 9, "to_hour": 12, "multiplier": 3}]}"#, "surges[0].branch"),
    (#"{"surges": [{"branch": "hn-ba-dinh", "from_hour": 12, "to_hour": 9, "multiplier": 3}]}"#, "surges[0].to_hour"),
    (#"{"surges": [{"branch": "hn-ba-dinh", "from_hour": 9, "to_hour": 12, "multiplier": -2}]}"#,
     "surges[0].multiplier"),
    (#"{"surges": [{"branch": "hn-ba-dinh", "from_hour": 9, "to_hour": 12}]}"#, "surges[0].multiplier"),
    (#"{"closures": [{"branch": "hn-ba-dinh", "at_hour": 10, "reason": "x"}]}"#, "closures[0].reason"),
    (#"{"closures": [{"branch": "hn-nowhere", "at_hour": 10}]}"#, "closures[0].branch"),
    (#"{"closures": [{"branch": "hn-ba-dinh", "at_hour": 30}]}"#, "closures[0].at_hour"),
  ])
  func aBadScenarioIsRejectedNamingTheField(json: String, field: String) {
    #expect {
      _ = try CityFixture.plan(json: json)
    } throws: { error in
      (error as? ScenarioError)?.field == field
    }
  }

  @Test func theRejectionMessageNamesTheFieldAndTheValue() {
    #expect {
      _ = try CityFixture.plan(json: #"{"compliance": 1.5}"#)
    } throws: { error in
      "\(error)" == "scenario field 'compliance': must be between 0 and 1, got 1.5"
    }
  }
}
