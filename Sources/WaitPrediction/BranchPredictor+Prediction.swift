import Foundation
public import MotCuaDomain

extension BranchPredictor {
  /// The remaining wait of a waiting ticket, or nil when the ticket is unknown or already called.
  public func predict(ticket: TicketID, at now: Instant) -> WaitPrediction? {
    guard let record = self.tickets[ticket], record.state == .waiting else { return nil }
    if now == record.issuedAt, let raw = record.atIssue {
      let (ahead, open) = self.peopleAheadAndOpenCounters(target: record, id: ticket, at: now)
      return self.calibrated(raw, record: record, peopleAhead: ahead, openCounters: open)
    }
    let result = self.simulate(target: record, id: ticket, at: now)
    return self.calibrated(result.raw, record: record, peopleAhead: result.peopleAhead, openCounters: result.open)
  }

  /// The wait of a ticket that would be issued now (behind every ticket of its rank already waiting).
  public func predictNew(
    service: ServiceID, priority: Priority, appointment: Bool = false, slotStart: Instant? = nil, at now: Instant
  ) -> WaitPrediction {
    var copy = self
    let s = copy.index(of: service)
    let record = TicketRecord(
      service: s, priority: priority, appointment: appointment, slotStart: appointment ? slotStart : nil,
      issuedAt: now, queuedAt: now)
    let result = copy.simulate(target: record, id: nil, at: now)
    return copy.calibrated(result.raw, record: record, peopleAhead: result.peopleAhead, openCounters: result.open)
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

  private static func rank(_ r: TicketRecord) -> Int { r.priority != .none ? 0 : r.appointment ? 1 : 2 }

  private static func precedes(_ a: (Instant, String), _ b: (Instant, String)) -> Bool {
    a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
  }

  /// Seconds from `now` to `instant`.
  private static func seconds(_ now: Instant, _ instant: Instant) -> Double {
    Double(instant.millisecondsSinceEpoch - now.millisecondsSinceEpoch) / 1000
  }

  /// The waiting tickets ahead of the target: per rank their services, and appointments not yet due.
  private func ticketsAhead(
    target: TicketRecord, id: TicketID?, at now: Instant
  ) -> (queue: [[Int]], pending: [QueueSimulation.Pending]) {
    let targetRank = Self.rank(target)
    let targetKey = (target.queuedAt, id?.rawValue ?? "\u{10FFFF}")
    var ahead: [(key: (Instant, String), rank: Int, service: Int)] = []
    var pending: [QueueSimulation.Pending] = []
    for (ticketID, r) in self.tickets where r.state == .waiting && ticketID != id {
      let rank = Self.rank(r)
      guard rank <= targetRank else { continue }
      if rank == 1, let slot = r.slotStart, slot > now {
        if targetRank >= 1 {
          pending.append(.init(time: Self.seconds(now, slot), rank: 1, service: r.service))
        }
        continue
      }
      let key = (r.queuedAt, ticketID.rawValue)
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

  func peopleAheadAndOpenCounters(target: TicketRecord, id: TicketID?, at now: Instant) -> (Int, Int) {
    let bit = QueueSimulation.bit(target.service)
    let open = self.counters.values.filter { $0.isOpen && $0.mask & bit != 0 }
    let shared = open.reduce(bit) { $0 | $1.mask }
    let (queue, _) = self.ticketsAhead(target: target, id: id, at: now)
    let ahead = queue.joined().count { shared & QueueSimulation.bit($0) != 0 }
    return (ahead, open.count)
  }

  /// Simulates the target's wait: raw (uncorrected) mean and quantiles, people ahead, open counters.
  func simulate(
    target: TicketRecord, id: TicketID?, at now: Instant
  ) -> (raw: QuantileCalibrator.Raw, peopleAhead: Int, open: Int) {
    let (queue, pending) = self.ticketsAhead(target: target, id: id, at: now)
    let simulation = QueueSimulation(
      services: self.serviceIDs.indices.map { self.distribution(of: $0) },
      counters: self.simulatedCounters(at: now), queue: queue, targetRank: Self.rank(target), pending: pending,
      streams: self.streams(targetRank: Self.rank(target), at: now), horizon: self.configuration.horizonSeconds)
    var seed = SeededGenerator.hash(id?.rawValue ?? self.serviceIDs[target.service].rawValue, into: self.configuration.seed)
    seed ^= UInt64(bitPattern: now.millisecondsSinceEpoch) &* 0x9E37_79B9_7F4A_7C15
    let waits = simulation.run(samples: self.configuration.samples, seed: seed)
    let raw = QuantileCalibrator.Raw(
      mean: waits.reduce(0, +) / Double(waits.count), p50: QuantileCalibrator.quantile(waits, 0.5),
      p90: QuantileCalibrator.quantile(waits, 0.9))
    let bit = QueueSimulation.bit(target.service)
    let open = self.counters.values.filter { $0.isOpen && $0.mask & bit != 0 }
    let shared = open.reduce(bit) { $0 | $1.mask }
    let ahead = queue.joined().count { shared & QueueSimulation.bit($0) != 0 }
    return (raw, ahead, open.count)
  }
}
