import CitySimulation
import Testing

@Suite struct HerdingTests {
  /// Negative control: with information 30 minutes old and everyone following the policy, sending each citizen
  /// to the shortest posted total makes queues fill and empty; the herding-safe chooser keeps them steadier.
  @Test func withStaleInformationShortestPostedSwingsMoreThanMotCuaOnTheSameArrivals() throws {
    let scenario = Scenario(
      name: "stale", arrivalsPerHour: [700, 820, 760, 560, 200, 600, 640, 560, 360], compliance: 1,
      refreshMinutes: 30)
    let simulator = try CityFixture.simulator(scenario, seed: 3)
    let posted = simulator.run(.shortestPosted).metrics
    let motcua = simulator.run(.motcua).metrics
    #expect(posted.queueSwing > motcua.queueSwing * 1.03)
    #expect(posted.p95TotalMinutes > motcua.p95TotalMinutes)
  }
}
