public import MotCuaDomain

/// Derives a branch's slots for a service and day from the catalogue.
///
/// The rule: slots of `slotMinutes` start at each opening of the branch and never cross its closing time (nor
/// midnight). A counter contributes to a service in a slot for the minutes its roster has it at work within the
/// slot, divided by the service's typical time, times the service's share of that counter — the service's demand
/// weight over the weights of all services the counter serves — times the appointment share. The day's
/// fractional capacities are accumulated and each slot gets the whole appointments the running total passes, so
/// rounding loses nothing over the day. Holidays and closed days have no slots; slots of capacity 0 are left out.
public struct SlotPlanner: Sendable {
  public let catalogue: Catalogue
  public let policy: AppointmentPolicy

  public init(catalogue: Catalogue, policy: AppointmentPolicy) {
    self.catalogue = catalogue
    self.policy = policy
  }

  public func slots(branch: BranchID, service: ServiceID, on date: LocalDate) -> [SlotDefinition] {
    guard let b = self.catalogue.branch(branch), let s = self.catalogue.service(service),
      !self.catalogue.isHoliday(date)
    else { return [] }
    let counters = self.catalogue.counters(at: branch).filter { $0.serviceIDs.contains(service) }
    guard !counters.isEmpty else { return [] }
    let share = Dictionary(uniqueKeysWithValues: counters.map { counter in
      let weights = counter.serviceIDs.compactMap { self.catalogue.service($0)?.demandWeight }
      let total = max(1, weights.reduce(0, +))
      return (counter.id, Double(max(s.demandWeight, 0)) / Double(total))
    })
    let serviceMinutes = Double(s.typicalServiceSeconds) / 60
    var running = 0.0
    var given = 0
    var slots: [SlotDefinition] = []
    for interval in b.openingHours.intervals(on: date.weekday) {
      var start = interval.opens.minuteOfDay
      while start + self.policy.slotMinutes <= interval.closes.minuteOfDay {
        let end = start + self.policy.slotMinutes
        for counter in counters {
          let minutes = Self.overlap(counter.roster.intervals(on: date.weekday), start, end)
          running += Double(minutes) / serviceMinutes * share[counter.id, default: 0] * self.policy.appointmentShare
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

  /// The slot an id names, if the catalogue still offers it.
  public func slot(_ id: SlotID) -> SlotDefinition? {
    self.slots(branch: id.branchID, service: id.serviceID, on: id.date).first { $0.id == id }
  }

  static func overlap(_ intervals: [WeeklySchedule.Interval], _ start: Int, _ end: Int) -> Int {
    intervals.reduce(0) { total, i in
      total + max(0, min(end, i.closes.minuteOfDay) - max(start, i.opens.minuteOfDay))
    }
  }
}
