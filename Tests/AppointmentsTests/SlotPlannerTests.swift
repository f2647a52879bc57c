import Appointments
import MotCuaDomain
import Testing

@Suite struct SlotPlannerTests {
  static func hours(_ pairs: [(String, String)], days: [Weekday] = [.monday, .tuesday, .wednesday, .thursday, .friday])
    -> WeeklySchedule
  {
    let intervals = pairs.map { WeeklySchedule.Interval(opens: ClockTime($0.0)!, closes: ClockTime($0.1)!)! }
    return WeeklySchedule(days: Dictionary(uniqueKeysWithValues: days.map { ($0, intervals) }))
  }

  static let branch = BranchID("b")
  static let s1 = ServiceID("s1")
  static let s2 = ServiceID("s2")
  static let monday = LocalDate("2026-11-30")!

  static func catalogue(
    branchHours: WeeklySchedule = hours([("08:00", "17:00")]),
    counters: [Counter] = [Counter(id: CounterID("c1"), branchID: branch, name: "1", serviceIDs: [s1],
      roster: hours([("08:00", "12:00"), ("13:00", "17:00")]))],
    holidays: [LocalDate] = []
  ) -> Catalogue {
    Catalogue(
      cityID: "t", cityName: "T", civilTime: .vietnam,
      services: [
        Service(id: s1, nameVi: "A", nameEn: "A", field: .land, prefix: "A", typicalServiceSeconds: 600, demandWeight: 3),
        Service(id: s2, nameVi: "B", nameEn: "B", field: .civilStatus, prefix: "B", typicalServiceSeconds: 300, demandWeight: 1),
      ],
      branches: [Branch(id: branch, name: "B", district: "D", kind: .urban, address: "", latitude: 21, longitude: 105.8,
        population: 1, populationIsEstimate: false, openingHours: branchHours)],
      counters: counters, holidays: holidays.map { Holiday(date: $0, nameVi: "", nameEn: "", provisional: false) },
      defaultPriorityPolicy: PriorityPolicy(honoured: []), branchPriorityPolicies: [:])
  }

  @Test func capacityIsTheAppointmentShareOfRosteredCounterTimeWithoutRoundingLoss() {
    let slots = SlotPlanner(catalogue: Self.catalogue(), policy: AppointmentPolicy()).slots(
      branch: Self.branch, service: Self.s1, on: Self.monday)
    // 8 rostered hours × 6 tickets an hour × 40% = 19.2 → 19 appointments over the day.
    #expect(slots.map(\.capacity).reduce(0, +) == 19)
    #expect(slots.allSatisfy { $0.capacity >= 1 })
    #expect(slots.first?.id.start.description == "08:15")  // 0.6 then 1.2: the first whole place is in the 2nd slot
  }

  @Test func staffAssignedAwayTakeTheirTimeAndStaffAssignedHereBringTheirs() {
    let rostered = Self.hours([("08:00", "12:00"), ("13:00", "17:00")])
    let base = Self.catalogue(counters: [
      Counter(id: CounterID("c1"), branchID: Self.branch, name: "1", serviceIDs: [Self.s1], roster: rostered),
      Counter(id: CounterID("c9"), branchID: BranchID("elsewhere"), name: "9", serviceIDs: [Self.s1], roster: rostered),
    ])
    let catalogue = base.with(staff: [
      StaffMember(id: StaffID("p1"), name: "1", branchID: Self.branch, counterID: CounterID("c1"), skills: [Self.s1]),
      StaffMember(id: StaffID("p9"), name: "9", branchID: BranchID("elsewhere"), counterID: CounterID("c9"), skills: [Self.s1]),
    ])
    let at = { (time: String) in CivilTime.vietnam.instant(on: Self.monday, minute: ClockTime(time)!.minuteOfDay) }
    let away = StaffAssignment(
      staffID: StaffID("p1"), fromBranch: Self.branch, toBranch: BranchID("elsewhere"), services: [Self.s1],
      startsAt: at("13:00"), endsAt: at("17:00"), planID: "p")
    let guest = StaffAssignment(
      staffID: StaffID("p9"), fromBranch: BranchID("elsewhere"), toBranch: Self.branch, services: [Self.s1],
      startsAt: at("08:00"), endsAt: at("12:00"), planID: "p")
    let planner = SlotPlanner(catalogue: catalogue, policy: AppointmentPolicy())
    func total(_ assignments: [StaffAssignment]) -> Int {
      planner.slots(branch: Self.branch, service: Self.s1, on: Self.monday, assignments: assignments)
        .map(\.capacity).reduce(0, +)
    }
    #expect(total([]) == 19)  // 8 h × 6 an hour × 40%
    #expect(total([away]) == 9)  // the afternoon is gone: 4 h → 9.6
    #expect(total([guest]) == 28)  // a second counter in the morning: 12 h → 28.8
    let afternoon = planner.slots(branch: Self.branch, service: Self.s1, on: Self.monday, assignments: [away])
    #expect(afternoon.allSatisfy { $0.id.start.minuteOfDay < 12 * 60 })
  }

