import MotCuaDomain

/// The JSON shapes of the files in `seeds/` (documented in seeds/README.md).
enum SeedFiles {
  struct City: Decodable {
    let city_id: String
    let name: String
    let time_zone: String
    let utc_offset_minutes: Int
  }

  struct ServiceEntry: Decodable {
    let id: String
    let name_vi: String
    let name_en: String
    let field: String
    let prefix: String
    let typical_service_minutes: Int
    let demand_weight: Int
  }

  struct BranchEntry: Decodable {
    let id: String
    let name: String
    let district: String
    let district_kind: String
    let address: String
    let latitude: Double
    let longitude: Double
    let population: Int
    let population_is_estimate: Bool
    let opening_hours: String
  }

  struct CounterEntry: Decodable {
    let id: String
    let branch_id: String
    let name: String
    let service_ids: [String]
    let roster: String
  }

  struct StaffEntry: Decodable {
    let id: String
    let name: String
    let branch_id: String
    let counter_id: String
    let skills: [String]
  }

  struct HolidayEntry: Decodable {
    let date: String
    let name_vi: String
    let name_en: String
    let provisional: Bool?
  }

  struct Priorities: Decodable {
    let `default`: [String]
    let branches: [String: [String]]
  }
}
