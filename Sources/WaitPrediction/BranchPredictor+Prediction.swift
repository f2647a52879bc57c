import Foundation
public import MotCuaDomain

extension BranchPredictor {
  /// The remaining wait of a waiting ticket, or nil when the ticket is unknown or already called.
  public func predict(ticket: TicketID, at now: Instant) -> WaitPrediction? {
    guard let record = self.tickets[ticket], record.state == .waiting else { return nil }
    if now == record.issuedAt, let raw = record.atIssue {
      // The prediction made at issue; the people ahead too unless a ticket was called or joined since.
      let (ahead, open) =
        self.eventsObserved == record.eventsObservedAtIssue
        ? (record.peopleAheadAtIssue, record.openCountersAtIssue) : self.peopleAhead(of: record, at: now)
      return self.calibrated(raw, record: record, peopleAhead: ahead, openCounters: open)
    }
    let result = self.simulate(target: record, order: record.order, at: now)
    return self.calibrated(result.raw, record: record, peopleAhead: result.peopleAhead, openCounters: result.open)
  }

  /// The wait of a ticket that would be issued now (behind every ticket of its rank already waiting).
  ///
  /// The simulation's answer is kept (see `NewTicketOutlook`) and reused for the next tickets of the same service
  /// and rank: at a busy branch a kiosk issues many tickets a second, and one simulation per ticket would cost
  /// more CPU than everything else the server does for it.
  public mutating func predictNew(
    service: ServiceID, priority: Priority, appointment: Bool = false, slotStart: Instant? = nil, at now: Instant
  ) -> WaitPrediction {
    let record = Self.newRecord(
      service: self.index(of: service), priority: priority, appointment: appointment, slotStart: slotStart, at: now)
    let outlook = self.newTicketOutlook(record, at: now)
    return self.calibrated(outlook.raw, record: record, peopleAhead: outlook.peopleAhead, openCounters: outlook.openCounters)
  }

  /// `predictNew` only from a kept outlook: nil when none is fresh enough (the caller then has to simulate).
  public func reusedPredictNew(service: ServiceID, priority: Priority, at now: Instant) -> WaitPrediction? {
    guard let s = self.serviceIndex[service] else { return nil }
    let record = Self.newRecord(service: s, priority: priority, appointment: false, slotStart: nil, at: now)
    guard let outlook = self.reusedOutlook(record, at: now) else { return nil }
    return self.calibrated(outlook.raw, record: record, peopleAhead: outlook.peopleAhead, openCounters: outlook.openCounters)
  }

  private static func newRecord(
    service: Int, priority: Priority, appointment: Bool, slotStart: Instant?, at now: Instant
  ) -> TicketRecord {
    TicketRecord(
      service: service, priority: priority, appointment: appointment,
      slotStart: appointment ? slotStart : nil, issuedAt: now, queuedAt: now, order: .max)
  }

  /// The uncorrected wait of a ticket joining now (not yet counted in the queue): a kept outlook shifted by the
  /// people who joined or left the queue ahead since, or a new simulation (kept for the next tickets).
  mutating func newTicketOutlook(_ record: TicketRecord, at now: Instant) -> NewTicketOutlook {
    let rank = record.ticketClass
    // An appointment checked in before its slot joins later: its own simulation, not kept.
    if let slot = record.slotStart, slot > now, rank == 1 {
      let result = self.simulate(target: record, order: .max, at: now)
      return NewTicketOutlook(
        raw: result.raw, peopleAhead: result.peopleAhead, openCounters: result.open, secondsPerPerson: 0, at: now,
        counterVersion: self.counterVersion)
    }
    if let reused = self.reusedOutlook(record, at: now) { return reused }
    let result = self.simulate(target: record, order: .max, at: now)
    let outlook = NewTicketOutlook(
      raw: result.raw, peopleAhead: result.peopleAhead, openCounters: result.open,
      secondsPerPerson: self.distribution(of: record.service).meanCounterSeconds / Double(max(1, result.serving)),
      at: now, counterVersion: self.counterVersion)
    self.outlooks[record.service * 3 + rank] = outlook
    return outlook
  }

