import MotCuaDomain
import MotCuaStore
import Testing

/// Staff in the catalogue, rebalancing plans and the assignments they put in force.
@Suite struct StoreStaffContractTests {
  static let now = CivilTime.vietnam.instant(on: LocalDate("2026-11-30")!, minute: 7 * 60)

  func plan(_ id: String, version: Int64, staff: String = "hn-ba-dinh-cb01", to: String = "hn-hoan-kiem")
    -> StaffPlanRecord
  {
    StaffPlanRecord(
      id: id, createdAt: Self.now, staffingVersion: version,
      moves: [
        StaffAssignment(
          staffID: StaffID(staff), fromBranch: BranchID("hn-ba-dinh"), toBranch: BranchID(to),
          services: [ServiceID("civil-birth-registration")], startsAt: Self.now.adding(seconds: 3600),
          endsAt: Self.now.adding(seconds: 5 * 3600), planID: id)
      ],
      body: Array("proposal \(id)".utf8))
  }

  @Test(arguments: StoreDriver.allCases)
  func theCatalogueKeepsItsStaff(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let loaded = try #require(try await store.loadCatalogue())
    #expect(loaded.staff == Seeds.catalogue.staff)
    #expect(loaded.staff.count == 262)
    #expect(loaded.staffMember(StaffID("hn-ba-dinh-cb01"))?.counterID == CounterID("hn-ba-dinh-q01"))
  }

  @Test(arguments: StoreDriver.allCases)
  func aPlanIsAppliedOnceAndItsAssignmentsAreInForceForTheirPeriod(driver: StoreDriver) async throws {
    let opened = try await driver.makeStore()
    let store = opened.store
    #expect(try await store.staffingVersion() == 0)
    let plan = self.plan("p1", version: 0)
    try await store.savePlan(plan)
    #expect(try await store.plan("p1") == plan)
    #expect(try await store.staffAssignments(from: Self.now, to: Self.now.adding(seconds: 86_400)).isEmpty)

    let applied = try await store.applyPlan(ApplyPlanCommand(planID: "p1", principalID: "manager-1", at: Self.now))
    #expect(!applied.alreadyApplied && applied.assignments == plan.moves)
    #expect(try await store.staffingVersion() == 1)
    let again = try await store.applyPlan(ApplyPlanCommand(planID: "p1", principalID: "manager-1", at: Self.now))
    #expect(again.alreadyApplied && again.assignments == plan.moves)
    #expect(try await store.staffingVersion() == 1)

    // [starts, ends): overlapping windows find it, touching ones do not.
    let move = plan.moves[0]
    #expect(try await store.staffAssignments(from: move.endsAt.adding(seconds: -1), to: move.endsAt).count == 1)
    #expect(try await store.staffAssignments(from: move.endsAt, to: move.endsAt.adding(seconds: 60)).isEmpty)
    #expect(try await store.staffAssignments(from: Self.now, to: move.startsAt).isEmpty)
    // Durable: a reopened store has it.
    #expect(try await opened.reopen().staffAssignments(from: Self.now, to: move.endsAt) == plan.moves)
  }

  @Test(arguments: StoreDriver.allCases)
  func aPlanProposedBeforeAnotherWasAppliedIsRefusedAndChangesNothing(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    try await store.savePlan(self.plan("first", version: 0))
    try await store.savePlan(self.plan("stale", version: 0, staff: "hn-ba-dinh-cb02", to: "hn-dong-da"))
    _ = try await store.applyPlan(ApplyPlanCommand(planID: "first", principalID: "m", at: Self.now))
    await #expect {
      _ = try await store.applyPlan(ApplyPlanCommand(planID: "stale", principalID: "m", at: Self.now))
    } throws: { ($0 as? DomainError)?.code == .failedPrecondition }
    let inForce = try await store.staffAssignments(from: Self.now, to: Self.now.adding(seconds: 86_400))
    #expect(inForce.map(\.planID) == ["first"])
    await #expect {
      _ = try await store.applyPlan(ApplyPlanCommand(planID: "nope", principalID: "m", at: Self.now))
    } throws: { ($0 as? DomainError)?.code == .notFound }
  }

  @Test(arguments: StoreDriver.allCases)
  func concurrentAppliesOfRivalPlansLetExactlyOneThrough(driver: StoreDriver) async throws {
    let store = try await driver.makeStore().store
    let ids = (0..<8).map { "rival-\($0)" }
    for (n, id) in ids.enumerated() {
      try await store.savePlan(self.plan(id, version: 0, staff: "hn-ba-dinh-cb0\(n + 1)"))
    }
    let results = await withTaskGroup(of: Bool.self) { group in
      for id in ids + ids {
        group.addTask {
          (try? await store.applyPlan(ApplyPlanCommand(planID: id, principalID: "m", at: Self.now)))
            .map { !$0.alreadyApplied } ?? false
        }
      }
      return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(results.count(where: { $0 }) == 1)
    #expect(try await store.staffAssignments(from: Self.now, to: Self.now.adding(seconds: 86_400)).count == 1)
    #expect(try await store.staffingVersion() == 1)
  }
}
