import CityScheduler
import MotCuaDomain

/// Small hand-made catalogues (positions of the real Hoàn Kiếm, Ba Đình and Tây Hồ branches).
enum Fixtures {
  static let hoanKiem = GeoPoint(latitude: 21.0288, longitude: 105.8525)
  static let baDinh = GeoPoint(latitude: 21.034, longitude: 105.819)
  static let tayHo = GeoPoint(latitude: 21.068, longitude: 105.818)

  static let weekdays = WeeklySchedule(
    days: Dictionary(
      uniqueKeysWithValues: [Weekday.monday, .tuesday, .wednesday, .thursday, .friday].map {
        ($0, [WeeklySchedule.Interval(opens: ClockTime("08:00")!, closes: ClockTime("17:00")!)!])
      }))

  static func branch(_ id: String, at point: GeoPoint, population: Int) -> Branch {
    Branch(
      id: BranchID(id), name: id, district: "Quận \(id)", kind: .urban, address: "", latitude: point.latitude,
      longitude: point.longitude, population: population, populationIsEstimate: false, openingHours: weekdays)
  }

  static func catalogue(_ branches: [Branch]) -> Catalogue {
    Catalogue(
      cityID: "t", cityName: "T", civilTime: .vietnam, services: [], branches: branches, counters: [], holidays: [],
      defaultPriorityPolicy: PriorityPolicy(honoured: []), branchPriorityPolicies: [:])
  }

  static let twoBranches = catalogue([
    branch("hoan-kiem", at: hoanKiem, population: 135_618),
    branch("ba-dinh", at: baDinh, population: 221_893),
  ])

  /// 2026-11-30 09:00 in Hanoi, a Monday.
  static let monday9am = CivilTime.vietnam.instant(on: LocalDate("2026-11-30")!, minute: 9 * 60)
}