  /// The kept outlook of the record's service and rank moved to now, if it is recent, the counters unchanged
  /// and the people ahead within 2 or a quarter of those it was simulated with.
  ///
  /// The centre moves by `secondsPerPerson` for each person who joined or left the queue ahead; the spread around
  /// it grows like the square root of the people to be served first (the wait is a sum of their service times).
  /// Nothing moves past the simulation's horizon, and a simulation that reached it is not moved down from it (the
  /// waits it cut off are unknown). Checked against fresh simulations (`NewTicketOutlookTests`): within a quarter,
  /// the moved p90 is as close to a new simulation's as two simulations with different seeds are to each other.
  private func reusedOutlook(_ record: TicketRecord, at now: Instant) -> NewTicketOutlook? {
    let s = record.service
    guard let kept = self.outlooks[s * 3 + record.ticketClass], kept.counterVersion == self.counterVersion,
      kept.at <= now, Self.seconds(kept.at, now) < self.configuration.outlookReuseSeconds
    else { return nil }
    let (ahead, open) = self.peopleAheadOfNewTicket(service: s, rank: record.ticketClass, at: now)
    let horizon = self.configuration.horizonSeconds
    guard abs(ahead - kept.peopleAhead) <= max(2, kept.peopleAhead / 4),
      kept.raw.p90 < horizon || ahead >= kept.peopleAhead
    else { return nil }
    let mean = kept.raw.mean + Double(ahead - kept.peopleAhead) * kept.secondsPerPerson
    let spread = ((Double(ahead) + 1) / (Double(kept.peopleAhead) + 1)).squareRoot()
    func moved(_ seconds: Double) -> Double { min(horizon, max(0, mean + (seconds - kept.raw.mean) * spread)) }
    var outlook = kept
    outlook.raw = QuantileCalibrator.Raw(
      mean: min(horizon, max(0, mean)), p50: moved(kept.raw.p50), p90: moved(kept.raw.p90))
    outlook.peopleAhead = ahead
    outlook.openCounters = open
    return outlook
  }

  /// People waiting ahead of a waiting ticket (as `peopleAheadOfNewTicket` counts them), and the open counters
  /// serving it: a scan of the queue, without the simulation.
  func peopleAhead(of target: TicketRecord, at now: Instant) -> (peopleAhead: Int, open: Int) {
    let (open, shared) = self.openCounters(serving: target.service)
    let rank = target.ticketClass
    var ahead = 0
    for r in self.tickets.values where r.state == .waiting && shared & QueueSimulation.bit(r.service) != 0 {
      let rRank = r.ticketClass
      guard rRank <= rank, !(rRank == 1 && (r.slotStart.map { $0 > now } ?? false)) else { continue }
      if rRank < rank || Self.precedes((r.queuedAt, r.order), (target.queuedAt, target.order)) { ahead += 1 }
    }
    return (ahead, open)
  }

  /// People waiting ahead of a ticket joining now (those of its services and of the services sharing its open
  /// counters, at its rank or above, appointments only once due) and the open counters serving it: from the
  /// waiting counts, without a scan of the queue.
  func peopleAheadOfNewTicket(service s: Int, rank: Int, at now: Instant) -> (peopleAhead: Int, open: Int) {
    let (open, shared) = self.openCounters(serving: s)
    var ahead = 0
    for r in 0...rank {
      for (service, count) in self.waitingCounts[r].enumerated() where count > 0 && shared & QueueSimulation.bit(service) != 0 {
        ahead += count
      }
    }
    if rank >= 1 {
      for (slot, service) in self.waitingAppointments.values where slot > now && shared & QueueSimulation.bit(service) != 0 {
        ahead -= 1
      }
    }
    return (ahead, open)
  }

  private func calibrated(
    _ raw: QuantileCalibrator.Raw, record: TicketRecord, peopleAhead: Int, openCounters: Int
  ) -> WaitPrediction {
    let c = self.configuration.calibrates ? self.calibrator.correct(raw, ticketClass: record.ticketClass) : raw
    return WaitPrediction(
      meanSeconds: c.mean, p50Seconds: c.p50, p90Seconds: c.p90, peopleAhead: peopleAhead,
      openCounters: openCounters)
  }

  // MARK: - Building the simulation

  /// The learned counter-time distribution of service `s`.
  func distribution(of s: Int) -> ServiceTimeDistribution {
    let c = self.configuration
    let pooled = self.pooledServiceTime.posterior(
      priorMeanSeconds: c.genericServiceSeconds, priorSigma: 0.8, priorWeight: c.priorWeight)
    let prior: (mean: Double, sigma: Double) =
      if let typical = c.typicalServiceSeconds[self.serviceIDs[s]] {
        (typical, c.priorLogStandardDeviation)
      } else {
        (exp(pooled.mu + pooled.sigma * pooled.sigma / 2), max(pooled.sigma, c.priorLogStandardDeviation))
      }
    let served = self.serviceTimes[s].posterior(
      priorMeanSeconds: prior.mean, priorSigma: prior.sigma, priorWeight: c.priorWeight)
    let totalCalls = self.calls.reduce(0, +)
    let globalShare = (self.noShows.reduce(0, +) + 20 * c.priorNoShowShare) / (totalCalls + 20)
    let share = (self.noShows[s] + 20 * globalShare) / (self.calls[s] + 20)
    let noShow = self.noShowTime.posterior(
      priorMeanSeconds: c.priorNoShowSeconds, priorSigma: 0.5, priorWeight: c.priorWeight)
    return ServiceTimeDistribution(
      served: .logNormal(mu: served.mu, sigma: served.sigma), noShowShare: share, noShowMu: noShow.mu,
      noShowSigma: noShow.sigma)
  }

