public import MotCuaDomain

/// Derives a branch's slots for a service and day from the catalogue.
///
/// The rule: slots of `slotMinutes` start at each opening of the branch and never cross its closing time (nor
/// midnight). A counter contributes to a service in a slot for the minutes its roster has it at work within the
/// slot, divided by the service's typical time, times the service's share of that counter — the service's demand
/// weight over the weights of all services the counter serves — times the appointment share. The day's
/// fractional capacities are accumulated and each slot gets the whole appointments the running total passes, so
/// rounding loses nothing over the day. Holidays and closed days have no slots; slots of capacity 0 are left out.
///
/// Staff assignments change the rosters: a person assigned elsewhere takes their home counter's time in the
/// period away from it, and a person assigned here adds their working time in the period (their home counter's
/// roster) as a counter serving the procedures they were assigned.
public struct SlotPlanner: Sendable {
  public let catalogue: Catalogue
  public let policy: AppointmentPolicy

  public init(catalogue: Catalogue, policy: AppointmentPolicy) {
    self.catalogue = catalogue
    self.policy = policy
  }

  /// - Parameter assignments: staff assignments overlapping the day (others are ignored).
  public func slots(
    branch: BranchID, service: ServiceID, on date: LocalDate, assignments: [StaffAssignment] = []
  ) -> [SlotDefinition] {
    guard let b = self.catalogue.branch(branch), let s = self.catalogue.service(service),
      !self.catalogue.isHoliday(date)
    else { return [] }
    let civil = self.catalogue.civilTime
    func minuteRange(_ a: StaffAssignment) -> (Int, Int) {
      let dayStart = civil.instant(on: date, minute: 0).millisecondsSinceEpoch
      let from = (a.startsAt.millisecondsSinceEpoch - dayStart) / 60_000
      let to = (a.endsAt.millisecondsSinceEpoch - dayStart + 59_999) / 60_000
      return (Int(max(0, min(from, 1440))), Int(max(0, min(to, 1440))))
    }
    // Working time per counter (home counters lose their people's time away; guests bring theirs).
    var workers: [(services: [ServiceID], intervals: [(Int, Int)])] = []
    for counter in self.catalogue.counters(at: branch) where counter.serviceIDs.contains(service) {
      var intervals = counter.roster.intervals(on: date.weekday).map { ($0.opens.minuteOfDay, $0.closes.minuteOfDay) }
      for a in assignments where a.fromBranch == branch && self.catalogue.staffMember(a.staffID)?.counterID == counter.id {
        intervals = Self.subtract(minuteRange(a), from: intervals)
      }
      workers.append((counter.serviceIDs, intervals))
    }
    for a in assignments where a.toBranch == branch && a.services.contains(service) {
      guard let home = self.catalogue.staffMember(a.staffID).flatMap({ self.catalogue.counter($0.counterID) }) else {
        continue
      }
      let (from, to) = minuteRange(a)
      let intervals = home.roster.intervals(on: date.weekday).map {
        (max($0.opens.minuteOfDay, from), min($0.closes.minuteOfDay, to))
      }.filter { $0.0 < $0.1 }
      workers.append((a.services, intervals))
    }
    guard !workers.isEmpty else { return [] }
    let share = workers.map { worker in
      let weights = worker.services.compactMap { self.catalogue.service($0)?.demandWeight }
      return Double(max(s.demandWeight, 0)) / Double(max(1, weights.reduce(0, +)))
    }
    let serviceMinutes = Double(s.typicalServiceSeconds) / 60
    var running = 0.0
    var given = 0
    var slots: [SlotDefinition] = []
    for interval in b.openingHours.intervals(on: date.weekday) {
      var start = interval.opens.minuteOfDay
      while start + self.policy.slotMinutes <= interval.closes.minuteOfDay {
        let end = start + self.policy.slotMinutes
        for (index, worker) in workers.enumerated() {
          let minutes = Self.overlap(worker.intervals, start, end)
          running += Double(minutes) / serviceMinutes * share[index] * self.policy.appointmentShare
        }
        let capacity = Int(running.rounded(.down)) - given
        given += capacity
        if capacity > 0 {
          slots.append(SlotDefinition(
            id: SlotID(branchID: branch, serviceID: service, date: date, start: ClockTime(minuteOfDay: start)!),
            start: self.catalogue.civilTime.instant(on: date, minute: start),
            end: self.catalogue.civilTime.instant(on: date, minute: end), capacity: capacity))
        }
        start = end
      }
    }
    return slots
  }

  /// The slot an id names, if the catalogue (and the staff assignments that day) still offer it.
  public func slot(_ id: SlotID, assignments: [StaffAssignment] = []) -> SlotDefinition? {
    self.slots(branch: id.branchID, service: id.serviceID, on: id.date, assignments: assignments).first { $0.id == id }
  }

  /// Minutes of `intervals` (minute-of-day pairs) within `start..<end`.
  static func overlap(_ intervals: [(Int, Int)], _ start: Int, _ end: Int) -> Int {
    intervals.reduce(0) { total, i in total + max(0, min(end, i.1) - max(start, i.0)) }
  }

  /// `intervals` without `cut`.
  static func subtract(_ cut: (Int, Int), from intervals: [(Int, Int)]) -> [(Int, Int)] {
    intervals.flatMap { i -> [(Int, Int)] in
      guard i.0 < cut.1 && cut.0 < i.1 else { return [i] }
      return [(i.0, cut.0), (cut.1, i.1)].filter { $0.0 < $0.1 }
    }
  }
}
