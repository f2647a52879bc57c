import CityScheduler
import Testing

@Suite struct GeoPointTests {
  @Test func oneTenthOfADegreeOfLatitudeIsAbout11Point12Km() {
    let a = GeoPoint(latitude: 21.0, longitude: 105.8)
    let b = GeoPoint(latitude: 21.1, longitude: 105.8)
    #expect(abs(a.distanceKm(to: b) - 11.1195) < 0.001)
  }

  @Test func hoanKiemToBaDinhCentroidsIsAbout3Point5KmStraight() {
    #expect(abs(Fixtures.hoanKiem.distanceKm(to: Fixtures.baDinh) - 3.5246) < 0.001)
    #expect(Fixtures.hoanKiem.distanceKm(to: Fixtures.hoanKiem) == 0)
  }

  @Test(arguments: [
    (GeoPoint(latitude: 21.0288, longitude: 105.8525), true),  // Hoàn Kiếm
    (GeoPoint(latitude: 20.60, longitude: 105.75), true),  // Mỹ Đức, the south of the city
    (GeoPoint(latitude: 20.86, longitude: 106.68), false),  // Hải Phòng
    (GeoPoint(latitude: 10.78, longitude: 106.70), false),  // Ho Chi Minh City
    (GeoPoint(latitude: .nan, longitude: 105.8), false),
  ])
  func pointsOutsideHanoiAreNotInsideItsBounds(point: GeoPoint, inside: Bool) {
    #expect(point.isInside(.hanoi) == inside)
  }
}
