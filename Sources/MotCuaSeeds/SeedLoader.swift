import Foundation
public import MotCuaDomain

/// Reads a seed directory (`city.json`, `services.json`, `branches.json`, `counters.json`, `schedules.json`,
/// `holidays.json`, `priorities.json`, and `staff.json` if present) into a checked `Catalogue`.
public enum SeedLoader {
  /// A seed file that is missing, malformed or inconsistent; the message names the file and the fault.
  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }

  public static func load(directory: String) throws -> Catalogue {
    func read<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
      let path = (directory as NSString).appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: path) else {
        throw Failure(description: "seed file \(path) is missing")
      }
      do {
        return try JSONDecoder().decode(type, from: data)
      } catch {
        throw Failure(description: "seed file \(path) is malformed: \(error)")
      }
    }
    let city = try read("city.json", as: SeedFiles.City.self)
    let schedules = try read("schedules.json", as: [String: WeeklySchedule].self)
    let services = try read("services.json", as: [SeedFiles.ServiceEntry].self)
    let branches = try read("branches.json", as: [SeedFiles.BranchEntry].self)
    let counters = try read("counters.json", as: [SeedFiles.CounterEntry].self)
    let holidays = try read("holidays.json", as: [SeedFiles.HolidayEntry].self)
    let priorities = try read("priorities.json", as: SeedFiles.Priorities.self)
    let staffPath = (directory as NSString).appendingPathComponent("staff.json")
    let staff = FileManager.default.fileExists(atPath: staffPath) ? try read("staff.json", as: [SeedFiles.StaffEntry].self) : []
    let catalogue = try build(
      city: city, schedules: schedules, services: services, branches: branches, counters: counters,
      holidays: holidays, priorities: priorities)
    return catalogue.with(staff: try Self.staff(staff, catalogue: catalogue))
  }

  /// Staff checked against the catalogue: known branch, a counter of that branch, known services, unique ids.
  static func staff(_ entries: [SeedFiles.StaffEntry], catalogue: Catalogue) throws -> [StaffMember] {
    let staff = try entries.map { e in
      guard catalogue.branch(BranchID(e.branch_id)) != nil else {
        throw Failure(description: "staff.json \(e.id): unknown branch '\(e.branch_id)'")
      }
      guard catalogue.counter(CounterID(e.counter_id))?.branchID == BranchID(e.branch_id) else {
        throw Failure(description: "staff.json \(e.id): '\(e.counter_id)' is not a counter of '\(e.branch_id)'")
      }
      for skill in e.skills where catalogue.service(ServiceID(skill)) == nil {
        throw Failure(description: "staff.json \(e.id): unknown service '\(skill)'")
      }
      return StaffMember(
        id: StaffID(e.id), name: e.name, branchID: BranchID(e.branch_id), counterID: CounterID(e.counter_id),
        skills: e.skills.map(ServiceID.init))
    }
    try requireUnique(staff.map(\.id.rawValue), "staff.json ids")
    return staff
  }

  static func build(
    city: SeedFiles.City, schedules: [String: WeeklySchedule], services: [SeedFiles.ServiceEntry],
    branches: [SeedFiles.BranchEntry], counters: [SeedFiles.CounterEntry], holidays: [SeedFiles.HolidayEntry],
    priorities: SeedFiles.Priorities
  ) throws -> Catalogue {
    func fail(_ message: String) -> Failure { Failure(description: message) }
    func schedule(_ name: String, for owner: String) throws -> WeeklySchedule {
      guard let schedule = schedules[name] else { throw fail("\(owner): no schedule '\(name)' in schedules.json") }
      return schedule
    }
    func policy(_ names: [String], for owner: String) throws -> PriorityPolicy {
      let groups = try names.map { name in
        guard let p = Priority(jsonName: name), p != .none else {
          throw fail("priorities.json \(owner): '\(name)' is not a priority group")
        }
        return p
      }
      guard Set(groups).count == groups.count else { throw fail("priorities.json \(owner): a group is repeated") }
      return PriorityPolicy(honoured: groups)
    }

    let domainServices = try services.map { s in
      guard let field = ServiceField(rawValue: s.field) else { throw fail("services.json \(s.id): unknown field") }
      guard s.prefix.count == 1, let letter = s.prefix.unicodeScalars.first, ("A"..."Z").contains(letter) else {
        throw fail("services.json \(s.id): prefix must be one letter A–Z")
      }
      guard s.typical_service_minutes > 0 else { throw fail("services.json \(s.id): typical time must be > 0") }
      return Service(
        id: ServiceID(s.id), nameVi: s.name_vi, nameEn: s.name_en, field: field, prefix: s.prefix,
        typicalServiceSeconds: s.typical_service_minutes * 60, demandWeight: s.demand_weight)
    }
    try requireUnique(domainServices.map(\.id.rawValue), "services.json ids")
    try requireUnique(domainServices.map(\.prefix), "services.json prefixes")

    let domainBranches = try branches.map { b in
      guard let kind = Branch.Kind(rawValue: b.district_kind) else {
        throw fail("branches.json \(b.id): district_kind must be urban, town or rural")
      }
      return Branch(
        id: BranchID(b.id), name: b.name, district: b.district, kind: kind, address: b.address,
        latitude: b.latitude, longitude: b.longitude, population: b.population,
        populationIsEstimate: b.population_is_estimate,
        openingHours: try schedule(b.opening_hours, for: "branches.json \(b.id)"))
    }
    try requireUnique(domainBranches.map(\.id.rawValue), "branches.json ids")
    let branchIDs = Set(domainBranches.map(\.id))
    let serviceIDs = Set(domainServices.map(\.id))

    let domainCounters = try counters.map { c in
      guard branchIDs.contains(BranchID(c.branch_id)) else {
        throw fail("counters.json \(c.id): unknown branch '\(c.branch_id)'")
      }
      for s in c.service_ids where !serviceIDs.contains(ServiceID(s)) {
        throw fail("counters.json \(c.id): unknown service '\(s)'")
      }
      return Counter(
        id: CounterID(c.id), branchID: BranchID(c.branch_id), name: c.name,
        serviceIDs: c.service_ids.map(ServiceID.init), roster: try schedule(c.roster, for: "counters.json \(c.id)"))
    }
    try requireUnique(domainCounters.map(\.id.rawValue), "counters.json ids")

    let domainHolidays = try holidays.map { h in
      guard let date = LocalDate(h.date) else { throw fail("holidays.json: '\(h.date)' is not YYYY-MM-DD") }
      return Holiday(date: date, nameVi: h.name_vi, nameEn: h.name_en, provisional: h.provisional ?? false)
    }
    var branchPolicies: [BranchID: PriorityPolicy] = [:]
    for (branch, names) in priorities.branches {
      guard branchIDs.contains(BranchID(branch)) else { throw fail("priorities.json: unknown branch '\(branch)'") }
      branchPolicies[BranchID(branch)] = try policy(names, for: branch)
    }
    return Catalogue(
      cityID: city.city_id, cityName: city.name,
      civilTime: CivilTime(timeZoneName: city.time_zone, utcOffsetSeconds: Int64(city.utc_offset_minutes) * 60),
      services: domainServices, branches: domainBranches, counters: domainCounters, holidays: domainHolidays,
      defaultPriorityPolicy: try policy(priorities.default, for: "default"), branchPriorityPolicies: branchPolicies)
  }

  private static func requireUnique(_ values: [String], _ what: String) throws {
    var seen = Set<String>()
    for value in values where !seen.insert(value).inserted {
      throw Failure(description: "\(what): '\(value)' appears twice")
    }
  }
}
