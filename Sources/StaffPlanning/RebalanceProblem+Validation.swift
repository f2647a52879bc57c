internal import CityScheduler
public import MotCuaDomain

extension RebalanceProblem {
  /// Checks the problem; the error's message starts with the offending field as the JSON form names it.
  ///
  /// - Throws: `DomainError.invalidArgument` for a limit ≤ 0, a duplicate id, a reference to an unknown
  ///   branch or service, a negative or non-finite rate, a service time ≤ 0, or a coordinate off the globe.
  public func validate() throws(DomainError) {
    func fail(_ field: String, _ reason: String) -> DomainError { .invalidArgument("\(field): \(reason)") }
    guard self.maxMoves > 0 else { throw fail("max_moves", "must be at least 1, not \(self.maxMoves)") }
    guard self.maxDistanceKm > 0 && self.maxDistanceKm.isFinite else {
      throw fail("max_distance_km", "must be a positive number of km, not \(self.maxDistanceKm)")
    }
    guard !self.branches.isEmpty else { throw fail("branches", "must list at least one branch") }

    var services = Set<ServiceID>()
    for (index, service) in self.services.enumerated() {
      let field = "services[\(index)]"
      guard !service.id.rawValue.isEmpty else { throw fail("\(field).id", "must not be empty") }
      guard services.insert(service.id).inserted else { throw fail("\(field).id", "duplicate service '\(service.id)'") }
      guard service.meanServiceMinutes > 0 && service.meanServiceMinutes.isFinite else {
        throw fail("\(field).mean_service_minutes", "must be a positive number, not \(service.meanServiceMinutes)")
      }
    }
    func checkSkills(_ skills: Set<ServiceID>, _ field: String) throws(DomainError) {
      for skill in skills.sorted() where !services.contains(skill) {
        throw fail(field, "unknown service '\(skill)'")
      }
    }

    var branches = Set<BranchID>()
    for (index, branch) in self.branches.enumerated() {
      let field = "branches[\(index)]"
      guard !branch.id.rawValue.isEmpty else { throw fail("\(field).id", "must not be empty") }
      guard branches.insert(branch.id).inserted else { throw fail("\(field).id", "duplicate branch '\(branch.id)'") }
      let latitude = branch.location.latitude
      let longitude = branch.location.longitude
      guard latitude.isFinite && (-90...90).contains(latitude) else {
        throw fail("\(field).lat", "must be a latitude in [-90, 90], not \(latitude)")
      }
      guard longitude.isFinite && (-180...180).contains(longitude) else {
        throw fail("\(field).lon", "must be a longitude in [-180, 180], not \(longitude)")
      }
      try checkSkills(branch.requiredSkills, "\(field).required_skills")
    }

    var demand = Set<[String]>()
    for (index, row) in self.demand.enumerated() {
      let field = "demand[\(index)]"
      guard branches.contains(row.branch) else { throw fail("\(field).branch", "unknown branch '\(row.branch)'") }
      guard services.contains(row.service) else { throw fail("\(field).service", "unknown service '\(row.service)'") }
      guard row.arrivalsPerHour >= 0 && row.arrivalsPerHour.isFinite else {
        throw fail("\(field).arrivals_per_hour", "must be a finite number >= 0, not \(row.arrivalsPerHour)")
      }
      guard demand.insert([row.branch.rawValue, row.service.rawValue]).inserted else {
        throw fail(field, "duplicate demand for branch '\(row.branch)' and service '\(row.service)'")
      }
    }

    var staff = Set<StaffID>()
    for (index, person) in self.staff.enumerated() {
      let field = "staff[\(index)]"
      guard !person.id.rawValue.isEmpty else { throw fail("\(field).id", "must not be empty") }
      guard staff.insert(person.id).inserted else { throw fail("\(field).id", "duplicate staff '\(person.id)'") }
      guard branches.contains(person.branch) else {
        throw fail("\(field).branch", "unknown branch '\(person.branch)'")
      }
      // Skills may name procedures the instance does not list (they have no demand here): the issue's own
      // example gives a person a skill "s2" that no service defines.
    }
  }
}
