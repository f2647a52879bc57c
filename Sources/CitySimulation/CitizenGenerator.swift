internal import CityScheduler
internal import Foundation
internal import MotCuaDomain

/// Draws the day's citizens from a plan: Poisson arrivals per district (weighted by population, multiplied by
/// surges), origins scattered around the district centroid, services by the mix, compliance, service times.
enum CitizenGenerator {
  /// The radius of the disc around a district's centroid that its citizens set out from, by district kind.
  static func originRadiusKm(_ kind: Branch.Kind) -> Double {
    switch kind {
    case .urban: 2
    case .town: 3
    case .rural: 5
    }
  }

  /// Service times are log-normal with the service's typical time as their mean and this coefficient of variation.
  static let serviceTimeVariation = 0.5

  static func citizens(plan: SimulationPlan, catalogue: Catalogue, seed: UInt64) -> [Citizen] {
    var random = SplitMix64(seed: seed)
    let branches = catalogue.branches.filter { $0.population > 0 }
    let population = Double(branches.map(\.population).reduce(0, +))
    guard population > 0 else { return [] }
    let cumulativeShares = plan.serviceShares.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
    let sigma = (1 + serviceTimeVariation * serviceTimeVariation).logarithm.squareRoot()

    struct Draft {
      let second: Double
      let district: Branch
      let order: Int
    }
    var drafts: [Draft] = []
    for district in branches {
      let share = Double(district.population) / population
      let bound = plan.surges.filter { $0.branch == district.id }.map { max(1, $0.multiplier) }.reduce(1, *)
      for (offset, perHour) in plan.arrivalsPerHour.enumerated() {
        let rate = perHour * share * bound / 3600
        guard rate > 0 else { continue }
        let start = Double(plan.firstHour + offset) * 3600
        var second = start
        while true {
          second += -(1 - Double.random(in: 0..<1, using: &random)).logarithm / rate
          guard second < start + 3600 else { break }
          let keep = plan.demandMultiplier(district: district.id, hour: second / 3600) / bound
          if Double.random(in: 0..<1, using: &random) < keep {
            drafts.append(Draft(second: second, district: district, order: drafts.count))
          }
        }
      }
    }
    drafts.sort { ($0.second, $0.order) < ($1.second, $1.order) }

    return drafts.enumerated().map { id, draft in
      let radius = originRadiusKm(draft.district.kind) * Double.random(in: 0..<1, using: &random).squareRoot()
      let angle = Double.random(in: 0..<(2 * Double.pi), using: &random)
      let latitude = draft.district.latitude + radius * angle.sine / 111.32
      let longitude = draft.district.longitude
        + radius * angle.cosine / (111.32 * (draft.district.latitude * Double.pi / 180).cosine)
      let pick = Double.random(in: 0..<1, using: &random)
      let serviceIndex = cumulativeShares.firstIndex { pick < $0 } ?? (plan.services.count - 1)
      let service = plan.services[serviceIndex]
      let follows = Double.random(in: 0..<1, using: &random) < plan.compliance
      let mean = Double(catalogue.service(service)!.typicalServiceSeconds)
      let normal = Self.standardNormal(using: &random)
      let serviceSeconds = mean * (sigma * normal - sigma * sigma / 2).exponential
      return Citizen(
        id: id, departureSecond: draft.second, district: draft.district.id,
        origin: GeoPoint(latitude: latitude, longitude: longitude), service: service, follows: follows,
        serviceSeconds: serviceSeconds)
    }
  }

  /// A standard normal draw (Box–Muller).
  static func standardNormal(using random: inout SplitMix64) -> Double {
    let u = 1 - Double.random(in: 0..<1, using: &random)
    let v = Double.random(in: 0..<1, using: &random)
    return (-2 * u.logarithm).squareRoot() * (2 * Double.pi * v).cosine
  }
}