  @Test func noSlotsDuringTheCountersLunchOrAfterClosing() {
    let slots = SlotPlanner(catalogue: Self.catalogue(), policy: AppointmentPolicy()).slots(
      branch: Self.branch, service: Self.s1, on: Self.monday)
    let minutes = slots.map(\.id.start.minuteOfDay)
    #expect(!minutes.contains { (12 * 60..<13 * 60).contains($0) })
    #expect(minutes.allSatisfy { $0 + 15 <= 17 * 60 })
  }

  @Test func aSlotNeverCrossesTheBranchClosingTime() {
    let catalogue = Self.catalogue(branchHours: Self.hours([("08:00", "16:50")]))
    let slots = SlotPlanner(catalogue: catalogue, policy: AppointmentPolicy()).slots(
      branch: Self.branch, service: Self.s1, on: Self.monday)
    #expect(slots.last.map { $0.id.start.minuteOfDay + 15 <= 16 * 60 + 50 } == true)
  }

  @Test func holidaysAndClosedDaysHaveNoSlots() {
    let planner = SlotPlanner(catalogue: Self.catalogue(holidays: [Self.monday]), policy: AppointmentPolicy())
    #expect(planner.slots(branch: Self.branch, service: Self.s1, on: Self.monday).isEmpty)
    #expect(planner.slots(branch: Self.branch, service: Self.s1, on: Self.monday.adding(days: 6)).isEmpty)  // Sunday
    #expect(!planner.slots(branch: Self.branch, service: Self.s1, on: Self.monday.adding(days: 1)).isEmpty)
  }

  @Test func aSharedCounterSplitsItsCapacityByDemandWeight() {
    let shared = Counter(id: CounterID("c1"), branchID: Self.branch, name: "1", serviceIDs: [Self.s1, Self.s2],
      roster: Self.hours([("08:00", "12:00"), ("13:00", "17:00")]))
    let planner = SlotPlanner(catalogue: Self.catalogue(counters: [shared]), policy: AppointmentPolicy())
    let s1 = planner.slots(branch: Self.branch, service: Self.s1, on: Self.monday).map(\.capacity).reduce(0, +)
    let s2 = planner.slots(branch: Self.branch, service: Self.s2, on: Self.monday).map(\.capacity).reduce(0, +)
    // s1: 480 min / 10 × 3/4 × 0.4 = 14.4; s2: 480 / 5 × 1/4 × 0.4 = 9.6.
    #expect(s1 == 14 && s2 == 9)
  }

  @Test func theShareForAppointmentsIsConfigurable() {
    var policy = AppointmentPolicy()
    policy.appointmentShare = 1.0
    let total = SlotPlanner(catalogue: Self.catalogue(), policy: policy)
      .slots(branch: Self.branch, service: Self.s1, on: Self.monday).map(\.capacity).reduce(0, +)
    #expect(total == 48)
  }

  @Test func slotIDsRoundTripAndRejectGarbage() {
    let id = SlotID(branchID: Self.branch, serviceID: Self.s1, date: Self.monday, start: ClockTime("08:15")!)
    #expect(SlotID(id.description) == id)
    #expect(SlotID("b~s1~2026-11-30T8:15") == nil)
    #expect(SlotID("garbage") == nil)
  }
}

@Suite struct BookingRulesTests {
  static let start = CivilTime.vietnam.instant(on: LocalDate("2026-11-30")!, minute: 9 * 60)

  static let windowCases: [(Int64, String)] = [(-960, "early"), (-900, "open"), (0, "open"), (600, "open"), (601, "late")]

  @Test(arguments: windowCases)
  func checkInWindowIsFifteenMinutesEarlyToTenLate(offset: Int64, expected: String) {
    let result = CheckInWindow.evaluate(
      slotStart: Self.start, now: Self.start.adding(seconds: offset), policy: AppointmentPolicy())
    switch (result, expected) {
    case (.tooEarly(let opens), "early"): #expect(opens == Self.start.adding(seconds: -15 * 60))
    case (.open, "open"): break
    case (.tooLate, "late"): break
    default: Issue.record("\(result) for offset \(offset)")
    }
  }

  @Test func fairnessLetsAWalkInThroughAfterTheLimit() {
    #expect(AppointmentFairness.mayCallAppointment(consecutiveAppointmentCalls: 1, walkInWaiting: true, max: 2))
    #expect(!AppointmentFairness.mayCallAppointment(consecutiveAppointmentCalls: 2, walkInWaiting: true, max: 2))
    #expect(AppointmentFairness.mayCallAppointment(consecutiveAppointmentCalls: 9, walkInWaiting: false, max: 2))
  }

  @Test func identityNumbersAndPhonesAreNormalisedOrRejected() throws {
    #expect(try CitizenIdentity.normalizedPhone("+84 912 345 678") == "0912345678")
    #expect(try CitizenIdentity.normalizedPhone("0912-345-678") == "0912345678")
    #expect(try CitizenIdentity.normalizedNationalID("001 203 004 567") == "001203004567")
    #expect(throws: DomainError.self) { try CitizenIdentity.normalizedPhone("12345") }
    #expect(throws: DomainError.self) { try CitizenIdentity.normalizedNationalID("00120300456") }
    #expect(throws: DomainError.self) { try CitizenIdentity.normalizedNationalID("abcdefghijkl") }
  }
}
