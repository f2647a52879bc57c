import CityScheduler
import MotCuaDomain
import MotCuaProtocol
import SwiftProtobuf
import WaitPrediction

/// `SchedulerService`: the city's load for managers (once, or as a stream with overload alerts), and branch
/// recommendations for citizens.
struct SchedulerHandler: Sendable {
  /// Departures further ahead than this are refused (the forecast says little about them).
  static let maxDepartureDays: Int64 = 14

  let core: MotCuaCore

  func getCityLoad(_ request: Motcua_V1_GetCityLoadRequest, _ context: CallContext) async throws
    -> Motcua_V1_GetCityLoadResponse
  {
    try await self.requireManager(context, for: "GetCityLoad")
    let alerts = OverloadAlerts(thresholdSeconds: try self.threshold(request.alertThresholdMinutes))
    var response = Motcua_V1_GetCityLoadResponse()
    let figures = self.core.cityLoad()
    response.load = self.cityLoad(figures, alerts: alerts)
    response.load.coverage = Self.message(self.core.coverage(figures))
    return response
  }

  func watchCity(
    _ request: Motcua_V1_WatchCityRequest, _ context: CallContext,
    send: (Motcua_V1_WatchCityResponse) async throws -> Void
  ) async throws {
    try await self.requireManager(context, for: "WatchCity")
    var alerts = OverloadAlerts(thresholdSeconds: try self.threshold(request.alertThresholdMinutes))
    var sent: [BranchID: Motcua_V1_BranchLoad] = [:]
    var sentCoverage: Motcua_V1_Coverage?
    let refresh = Duration.milliseconds(Int64(max(0.05, self.core.options.cityRefreshSeconds) * 1000))
    while !self.core.isShuttingDown {
      let figures = self.core.cityLoad()
      let coverage = Self.message(self.core.coverage(figures))
      let load = self.cityLoad(figures, alerts: alerts)
      var response = Motcua_V1_WatchCityResponse()
      response.load.asOf = load.asOf
      response.load.alertThresholdSeconds = load.alertThresholdSeconds
      response.load.branches = load.branches.filter { sent[BranchID($0.branchID)] != $0 }
      if coverage != sentCoverage { response.load.coverage = coverage }
      let readings = figures.map { f in
        let busiest = f.busiest
        return OverloadAlerts.Reading(
          branch: f.branch.id, service: busiest.service, waitNowSeconds: busiest.nowSeconds,
          waitIn30MinutesSeconds: busiest.in30Seconds)
      }
      response.alerts = alerts.update(readings).map { self.alert($0, threshold: alerts.thresholdSeconds) }
      if sent.isEmpty || !response.load.branches.isEmpty || response.load.hasCoverage || !response.alerts.isEmpty {
        try await send(response)
        for branch in response.load.branches { sent[BranchID(branch.branchID)] = branch }
        sentCoverage = coverage
      }
      try await Task.sleep(for: refresh)
    }
  }

