/// What the city offers: its services, branches, counters, holidays and priority policies. Immutable; loaded
/// from the store (seeded from `seeds/` on first start).
public struct Catalogue: Sendable {
  public let cityID: String
  public let cityName: String
  public let civilTime: CivilTime
  public let services: [Service]
  public let branches: [Branch]
  public let counters: [Counter]
  public let holidays: [Holiday]
  public let defaultPriorityPolicy: PriorityPolicy
  public let branchPriorityPolicies: [BranchID: PriorityPolicy]
  /// The staff who work the counters, each with a home branch and desk.
  public let staff: [StaffMember]

  private let servicesByID: [ServiceID: Service]
  private let branchesByID: [BranchID: Branch]
  private let countersByID: [CounterID: Counter]
  private let countersByBranch: [BranchID: [Counter]]
  private let servicesByBranch: [BranchID: [Service]]
  private let serviceIDsByBranch: [BranchID: Set<ServiceID>]
  private let holidayDates: Set<LocalDate>
  private let staffByID: [StaffID: StaffMember]

  public init(
    cityID: String, cityName: String, civilTime: CivilTime, services: [Service], branches: [Branch],
    counters: [Counter], holidays: [Holiday], defaultPriorityPolicy: PriorityPolicy,
    branchPriorityPolicies: [BranchID: PriorityPolicy], staff: [StaffMember] = []
  ) {
    self.staff = staff
    self.staffByID = Dictionary(staff.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    self.cityID = cityID
    self.cityName = cityName
    self.civilTime = civilTime
    self.services = services
    self.branches = branches
    self.counters = counters
    self.holidays = holidays
    self.defaultPriorityPolicy = defaultPriorityPolicy
    self.branchPriorityPolicies = branchPriorityPolicies
    self.servicesByID = Dictionary(services.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    self.branchesByID = Dictionary(branches.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    self.countersByID = Dictionary(counters.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    self.countersByBranch = Dictionary(grouping: counters, by: \.branchID)
    let offered = self.countersByBranch.mapValues { Set($0.flatMap(\.serviceIDs)) }
    self.serviceIDsByBranch = offered
    self.servicesByBranch = offered.mapValues { ids in services.filter { ids.contains($0.id) } }
    self.holidayDates = Set(holidays.map(\.date))
  }

  public func service(_ id: ServiceID) -> Service? { self.servicesByID[id] }
  public func branch(_ id: BranchID) -> Branch? { self.branchesByID[id] }
  public func counter(_ id: CounterID) -> Counter? { self.countersByID[id] }

  public func counters(at branch: BranchID) -> [Counter] { self.countersByBranch[branch] ?? [] }
  public func staffMember(_ id: StaffID) -> StaffMember? { self.staffByID[id] }

  /// The same catalogue with `staff` as its staff.
  public func with(staff: [StaffMember]) -> Catalogue {
    Catalogue(
      cityID: self.cityID, cityName: self.cityName, civilTime: self.civilTime, services: self.services,
      branches: self.branches, counters: self.counters, holidays: self.holidays,
      defaultPriorityPolicy: self.defaultPriorityPolicy, branchPriorityPolicies: self.branchPriorityPolicies,
      staff: staff)
  }

  /// The services some counter of the branch is set up for, in catalogue order.
  public func services(offeredAt branch: BranchID) -> [Service] { self.servicesByBranch[branch] ?? [] }

  /// Whether some counter of the branch is set up for the service.
  public func offers(_ service: ServiceID, at branch: BranchID) -> Bool {
    self.serviceIDsByBranch[branch]?.contains(service) ?? false
  }

  public func priorityPolicy(for branch: BranchID) -> PriorityPolicy {
    self.branchPriorityPolicies[branch] ?? self.defaultPriorityPolicy
  }

  public func isHoliday(_ date: LocalDate) -> Bool { self.holidayDates.contains(date) }

  /// Looks up a branch or fails with NOT_FOUND.
  public func requireBranch(_ id: BranchID) throws(DomainError) -> Branch {
    guard let branch = self.branch(id) else {
      throw .notFound("no branch '\(id)'; DirectoryService.ListBranches lists them")
    }
    return branch
  }

  /// Looks up a service offered at a branch or fails with NOT_FOUND.
  public func requireService(_ id: ServiceID, at branch: BranchID) throws(DomainError) -> Service {
    guard let service = self.service(id) else {
      throw .notFound("no service '\(id)'; DirectoryService.ListServices lists a branch's services")
    }
    guard self.counters(at: branch).contains(where: { $0.serviceIDs.contains(id) }) else {
      throw .notFound("branch '\(branch)' does not offer service '\(id)'")
    }
    return service
  }

  /// Looks up a counter or fails with NOT_FOUND.
  public func requireCounter(_ id: CounterID) throws(DomainError) -> Counter {
    guard let counter = self.counter(id) else {
      throw .notFound("no counter '\(id)'; DirectoryService.ListCounters lists a branch's counters")
    }
    return counter
  }
}