  private static func precedes(_ a: (Instant, UInt64), _ b: (Instant, UInt64)) -> Bool {
    a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
  }

  /// Seconds from `now` to `instant`.
  private static func seconds(_ now: Instant, _ instant: Instant) -> Double {
    Double(instant.millisecondsSinceEpoch - now.millisecondsSinceEpoch) / 1000
  }

  /// The waiting tickets ahead of the target: per rank their services, and appointments not yet due.
  private func ticketsAhead(
    target: TicketRecord, order: UInt64, at now: Instant
  ) -> (queue: [[Int]], pending: [QueueSimulation.Pending]) {
    let targetRank = target.ticketClass
    let targetKey = (target.queuedAt, order)
    var ahead: [(key: (Instant, UInt64), rank: Int, service: Int)] = []
    var pending: [QueueSimulation.Pending] = []
    for r in self.tickets.values where r.state == .waiting && r.order != order {
      let rank = r.ticketClass
      guard rank <= targetRank else { continue }
      if rank == 1, let slot = r.slotStart, slot > now {
        if targetRank >= 1 {
          pending.append(.init(time: Self.seconds(now, slot), rank: 1, service: r.service))
        }
        continue
      }
      let key = (r.queuedAt, r.order)
      if rank == targetRank && !Self.precedes(key, targetKey) { continue }
      ahead.append((key, rank, r.service))
    }
    ahead.sort { Self.precedes($0.key, $1.key) }
    var queue: [[Int]] = [[], [], []]
    for a in ahead { queue[a.rank].append(a.service) }
    let targetDue = target.slotStart.map { max(0, Self.seconds(now, $0)) } ?? 0
    pending.append(.init(time: targetDue, rank: targetRank, service: target.service, isTarget: true))
    pending.sort { ($0.time, $0.rank, $0.service) < ($1.time, $1.rank, $1.service) }
    return (queue, pending)
  }

  /// Counters open now or later today, with their working windows and the tickets at them.
  private func simulatedCounters(at now: Instant) -> [QueueSimulation.Counter] {
    let civil = self.configuration.civilTime
    let dayEnd = civil.instant(on: civil.date(of: now).adding(days: 1), minute: 0)
    let todays = self.counters.values.flatMap(\.roster).filter { $0.from < dayEnd }
    // Counters rostered to the branch's closing time keep calling until the queue is empty.
    let closing = todays.map(\.to).max()
    func end(_ interval: RosterInterval) -> Double {
      if let closing, interval.to.millisecondsSinceEpoch >= closing.millisecondsSinceEpoch - 1_800_000 {
        return .infinity
      }
      return Self.seconds(now, interval.to)
    }
    var busy: [CounterID: TicketRecord] = [:]
    var unassigned: [TicketRecord] = []
    for r in self.tickets.values where r.state != .waiting {
      if let c = r.counter, self.counters[c]?.isOpen == true, busy[c] == nil { busy[c] = r } else { unassigned.append(r) }
    }
    var result: [(id: CounterID, counter: QueueSimulation.Counter)] = []
    for (id, record) in self.counters.sorted(by: { $0.key < $1.key }) {
      let intervals = record.roster.filter { $0.to > now && $0.from < dayEnd }.sorted { $0.from < $1.from }
      var windows: [(start: Double, end: Double)] = []
      var mask = record.mask
      var rest = intervals[...]
      if record.isOpen {
        if let current = intervals.first(where: { $0.from <= now }) {
          windows.append((0, end(current)))
          rest = intervals.drop { $0.from <= now }
        } else if let next = intervals.first, Self.seconds(now, next.from) < 900 {
          windows.append((0, end(next)))
          rest = intervals.dropFirst()
        } else if intervals.isEmpty {
          windows.append((0, .infinity))
        }
      } else {
        if let first = intervals.first { mask = first.mask }
        if let current = intervals.first, current.from <= now {
          if Self.seconds(current.from, now) < 900 { windows.append((60, end(current))) }
          rest = intervals.dropFirst()
        }
      }
      for interval in rest { windows.append((Self.seconds(now, interval.from), end(interval))) }
      guard !windows.isEmpty, mask != 0 else { continue }
      var counter = QueueSimulation.Counter(mask: mask, busyService: nil, windows: windows)
      if record.isOpen, let at = busy[id] {
        counter.busyService = at.service
        counter.elapsed = Self.seconds(at.calledAt ?? now, now)
        counter.started = at.state == .started
      }
      result.append((id, counter))
    }
    // Tickets called to an unknown counter occupy an open counter that serves them.
    unassigned.sort {
      ($0.calledAt?.millisecondsSinceEpoch ?? 0, $0.service) < ($1.calledAt?.millisecondsSinceEpoch ?? 0, $1.service)
    }
    for r in unassigned {
      if let k = result.firstIndex(where: {
        self.counters[$0.id]?.isOpen == true && $0.counter.busyService == nil
          && $0.counter.mask & QueueSimulation.bit(r.service) != 0
      }) {
        result[k].counter.busyService = r.service
        result[k].counter.elapsed = Self.seconds(r.calledAt ?? now, now)
        result[k].counter.started = r.state == .started
      }
    }
    return result.map(\.counter)
  }

