import CityScheduler
import MotCuaDomain
import Testing

@Suite struct TableTravelModelTests {
  static let fallback = DetourTravelModel(catalogue: Fixtures.twoBranches)
  static let model = TableTravelModel(
    zones: [TableTravelModel.Zone(id: "old-quarter", centroid: Fixtures.hoanKiem)],
    entries: [
      TableTravelModel.Entry(zoneID: "old-quarter", branch: BranchID("ba-dinh"), mode: .motorbike, minutes: 25)
    ],
    zoneRadiusKm: 2, fallback: fallback)
  static let nearHoanKiem = GeoPoint(latitude: 21.0330, longitude: 105.8525)  // ~0.47 km north

  @Test func aTripFromAZoneInTheTableTakesTheTableMinutesAndTheFallbackDistance() throws {
    let estimate = try #require(Self.model.travel(from: Self.nearHoanKiem, to: BranchID("ba-dinh"), mode: .motorbike))
    let fallback = try #require(
      Self.fallback.travel(from: Self.nearHoanKiem, to: BranchID("ba-dinh"), mode: .motorbike))
    #expect(estimate.minutes == 25)
    #expect(estimate.km == fallback.km)
  }

  @Test func anOriginBeyondTheZoneRadiusFallsBack() {
    // Tây Hồ is ~4.5 km from the Hoàn Kiếm centroid.
    #expect(Self.model.zone(containing: Fixtures.tayHo) == nil)
    #expect(
      Self.model.travel(from: Fixtures.tayHo, to: BranchID("ba-dinh"), mode: .motorbike)
        == Self.fallback.travel(from: Fixtures.tayHo, to: BranchID("ba-dinh"), mode: .motorbike))
  }

  @Test func aModeOrBranchMissingFromTheTableFallsBack() {
    for (branch, mode) in [("ba-dinh", TravelMode.walk), ("hoan-kiem", .motorbike)] {
      #expect(
        Self.model.travel(from: Self.nearHoanKiem, to: BranchID(branch), mode: mode)
          == Self.fallback.travel(from: Self.nearHoanKiem, to: BranchID(branch), mode: mode))
    }
  }

  @Test func anOriginTheFallbackRejectsIsRejected() {
    let zones = [TableTravelModel.Zone(id: "border", centroid: GeoPoint(latitude: 21.45, longitude: 105.8))]
    let model = TableTravelModel(
      zones: zones, entries: [.init(zoneID: "border", branch: BranchID("ba-dinh"), mode: .car, minutes: 40)],
      zoneRadiusKm: 5, fallback: Self.fallback)
    let justOutside = GeoPoint(latitude: 21.46, longitude: 105.8)
    #expect(model.zone(containing: justOutside)?.id == "border")
    #expect(model.travel(from: justOutside, to: BranchID("ba-dinh"), mode: .car) == nil)
  }
}
