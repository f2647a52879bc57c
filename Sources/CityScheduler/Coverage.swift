public import MotCuaDomain

/// Whether each district's population can reach, within a time limit, a branch whose wait is acceptable.
///
/// A district is its branch's catchment: the branch's population, from its position (the district centroid).
public struct Coverage: Hashable, Sendable {
  /// One district's result.
  public struct District: Hashable, Sendable {
    public let branch: BranchID
    public let district: String
    public let population: Int
    /// The open branch with an acceptable wait reached fastest, nil if none is within the limit.
    public let servedBy: BranchID?
    public var covered: Bool { self.servedBy != nil }
  }

  public let districts: [District]
  public let coveredPopulation: Int
  public let totalPopulation: Int

  /// Covered population ÷ total population; 0 for an empty city.
  public var coveredShare: Double {
    self.totalPopulation == 0 ? 0 : Double(self.coveredPopulation) / Double(self.totalPopulation)
  }

  /// Computes coverage for every branch of `catalogue`.
  ///
  /// - Parameters:
  ///   - predictedWaitMinutes: the predicted wait per branch; a branch without one counts as unacceptable.
  ///   - isOpen: which branches are open; a branch missing from it counts as closed.
  ///   - maxTravelMinutes: 30 by default, by `mode` (a motorbike by default).
  ///   - maxWaitMinutes: 60 by default.
  public init(
    catalogue: Catalogue, travel: any TravelTimeModel, predictedWaitMinutes: [BranchID: Double],
    isOpen: [BranchID: Bool], mode: TravelMode = .motorbike, maxTravelMinutes: Double = 30,
    maxWaitMinutes: Double = 60
  ) {
    let acceptable = catalogue.branches.filter {
      isOpen[$0.id] == true && (predictedWaitMinutes[$0.id].map { $0 <= maxWaitMinutes } ?? false)
    }
    self.districts = catalogue.branches.map { home in
      let origin = GeoPoint(home)
      let reachable = acceptable.compactMap { branch -> (BranchID, Double)? in
        let minutes = branch.id == home.id ? 0 : travel.travel(from: origin, to: branch.id, mode: mode)?.minutes
        guard let minutes, minutes <= maxTravelMinutes else { return nil }
        return (branch.id, minutes)
      }
      let fastest = reachable.min { ($0.1, $0.0) < ($1.1, $1.0) }
      return District(branch: home.id, district: home.district, population: home.population, servedBy: fastest?.0)
    }
    self.coveredPopulation = self.districts.filter(\.covered).map(\.population).reduce(0, +)
    self.totalPopulation = self.districts.map(\.population).reduce(0, +)
  }
}
