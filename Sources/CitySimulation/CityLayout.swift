internal import CityScheduler
internal import MotCuaDomain

/// The seeded city on the simulated day: branches, services by index, travel model and the day's start.
struct CityLayout: Sendable {
  let branches: [BranchLayout]
  let branchIndex: [BranchID: Int]
  let serviceIndex: [ServiceID: Int]
  /// Typical seconds per catalogue service index: what predictions assume (the truth is drawn per citizen).
  let typicalSeconds: [Double]
  let travel: DetourTravelModel
  let mode: TravelMode
  let dayStart: Instant

  init(catalogue: Catalogue, date: LocalDate, mode: TravelMode) {
    let serviceIndex = Dictionary(
      catalogue.services.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    self.serviceIndex = serviceIndex
    self.typicalSeconds = catalogue.services.map { Double($0.typicalServiceSeconds) }
    self.branches = catalogue.branches.map {
      BranchLayout(
        branch: $0, counters: catalogue.counters(at: $0.id), serviceIndex: serviceIndex, weekday: date.weekday)
    }
    self.branchIndex = Dictionary(
      self.branches.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    self.travel = DetourTravelModel(catalogue: catalogue)
    self.mode = mode
    self.dayStart = catalogue.civilTime.instant(on: date, minute: 0)
  }

  /// The instant `second` seconds after the simulated day's local midnight.
  func instant(atSecond second: Double) -> Instant {
    Instant(millisecondsSinceEpoch: self.dayStart.millisecondsSinceEpoch + Int64((second * 1000).rounded()))
  }

  /// Minutes from `origin` to branch `index`; 0 when already there.
  func travelMinutes(from origin: GeoPoint, to index: Int) -> (minutes: Double, km: Double) {
    let branch = self.branches[index]
    if origin == branch.point { return (0, 0) }
    guard let estimate = self.travel.travel(from: origin, to: branch.id, mode: self.mode) else {
      return (.infinity, .infinity)
    }
    return (estimate.minutes, estimate.km)
  }
}
