// The JSON forms of `motcua plan-staff` (snake_case keys). Stdlib only; values are checked by
// `RebalanceProblem.validate()`, except a target's, which `ServiceTarget` cannot hold out of range.
internal import CityScheduler
internal import MotCuaDomain

extension RebalanceProblem: Decodable {
  private enum CodingKeys: String, CodingKey {
    case maxMoves = "max_moves", maxDistanceKm = "max_distance_km", branches, services, demand, staff, target
  }

  /// `{"max_moves", "max_distance_km", "branches", "services", "demand", "staff", "target"?}`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      maxMoves: try container.decode(Int.self, forKey: .maxMoves),
      maxDistanceKm: try container.decode(Double.self, forKey: .maxDistanceKm),
      branches: try container.decode([PlanningBranch].self, forKey: .branches),
      services: try container.decode([PlanningService].self, forKey: .services),
      demand: try container.decode([BranchDemand].self, forKey: .demand),
      staff: try container.decode([PlanningStaff].self, forKey: .staff),
      target: try container.decodeIfPresent(ServiceTarget.self, forKey: .target))
  }
}

extension PlanningBranch: Decodable {
  private enum CodingKeys: String, CodingKey { case id, lat, lon, requiredSkills = "required_skills" }

  /// `{"id", "lat", "lon", "required_skills"?}` (no required skills when absent).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      id: try container.decode(BranchID.self, forKey: .id),
      location: GeoPoint(
        latitude: try container.decode(Double.self, forKey: .lat),
        longitude: try container.decode(Double.self, forKey: .lon)),
      requiredSkills: Set(try container.decodeIfPresent([ServiceID].self, forKey: .requiredSkills) ?? []))
  }
}

extension PlanningService: Decodable {
  private enum CodingKeys: String, CodingKey { case id, meanServiceMinutes = "mean_service_minutes" }

  /// `{"id", "mean_service_minutes"}`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      id: try container.decode(ServiceID.self, forKey: .id),
      meanServiceMinutes: try container.decode(Double.self, forKey: .meanServiceMinutes))
  }
}

extension BranchDemand: Decodable {
  private enum CodingKeys: String, CodingKey { case branch, service, arrivalsPerHour = "arrivals_per_hour" }

  /// `{"branch", "service", "arrivals_per_hour"}`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      branch: try container.decode(BranchID.self, forKey: .branch),
      service: try container.decode(ServiceID.self, forKey: .service),
      arrivalsPerHour: try container.decode(Double.self, forKey: .arrivalsPerHour))
  }
}

extension PlanningStaff: Decodable {
  private enum CodingKeys: String, CodingKey { case id, branch, skills }

  /// `{"id", "branch", "skills"}`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      id: try container.decode(StaffID.self, forKey: .id),
      branch: try container.decode(BranchID.self, forKey: .branch),
      skills: Set(try container.decode([ServiceID].self, forKey: .skills)))
  }
}

extension ServiceTarget: Codable {
  private enum CodingKeys: String, CodingKey { case withinMinutes = "within_minutes", share }

  /// `{"within_minutes", "share"}`; defaults 15 and 0.8 when absent; out of range → a decoding error.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let minutes = try container.decodeIfPresent(Double.self, forKey: .withinMinutes) ?? 15
    let share = try container.decodeIfPresent(Double.self, forKey: .share) ?? 0.8
    guard minutes >= 0 && minutes.isFinite else {
      throw DecodingError.dataCorruptedError(
        forKey: .withinMinutes, in: container, debugDescription: "must be a finite number >= 0, not \(minutes)")
    }
    guard share > 0 && share <= 1 else {
      throw DecodingError.dataCorruptedError(
        forKey: .share, in: container, debugDescription: "must be in (0, 1], not \(share)")
    }
    self.init(withinMinutes: minutes, share: share)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(self.withinMinutes, forKey: .withinMinutes)
    try container.encode(self.share, forKey: .share)
  }
}

extension StaffMove: Encodable {
  /// `{"staff", "from", "to"}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: PlanKey.self)
    try container.encode(self.staff, forKey: "staff")
    try container.encode(self.from, forKey: "from")
    try container.encode(self.to, forKey: "to")
  }
}

extension BranchOutcome: Encodable {
  /// `{"id", "staff", "mean_wait_min", …}`; an unstable branch's waits are null (and "stable": false).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: PlanKey.self)
    try container.encode(self.id, forKey: "id")
    try container.encode(self.staff, forKey: "staff")
    try container.encode(Self.finite(self.meanWaitMinutes), forKey: "mean_wait_min")
    try container.encode(self.staffBefore, forKey: "staff_before")
    try container.encode(Self.finite(self.meanWaitMinutesBefore), forKey: "mean_wait_min_before")
    try container.encode(self.isStable, forKey: "stable")
    try container.encode(self.arrivalsPerHour, forKey: "arrivals_per_hour")
    try container.encode(self.meanServiceMinutes, forKey: "mean_service_minutes")
    try container.encodeIfPresent(self.shareWithinTargetBefore, forKey: "share_within_target_before")
    try container.encodeIfPresent(self.shareWithinTarget, forKey: "share_within_target")
    if self.shareWithinTarget != nil {
      try container.encode(self.staffNeeded, forKey: "staff_needed")
      try container.encode(self.staffShort, forKey: "staff_short")
    }
  }

  private static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
}

extension RebalancePlan: Encodable {
  /// `{"moves", "objective_before", "objective", "branches", "proved_optimal", "target"?, "target_met"?,
  /// "shortfalls"?}`; each shortfall is `{"branch", "share_within_target", "share_short", "staff_short"}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: PlanKey.self)
    try container.encode(self.moves, forKey: "moves")
    try container.encode(self.objectiveBefore, forKey: "objective_before")
    try container.encode(self.objective, forKey: "objective")
    try container.encode(self.branches, forKey: "branches")
    try container.encode(self.provedOptimal, forKey: "proved_optimal")
    guard let target = self.target else { return }
    try container.encode(target, forKey: "target")
    try container.encode(self.shortfalls.isEmpty, forKey: "target_met")
    var list = container.nestedUnkeyedContainer(forKey: "shortfalls")
    for branch in self.shortfalls {
      var item = list.nestedContainer(keyedBy: PlanKey.self)
      try item.encode(branch.id, forKey: "branch")
      try item.encode(branch.shareWithinTarget, forKey: "share_within_target")
      try item.encode(branch.shareShortfall(of: target), forKey: "share_short")
      try item.encode(branch.staffShort, forKey: "staff_short")
    }
  }
}

/// A JSON key written as a string literal.
private struct PlanKey: CodingKey, ExpressibleByStringLiteral {
  let stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
  init(stringLiteral value: String) { self.stringValue = value }
}
