import CityScheduler
import MotCuaDomain
import Testing

@Suite struct CoverageTests {
  // A at the origin; B 0.1° east (10.38 km × 1.3 → 36.8 min by motorbike from A);
  // C 0.05° north of A (5.56 km × 1.3 → 19.7 min).
  static let catalogue = Fixtures.catalogue([
    Fixtures.branch("a", at: GeoPoint(latitude: 21.0, longitude: 105.8), population: 100_000),
    Fixtures.branch("b", at: GeoPoint(latitude: 21.0, longitude: 105.9), population: 50_000),
    Fixtures.branch("c", at: GeoPoint(latitude: 21.05, longitude: 105.8), population: 30_000),
  ])
  static let travel = DetourTravelModel(catalogue: catalogue)
  static let open: [BranchID: Bool] = [BranchID("a"): true, BranchID("b"): true, BranchID("c"): false]

  @Test func aDistrictIsCoveredByItsOwnOrANearbyOpenBranchWithAnAcceptableWait() {
    let coverage = Coverage(
      catalogue: Self.catalogue, travel: Self.travel,
      predictedWaitMinutes: [BranchID("a"): 20, BranchID("b"): 90, BranchID("c"): 0], isOpen: Self.open)
    // a: its own branch; b: own wait too long, a is 36.8 min away; c: own branch closed, a is 19.7 min away.
    #expect(coverage.districts.map(\.covered) == [true, false, true])
    #expect(coverage.districts.map(\.servedBy) == [BranchID("a"), nil, BranchID("a")])
    #expect(coverage.coveredPopulation == 130_000)
    #expect(coverage.totalPopulation == 180_000)
    #expect(coverage.coveredShare == 130_000.0 / 180_000.0)
  }

  @Test func aWaitOfExactlySixtyMinutesIsAcceptableAndCoversEveryone() {
    let coverage = Coverage(
      catalogue: Self.catalogue, travel: Self.travel,
      predictedWaitMinutes: [BranchID("a"): 20, BranchID("b"): 60], isOpen: Self.open)
    #expect(coverage.coveredShare == 1)
  }

  @Test func aBranchWithoutAPredictionOrOpenFlagCountsAsUnavailable() {
    let coverage = Coverage(
      catalogue: Self.catalogue, travel: Self.travel, predictedWaitMinutes: [BranchID("b"): 10],
      isOpen: [BranchID("a"): true])
    #expect(coverage.coveredShare == 0)
    #expect(coverage.districts.allSatisfy { !$0.covered })
  }

  @Test func aLongerTravelLimitReachesTheFartherBranch() {
    let coverage = Coverage(
      catalogue: Self.catalogue, travel: Self.travel,
      predictedWaitMinutes: [BranchID("a"): 20, BranchID("b"): 90], isOpen: Self.open, maxTravelMinutes: 40)
    #expect(coverage.districts.map(\.servedBy) == [BranchID("a"), BranchID("a"), BranchID("a")])
  }

  @Test func anEmptyCityHasZeroShare() {
    let coverage = Coverage(
      catalogue: Fixtures.catalogue([]), travel: Self.travel, predictedWaitMinutes: [:], isOpen: [:])
    #expect(coverage.coveredShare == 0)
  }
}
