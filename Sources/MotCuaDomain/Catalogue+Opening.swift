extension Catalogue {
  /// Whether `schedule` is open at `instant`; public holidays are closed.
  public func isOpen(_ schedule: WeeklySchedule, at instant: Instant) -> Bool {
    let date = self.civilTime.date(of: instant)
    guard !self.isHoliday(date) else { return false }
    return schedule.isOpen(on: date.weekday, minute: self.civilTime.minuteOfDay(of: instant))
  }

  /// The next instant at or after `instant` when `schedule` opens, looking at most `days` days ahead.
  public func nextOpening(of schedule: WeeklySchedule, after instant: Instant, days: Int = 60) -> Instant? {
    let today = self.civilTime.date(of: instant)
    let minuteNow = self.civilTime.minuteOfDay(of: instant)
    for offset in 0...Int64(days) {
      let date = today.adding(days: offset)
      guard !self.isHoliday(date) else { continue }
      for interval in schedule.intervals(on: date.weekday) {
        if offset == 0 && interval.closes.minuteOfDay <= minuteNow { continue }
        let minute = offset == 0 ? max(interval.opens.minuteOfDay, minuteNow) : interval.opens.minuteOfDay
        return self.civilTime.instant(on: date, minute: minute)
      }
    }
    return nil
  }

  /// The counters of a branch whose roster has them at work at `instant`.
  public func rosteredCounters(at branch: BranchID, serving service: ServiceID, at instant: Instant) -> [Counter] {
    self.counters(at: branch).filter { $0.serviceIDs.contains(service) && self.isOpen($0.roster, at: instant) }
  }
}

extension Catalogue {
  /// When the opening interval of `schedule` that contains `instant` ends; nil if it is closed at `instant`.
  public func closing(of schedule: WeeklySchedule, at instant: Instant) -> Instant? {
    let date = self.civilTime.date(of: instant)
    guard !self.isHoliday(date) else { return nil }
    let minute = self.civilTime.minuteOfDay(of: instant)
    guard
      let interval = schedule.intervals(on: date.weekday).first(where: {
        $0.opens.minuteOfDay <= minute && minute < $0.closes.minuteOfDay
      })
    else { return nil }
    return self.civilTime.instant(on: date, minute: interval.closes.minuteOfDay)
  }
}