  func recommendBranches(_ request: Motcua_V1_RecommendBranchesRequest, _ context: CallContext) async throws
    -> Motcua_V1_RecommendBranchesResponse
  {
    // Not answered inline: it may run a wait simulation per service/branch.
    try await self.core.admitPublic(context)
    guard request.hasLocation else { throw DomainError.invalidArgument("location is required") }
    let origin = GeoPoint(latitude: request.location.latitude, longitude: request.location.longitude)
    let bounds = GeoBounds.hanoi
    guard origin.isInside(bounds) else {
      throw DomainError.invalidArgument(
        "location \(request.location.latitude), \(request.location.longitude) is outside \(self.core.catalogue.cityName) (latitude \(bounds.minLatitude)–\(bounds.maxLatitude), longitude \(bounds.minLongitude)–\(bounds.maxLongitude))")
    }
    let serviceID = try Field.required(request.serviceID, "service_id")
    guard let service = self.core.catalogue.service(ServiceID(serviceID)) else {
      throw DomainError.invalidArgument("service_id '\(serviceID)' is not a procedure of this city (see ListServices)")
    }
    let mode = try Self.mode(request.mode)
    let now = self.core.clock.now()
    var departure = now
    if request.hasEarliestDeparture {
      departure = max(now, try Instant(request.earliestDeparture, field: "earliest_departure"))
      guard departure <= now.adding(seconds: Self.maxDepartureDays * 86_400) else {
        throw DomainError.invalidArgument("earliest_departure must be within \(Self.maxDepartureDays) days")
      }
    }
    let (recommendations, nextOpening) = self.core.recommend(
      from: origin, service: service, mode: mode, departure: departure)
    var response = Motcua_V1_RecommendBranchesResponse()
    response.recommendations = recommendations.map { r in
      let branch = self.core.catalogue.branch(r.branch)
      var m = Motcua_V1_BranchRecommendation()
      m.branchID = r.branch.rawValue
      m.name = branch?.name ?? ""
      m.address = branch?.address ?? ""
      m.travelMinutes = Self.whole(r.travelMinutes)
      m.distanceKm = (r.distanceKm * 10).rounded() / 10
      m.predictedWaitMinutes = Self.whole(r.waitMinutes)
      m.totalMinutes = Self.whole(r.totalMinutes)
      m.expectedArrival = Google_Protobuf_Timestamp(departure.adding(seconds: Int64((r.travelMinutes * 60).rounded())))
      m.reason = r.reason.rawValue
      return m
    }
    if let (instant, branch) = nextOpening {
      response.nextOpening = Google_Protobuf_Timestamp(instant)
      response.nextOpeningBranchID = branch.rawValue
    }
    return response
  }

  private func requireManager(_ context: CallContext, for action: String) async throws {
    let principal = try await self.core.auth.require(context, for: action)
    guard principal.role == .manager else {
      throw DomainError.permissionDenied("\(action) needs a manager token; this is a \(principal.role.rawValue) token")
    }
  }

  private func threshold(_ minutes: UInt32) throws(DomainError) -> Double {
    guard minutes <= 24 * 60 else { throw .invalidArgument("alert_threshold_minutes must be at most 1440") }
    return Double(minutes == 0 ? self.core.options.alertThresholdMinutes : Int(minutes)) * 60
  }

  static func mode(_ mode: Motcua_V1_TravelMode) throws(DomainError) -> TravelMode {
    switch mode {
    case .unspecified, .motorbike: .motorbike
    case .walk: .walk
    case .car: .car
    case .bus: .bus
    case .UNRECOGNIZED(let value):
      throw .invalidArgument("mode \(value) is not supported; use WALK, MOTORBIKE, CAR or BUS")
    }
  }

  private func cityLoad(_ figures: [BranchLoadFigures], alerts: OverloadAlerts) -> Motcua_V1_CityLoad {
    var load = Motcua_V1_CityLoad()
    load.asOf = Google_Protobuf_Timestamp(self.core.clock.now())
    load.alertThresholdSeconds = UInt32(alerts.thresholdSeconds)
    load.branches = figures.map { self.branchLoad($0, alerts: alerts) }
    return load
  }

