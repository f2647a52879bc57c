import CityScheduler
import MotCuaDomain
import StaffPlanning

/// Builders for small rebalancing problems.
enum PlannerFixtures {
  static func branch(_ id: String, _ latitude: Double, _ longitude: Double, requires: [String] = []) -> PlanningBranch {
    PlanningBranch(
      id: BranchID(id), location: GeoPoint(latitude: latitude, longitude: longitude),
      requiredSkills: Set(requires.map(ServiceID.init)))
  }

  static func person(_ id: String, at branch: String, skills: [String]) -> PlanningStaff {
    PlanningStaff(id: StaffID(id), branch: BranchID(branch), skills: Set(skills.map(ServiceID.init)))
  }

  static func demand(_ branch: String, _ service: String, _ rate: Double) -> BranchDemand {
    BranchDemand(branch: BranchID(branch), service: ServiceID(service), arrivalsPerHour: rate)
  }

  /// A seeded random instance: a few branches about 2–12 km apart, two services, random skills and loads.
  static func random(seed: UInt64, branches: Int, staff: Int, maxMoves: Int) -> RebalanceProblem {
    var rng = SplitMix64(seed: seed)
    func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
    let services = [PlanningService(id: ServiceID("s1"), meanServiceMinutes: 10),
      PlanningService(id: ServiceID("s2"), meanServiceMinutes: 20)]
    let branchList = (0..<branches).map { b in
      Self.branch(
        "b\(b)", 21.0 + uniform(0...0.08), 105.8 + uniform(0...0.08),
        requires: uniform(0...1) < 0.3 ? ["s2"] : [])
    }
    let demand = branchList.flatMap { branch in
      [Self.demand(branch.id.rawValue, "s1", uniform(0...14)), Self.demand(branch.id.rawValue, "s2", uniform(0...6))]
    }
    let people = (0..<staff).map { p in
      let home = branchList[Int.random(in: 0..<branches, using: &rng)]
      let skills = uniform(0...1) < 0.5 ? ["s1", "s2"] : (home.requiredSkills.isEmpty ? ["s1"] : ["s2"])
      return Self.person("p\(p)", at: home.id.rawValue, skills: skills)
    }
    return RebalanceProblem(
      maxMoves: maxMoves, maxDistanceKm: 7, branches: branchList, services: services, demand: demand, staff: people)
  }
}
