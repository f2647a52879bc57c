import GRDB
public import MotCuaDomain
import MotCuaStore

/// The catalogue's rows: services, branches, counters, holidays, staff, and the city and priority settings.
extension SQLiteStore {
  public func saveCatalogue(_ catalogue: Catalogue) async throws {
    try await self.write { db in
      let settings = try CatalogueSettings(catalogue)
      try db.execute(
        sql: "INSERT OR REPLACE INTO settings (key, value) VALUES ('city', ?), ('priorities', ?)",
        arguments: [settings.cityJSON, settings.prioritiesJSON])
      for (position, s) in catalogue.services.enumerated() {
        try db.execute(
          sql: """
            INSERT OR REPLACE INTO services (id, position, name_vi, name_en, field, prefix,
              typical_service_seconds, demand_weight) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            s.id.rawValue, position, s.nameVi, s.nameEn, s.field.rawValue, s.prefix, s.typicalServiceSeconds,
            s.demandWeight,
          ])
      }
      for (position, b) in catalogue.branches.enumerated() {
        try db.execute(
          sql: """
            INSERT OR REPLACE INTO branches (id, position, name, district, kind, address, latitude, longitude,
              population, population_is_estimate, opening_hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            b.id.rawValue, position, b.name, b.district, b.kind.rawValue, b.address, b.latitude, b.longitude,
            b.population, b.populationIsEstimate, try JSON.encode(b.openingHours),
          ])
      }
      for (position, c) in catalogue.counters.enumerated() {
        try db.execute(
          sql: """
            INSERT OR REPLACE INTO counters (id, position, branch_id, name, service_ids, roster)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            c.id.rawValue, position, c.branchID.rawValue, c.name, try JSON.encode(c.serviceIDs),
            try JSON.encode(c.roster),
          ])
      }
      for h in catalogue.holidays {
        try db.execute(
          sql: "INSERT OR REPLACE INTO holidays (date, name_vi, name_en, provisional) VALUES (?, ?, ?, ?)",
          arguments: [h.date.description, h.nameVi, h.nameEn, h.provisional])
      }
      for (position, m) in catalogue.staff.enumerated() {
        try db.execute(
          sql: """
            INSERT OR REPLACE INTO staff (id, position, name, branch_id, counter_id, skills) VALUES (?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            m.id.rawValue, position, m.name, m.branchID.rawValue, m.counterID.rawValue, try JSON.encode(m.skills),
          ])
      }
    }
  }

  public func loadCatalogue() async throws -> Catalogue? {
    try await self.pool.read { db in
      guard let cityText = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'city'"),
        let priorityText = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'priorities'")
      else { return nil }
      let services = try Row.fetchAll(db, sql: "SELECT * FROM services ORDER BY position").map { row in
        Service(
          id: ServiceID(row["id"]), nameVi: row["name_vi"], nameEn: row["name_en"],
          field: ServiceField(rawValue: row["field"]) ?? .other, prefix: row["prefix"],
          typicalServiceSeconds: row["typical_service_seconds"], demandWeight: row["demand_weight"])
      }
      let branches = try Row.fetchAll(db, sql: "SELECT * FROM branches ORDER BY position").map { row in
        Branch(
          id: BranchID(row["id"]), name: row["name"], district: row["district"],
          kind: Branch.Kind(rawValue: row["kind"]) ?? .urban, address: row["address"], latitude: row["latitude"],
          longitude: row["longitude"], population: row["population"],
          populationIsEstimate: row["population_is_estimate"],
          openingHours: try JSON.decode(WeeklySchedule.self, row["opening_hours"]))
      }
      let counters = try Row.fetchAll(db, sql: "SELECT * FROM counters ORDER BY position").map { row in
        Counter(
          id: CounterID(row["id"]), branchID: BranchID(row["branch_id"]), name: row["name"],
          serviceIDs: try JSON.decode([ServiceID].self, row["service_ids"]),
          roster: try JSON.decode(WeeklySchedule.self, row["roster"]))
      }
      let holidays = try Row.fetchAll(db, sql: "SELECT * FROM holidays ORDER BY date").compactMap { row in
        LocalDate(row["date"] as String).map {
          Holiday(date: $0, nameVi: row["name_vi"], nameEn: row["name_en"], provisional: row["provisional"])
        }
      }
      let staff = try Row.fetchAll(db, sql: "SELECT * FROM staff ORDER BY position").map { row in
        StaffMember(
          id: StaffID(row["id"]), name: row["name"], branchID: BranchID(row["branch_id"]),
          counterID: CounterID(row["counter_id"]), skills: try JSON.decode([ServiceID].self, row["skills"]))
      }
      return try CatalogueSettings(cityJSON: cityText, prioritiesJSON: priorityText).catalogue(
        services: services, branches: branches, counters: counters, holidays: holidays, staff: staff)
    }
  }
}