  private func branchLoad(_ f: BranchLoadFigures, alerts: OverloadAlerts) -> Motcua_V1_BranchLoad {
    var b = Motcua_V1_BranchLoad()
    b.branchID = f.branch.id.rawValue
    b.name = f.branch.name
    b.openNow = f.openNow
    b.peopleWaiting = UInt32(clamping: f.waiting)
    b.openCounters = UInt32(clamping: f.openCounters)
    b.predictedWaitSeconds = Self.whole(f.longest(\.waitNowSeconds).seconds)
    b.predictedWaitIn30MinutesSeconds = Self.whole(f.longest(\.waitIn30Seconds).seconds)
    b.predictedWaitIn60MinutesSeconds = Self.whole(f.longest(\.waitIn60Seconds).seconds)
    b.arrivalsToday = UInt32(clamping: f.arrivalsToday)
    b.forecastArrivalsToday = (f.forecastToday * 10).rounded() / 10
    let busiest = f.busiest
    b.busiestServiceID = busiest.service?.rawValue ?? ""
    b.overloaded = alerts.isOverloaded(
      .init(branch: f.branch.id, service: busiest.service, waitNowSeconds: busiest.nowSeconds,
        waitIn30MinutesSeconds: busiest.in30Seconds))
    b.services = f.services.map { s in
      var m = Motcua_V1_ServiceLoad()
      m.serviceID = s.service.rawValue
      m.peopleWaiting = UInt32(clamping: s.waiting)
      m.openCounters = UInt32(clamping: s.openCounters)
      m.predictedWaitSeconds = Self.whole(s.waitNowSeconds)
      m.in30Minutes = Motcua_V1_QueueOutlook(s.in30Minutes, arrivalsPerHour: s.arrivalsPerHour30)
      m.in60Minutes = Motcua_V1_QueueOutlook(s.in60Minutes, arrivalsPerHour: s.arrivalsPerHour60)
      m.arrivalsToday = UInt32(clamping: s.arrivalsToday)
      m.forecastArrivalsToday = (s.forecastToday * 10).rounded() / 10
      m.overloaded = s.alertWait >= alerts.thresholdSeconds
      return m
    }
    return b
  }

  private func alert(_ change: OverloadAlerts.Change, threshold: Double) -> Motcua_V1_LoadAlert {
    var a = Motcua_V1_LoadAlert()
    let reading: OverloadAlerts.Reading
    switch change {
    case .raised(let r):
      a.kind = .raised
      reading = r
    case .cleared(let r):
      a.kind = .cleared
      reading = r
    }
    a.branchID = reading.branch.rawValue
    a.serviceID = reading.service?.rawValue ?? ""
    a.predictedWaitSeconds = Self.whole(reading.waitNowSeconds)
    a.predictedWaitIn30MinutesSeconds = Self.whole(reading.waitIn30MinutesSeconds)
    a.at = Google_Protobuf_Timestamp(self.core.clock.now())
    let branch = self.core.catalogue.branch(reading.branch)?.name ?? reading.branch.rawValue
    let service = reading.service.flatMap { self.core.catalogue.service($0)?.nameVi } ?? ""
    func text(_ seconds: Double) -> String {
      seconds.isFinite ? "\(Self.whole(seconds / 60)) min" : "no counter serving"
    }
    a.message =
      "\(branch): \(service) \(text(reading.waitNowSeconds)) now, \(text(reading.waitIn30MinutesSeconds)) in 30 min "
      + "(threshold \(Int(threshold / 60)) min; " + (a.kind == .raised ? "overloaded)" : "cleared)")
    return a
  }

  static func message(_ coverage: Coverage) -> Motcua_V1_Coverage {
    var m = Motcua_V1_Coverage()
    m.coveredShare = (coverage.coveredShare * 1000).rounded() / 1000
    m.coveredPopulation = UInt64(coverage.coveredPopulation)
    m.totalPopulation = UInt64(coverage.totalPopulation)
    m.districts = coverage.districts.map { d in
      var district = Motcua_V1_DistrictCoverage()
      district.branchID = d.branch.rawValue
      district.district = d.district
      district.population = UInt32(clamping: d.population)
      district.covered = d.covered
      district.servedByBranchID = d.servedBy?.rawValue ?? ""
      return district
    }
    return m
  }

  /// A duration (seconds or minutes) as the contract's whole number; infinite (no counter serves) is
  /// 4294967295.
  static func whole(_ value: Double) -> UInt32 {
    value.isFinite ? UInt32(clamping: Int(value.rounded())) : UInt32.max
  }
}
