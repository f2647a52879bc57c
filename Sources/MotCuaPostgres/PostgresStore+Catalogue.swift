public import MotCuaDomain
import MotCuaStore
import PostgresNIO

/// The catalogue's rows: services, branches, counters, holidays, staff, and the city and priority settings.
extension PostgresStore {
  /// Stores (or refreshes) the catalogue; two servers seeding one empty database at once take turns.
  public func saveCatalogue(_ catalogue: Catalogue) async throws {
    let settings = try CatalogueSettings(catalogue)
    try await self.command { s in
      try await s.execute("SELECT pg_advisory_xact_lock(hashtext('motcua:catalogue'))")
      try await s.execute(
        """
        INSERT INTO settings (key, value) VALUES ('city', \(settings.cityJSON)), ('priorities', \(settings.prioritiesJSON))
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
        """)
      let services = catalogue.services
      try await s.execute(
        """
        INSERT INTO services (id, position, name_vi, name_en, field, prefix, typical_service_seconds, demand_weight)
        SELECT * FROM UNNEST(\(services.map(\.id.rawValue))::TEXT[], \(Array(services.indices))::BIGINT[],
          \(services.map(\.nameVi))::TEXT[], \(services.map(\.nameEn))::TEXT[], \(services.map(\.field.rawValue))::TEXT[],
          \(services.map(\.prefix))::TEXT[], \(services.map(\.typicalServiceSeconds))::BIGINT[],
          \(services.map(\.demandWeight))::BIGINT[])
        ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, name_vi = EXCLUDED.name_vi,
          name_en = EXCLUDED.name_en, field = EXCLUDED.field, prefix = EXCLUDED.prefix,
          typical_service_seconds = EXCLUDED.typical_service_seconds, demand_weight = EXCLUDED.demand_weight
        """)
      let branches = catalogue.branches
      try await s.execute(
        """
        INSERT INTO branches (id, position, name, district, kind, address, latitude, longitude, population,
          population_is_estimate, opening_hours)
        SELECT * FROM UNNEST(\(branches.map(\.id.rawValue))::TEXT[], \(Array(branches.indices))::BIGINT[],
          \(branches.map(\.name))::TEXT[], \(branches.map(\.district))::TEXT[], \(branches.map(\.kind.rawValue))::TEXT[],
          \(branches.map(\.address))::TEXT[], \(branches.map(\.latitude))::DOUBLE PRECISION[],
          \(branches.map(\.longitude))::DOUBLE PRECISION[], \(branches.map(\.population))::BIGINT[],
          \(branches.map(\.populationIsEstimate))::BOOLEAN[], \(try branches.map { try JSON.encode($0.openingHours) })::TEXT[])
        ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, name = EXCLUDED.name,
          district = EXCLUDED.district, kind = EXCLUDED.kind, address = EXCLUDED.address,
          latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, population = EXCLUDED.population,
          population_is_estimate = EXCLUDED.population_is_estimate, opening_hours = EXCLUDED.opening_hours
        """)
      let counters = catalogue.counters
      try await s.execute(
        """
        INSERT INTO counters (id, position, branch_id, name, service_ids, roster)
        SELECT * FROM UNNEST(\(counters.map(\.id.rawValue))::TEXT[], \(Array(counters.indices))::BIGINT[],
          \(counters.map(\.branchID.rawValue))::TEXT[], \(counters.map(\.name))::TEXT[],
          \(try counters.map { try JSON.encode($0.serviceIDs) })::TEXT[],
          \(try counters.map { try JSON.encode($0.roster) })::TEXT[])
        ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, branch_id = EXCLUDED.branch_id,
          name = EXCLUDED.name, service_ids = EXCLUDED.service_ids, roster = EXCLUDED.roster
        """)
      let holidays = catalogue.holidays
      try await s.execute(
        """
        INSERT INTO holidays (date, name_vi, name_en, provisional)
        SELECT * FROM UNNEST(\(holidays.map(\.date.description))::TEXT[], \(holidays.map(\.nameVi))::TEXT[],
          \(holidays.map(\.nameEn))::TEXT[], \(holidays.map(\.provisional))::BOOLEAN[])
        ON CONFLICT (date) DO UPDATE SET name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en,
          provisional = EXCLUDED.provisional
        """)
      let staff = catalogue.staff
      try await s.execute(
        """
        INSERT INTO staff (id, position, name, branch_id, counter_id, skills)
        SELECT * FROM UNNEST(\(staff.map(\.id.rawValue))::TEXT[], \(Array(staff.indices))::BIGINT[],
          \(staff.map(\.name))::TEXT[], \(staff.map(\.branchID.rawValue))::TEXT[],
          \(staff.map(\.counterID.rawValue))::TEXT[], \(try staff.map { try JSON.encode($0.skills) })::TEXT[])
        ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, name = EXCLUDED.name,
          branch_id = EXCLUDED.branch_id, counter_id = EXCLUDED.counter_id, skills = EXCLUDED.skills
        """)
    }
  }

  public func loadCatalogue() async throws -> Catalogue? {
    try await self.command { s in
      guard let city = try await s.value("SELECT value FROM settings WHERE key = 'city'", as: String.self),
        let priorities = try await s.value("SELECT value FROM settings WHERE key = 'priorities'", as: String.self)
      else { return nil }
      let services = try await s.rows("SELECT * FROM services ORDER BY position").map { row in
        Service(
          id: ServiceID(try row("id")), nameVi: try row("name_vi"), nameEn: try row("name_en"),
          field: ServiceField(rawValue: try row("field")) ?? .other, prefix: try row("prefix"),
          typicalServiceSeconds: try row("typical_service_seconds"), demandWeight: try row("demand_weight"))
      }
      let branches = try await s.rows("SELECT * FROM branches ORDER BY position").map { row in
        Branch(
          id: BranchID(try row("id")), name: try row("name"), district: try row("district"),
          kind: Branch.Kind(rawValue: try row("kind")) ?? .urban, address: try row("address"),
          latitude: try row("latitude"), longitude: try row("longitude"), population: try row("population"),
          populationIsEstimate: try row("population_is_estimate"),
          openingHours: try JSON.decode(WeeklySchedule.self, try row("opening_hours")))
      }
      let counters = try await s.rows("SELECT * FROM counters ORDER BY position").map { row in
        Counter(
          id: CounterID(try row("id")), branchID: BranchID(try row("branch_id")), name: try row("name"),
          serviceIDs: try JSON.decode([ServiceID].self, try row("service_ids")),
          roster: try JSON.decode(WeeklySchedule.self, try row("roster")))
      }
      let holidays = try await s.rows("SELECT * FROM holidays ORDER BY date").compactMap { row -> Holiday? in
        guard let date = LocalDate(try row("date", as: String.self)) else { return nil }
        return Holiday(
          date: date, nameVi: try row("name_vi"), nameEn: try row("name_en"), provisional: try row("provisional"))
      }
      let staff = try await s.rows("SELECT * FROM staff ORDER BY position").map { row in
        StaffMember(
          id: StaffID(try row("id")), name: try row("name"), branchID: BranchID(try row("branch_id")),
          counterID: CounterID(try row("counter_id")), skills: try JSON.decode([ServiceID].self, try row("skills")))
      }
      return try CatalogueSettings(cityJSON: city, prioritiesJSON: priorities).catalogue(
        services: services, branches: branches, counters: counters, holidays: holidays, staff: staff)
    }
  }
}
