/// A branch of the city's service centre (one per former district-level unit in Hanoi).
public struct Branch: Hashable, Sendable, Identifiable {
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case urban, town, rural
  }

  public let id: BranchID
  public let name: String
  public let district: String
  public let kind: Kind
  public let address: String
  public let latitude: Double
  public let longitude: Double
  public let population: Int
  public let populationIsEstimate: Bool
  public let openingHours: WeeklySchedule

  public init(
    id: BranchID, name: String, district: String, kind: Kind, address: String, latitude: Double,
    longitude: Double, population: Int, populationIsEstimate: Bool, openingHours: WeeklySchedule
  ) {
    self.id = id
    self.name = name
    self.district = district
    self.kind = kind
    self.address = address
    self.latitude = latitude
    self.longitude = longitude
    self.population = population
    self.populationIsEstimate = populationIsEstimate
    self.openingHours = openingHours
  }
}
