package import MotCuaDomain

/// The catalogue's city and priority settings, stored as JSON in the `settings` table (keys `city` and
/// `priorities`); the rows of services, branches, counters, holidays and staff are stored apart.
package struct CatalogueSettings: Sendable {
  private struct City: Codable {
    let id: String
    let name: String
    let timeZone: String
    let utcOffsetSeconds: Int64
  }

  private struct Priorities: Codable {
    let `default`: [Int]
    let branches: [String: [Int]]
  }

  /// The `city` setting's JSON text.
  package let cityJSON: String
  /// The `priorities` setting's JSON text.
  package let prioritiesJSON: String

  package init(_ catalogue: Catalogue) throws {
    self.cityJSON = try JSON.encode(
      City(
        id: catalogue.cityID, name: catalogue.cityName, timeZone: catalogue.civilTime.timeZoneName,
        utcOffsetSeconds: catalogue.civilTime.utcOffsetSeconds))
    self.prioritiesJSON = try JSON.encode(
      Priorities(
        default: catalogue.defaultPriorityPolicy.honoured.map(\.rawValue),
        branches: Dictionary(
          uniqueKeysWithValues: catalogue.branchPriorityPolicies.map {
            ($0.key.rawValue, $0.value.honoured.map(\.rawValue))
          })))
  }

  package init(cityJSON: String, prioritiesJSON: String) {
    self.cityJSON = cityJSON
    self.prioritiesJSON = prioritiesJSON
  }

  /// The catalogue made of these settings and the stored rows.
  package func catalogue(
    services: [Service], branches: [Branch], counters: [Counter], holidays: [Holiday], staff: [StaffMember]
  ) throws -> Catalogue {
    let city = try JSON.decode(City.self, self.cityJSON)
    let priorities = try JSON.decode(Priorities.self, self.prioritiesJSON)
    func policy(_ raw: [Int]) -> PriorityPolicy {
      PriorityPolicy(honoured: raw.compactMap(Priority.init(rawValue:)))
    }
    return Catalogue(
      cityID: city.id, cityName: city.name,
      civilTime: CivilTime(timeZoneName: city.timeZone, utcOffsetSeconds: city.utcOffsetSeconds),
      services: services, branches: branches, counters: counters, holidays: holidays,
      defaultPriorityPolicy: policy(priorities.default),
      branchPriorityPolicies: Dictionary(
        uniqueKeysWithValues: priorities.branches.map { (BranchID($0.key), policy($0.value)) }),
      staff: staff)
  }
}
