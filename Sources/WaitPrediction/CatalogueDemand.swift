public import MotCuaDomain

/// Seed defaults for the arrival forecast when a branch has no history: the walk-in demand its rostered
/// counters are set up for — each counter's share of a service (demand weights) × tickets an hour at the typical
/// service time × an assumed utilisation — split into walk-ins, priority tickets and appointments.
public struct CatalogueDemand: Sendable {
  public let catalogue: Catalogue
  /// The share of counter time assumed to be used, 0.75 by default.
  public let utilisation: Double
  public let priorityShare: Double
  public let appointmentShare: Double

  public init(catalogue: Catalogue, utilisation: Double = 0.75, priorityShare: Double = 0.1, appointmentShare: Double = 0.4) {
    self.catalogue = catalogue
    self.utilisation = utilisation
    self.priorityShare = priorityShare
    self.appointmentShare = appointmentShare
  }

  /// Arrivals per hour of a series in an hour of the week (holidays are not known here: the caller skips them).
  public func rate(_ series: ArrivalForecast.Series, _ hour: HourOfWeek) -> Double {
    guard let service = self.catalogue.service(series.serviceID) else { return 0 }
    var ticketsPerHour = 0.0
    for counter in self.catalogue.counters(at: series.branchID) where counter.serviceIDs.contains(service.id) {
      let minutes = counter.roster.intervals(on: hour.weekday).reduce(0) { total, i in
        total + max(0, min((hour.hour + 1) * 60, i.closes.minuteOfDay) - max(hour.hour * 60, i.opens.minuteOfDay))
      }
      let weights = counter.serviceIDs.compactMap { self.catalogue.service($0)?.demandWeight }.reduce(0, +)
      let share = Double(service.demandWeight) / Double(max(1, weights))
      ticketsPerHour += Double(minutes) / (Double(service.typicalServiceSeconds) / 60) * share
    }
    let demand = ticketsPerHour * self.utilisation
    switch series.arrivalClass {
    case .appointment: return demand * self.appointmentShare
    case .priority: return demand * (1 - self.appointmentShare) * self.priorityShare
    case .walkIn: return demand * (1 - self.appointmentShare) * (1 - self.priorityShare)
    }
  }
}