  private func streams(targetRank: Int, at now: Instant) -> [QueueSimulation.ArrivalStream] {
    let minute = self.configuration.civilTime.minuteOfDay(of: now)
    let secondOfDay = Double(minute * 60) + Double(now.millisecondsSinceEpoch % 60_000) / 1000
    let firstEnd = Double((minute / 60 + 1) * 3600) - secondOfDay
    var result: [QueueSimulation.ArrivalStream] = []
    let kinds: [(OvertakingArrivals.Stream, Int)] = [(.priority, 0), (.appointment, 1)]
    for (stream, rank) in kinds where rank < targetRank {
      let (services, cumulative) = self.arrivals.serviceMix(stream)
      guard !services.isEmpty else { continue }
      // Rates for the rest of the day only (arrivals after midnight belong to another day).
      let rates = (minute / 60..<24).map { self.arrivals.rate(stream, hour: $0) }
      guard rates.contains(where: { $0 > 0 }) else { continue }
      result.append(
        .init(rank: rank, rates: rates, firstSegmentEnd: firstEnd, services: services, cumulative: cumulative))
    }
    return result
  }

  /// Simulates the wait of the target (queued in `order`; `.max` for a new ticket): raw (uncorrected) mean and
  /// quantiles, people ahead, open counters, and counters open or rostered today that serve it.
  func simulate(
    target: TicketRecord, order: UInt64, at now: Instant
  ) -> (raw: QuantileCalibrator.Raw, peopleAhead: Int, open: Int, serving: Int) {
    let (queue, pending) = self.ticketsAhead(target: target, order: order, at: now)
    let counters = self.simulatedCounters(at: now)
    let simulation = QueueSimulation(
      services: self.serviceIDs.indices.map { self.distribution(of: $0) },
      counters: counters, queue: queue, targetRank: target.ticketClass, pending: pending,
      streams: self.streams(targetRank: target.ticketClass, at: now), horizon: self.configuration.horizonSeconds)
    var seed = SeededGenerator.hash(self.serviceIDs[target.service].rawValue, into: self.configuration.seed)
    seed ^= order &* 0xBF58_476D_1CE4_E5B9
    seed ^= UInt64(bitPattern: now.millisecondsSinceEpoch) &* 0x9E37_79B9_7F4A_7C15
    let waits = simulation.run(samples: self.configuration.samples, seed: seed)
    let raw = QuantileCalibrator.Raw(
      mean: waits.reduce(0, +) / Double(waits.count), p50: QuantileCalibrator.quantile(waits, 0.5),
      p90: QuantileCalibrator.quantile(waits, 0.9))
    let (open, shared) = self.openCounters(serving: target.service)
    let ahead = queue.joined().count { shared & QueueSimulation.bit($0) != 0 }
    return (raw, ahead, open, counters.count { $0.mask & QueueSimulation.bit(target.service) != 0 })
  }

  /// The open counters serving service `s`, and the services they and `s` share: the people counted ahead.
  private func openCounters(serving s: Int) -> (count: Int, sharedMask: UInt64) {
    let bit = QueueSimulation.bit(s)
    var shared = bit
    var count = 0
    for counter in self.counters.values where counter.isOpen && counter.mask & bit != 0 {
      count += 1
      shared |= counter.mask
    }
    return (count, shared)
  }
}
