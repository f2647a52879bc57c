import CityScheduler
import MotCuaDomain
import Testing

@Suite struct DetourTravelModelTests {
  static let model = DetourTravelModel(catalogue: Fixtures.twoBranches)

  // 3.5246 km straight × 1.3 = 4.582 km of road.
  @Test(arguments: [
    (TravelMode.walk, 61.09),  // ÷ 4.5 km/h
    (.motorbike, 12.50),  // ÷ 22 km/h
    (.car, 15.27),  // ÷ 18 km/h
    (.bus, 29.64),  // ÷ 14 km/h + 10 min wait
  ])
  func hoanKiemToBaDinhTakesTheDocumentedMinutesPerMode(mode: TravelMode, minutes: Double) throws {
    let estimate = try #require(Self.model.travel(from: Fixtures.hoanKiem, to: BranchID("ba-dinh"), mode: mode))
    #expect(abs(estimate.minutes - minutes) < 0.01)
    #expect(abs(estimate.km - 4.582) < 0.001)
  }

  @Test func settingsChangeSpeedDetourAndBusWait() throws {
    var settings = TravelSettings()
    settings.detourFactor = 1.0
    settings.speedKmPerHour[.bus] = 20
    settings.fixedMinutes[.bus] = 0
    let model = DetourTravelModel(catalogue: Fixtures.twoBranches, settings: settings)
    let estimate = try #require(model.travel(from: Fixtures.hoanKiem, to: BranchID("ba-dinh"), mode: .bus))
    #expect(abs(estimate.minutes - 3.5246 / 20 * 60) < 0.01)
  }

  @Test func anOriginOutsideTheCityIsRejected() {
    let saigon = GeoPoint(latitude: 10.78, longitude: 106.70)
    #expect(Self.model.travel(from: saigon, to: BranchID("ba-dinh"), mode: .car) == nil)
  }

  @Test func anUnknownBranchIsRejected() {
    #expect(Self.model.travel(from: Fixtures.hoanKiem, to: BranchID("nowhere"), mode: .walk) == nil)
  }
}
