import MotCuaDomain
import Testing

@testable import WaitPrediction

/// A new ticket's wait is simulated once and reused, shifted, for the tickets that follow within seconds; the
/// people ahead come from counts kept as events arrive, not from a scan.
@Suite struct NewTicketOutlookTests {
  static let services = [ServiceID("a"), ServiceID("b"), ServiceID("c")]
  static let opening = Instant(secondsSinceEpoch: EventLogFixture.firstOpening)

  static func at(_ seconds: Int64) -> Instant { opening.adding(seconds: seconds) }

  static func predictor(reuseSeconds: Double) -> BranchPredictor {
    var p = BranchPredictor(
      configuration: .init(
        typicalServiceSeconds: [services[0]: 300, services[1]: 600, services[2]: 900], samples: 64,
        outlookReuseSeconds: reuseSeconds))
    p.observe(.counterOpen(counter: CounterID("c1"), services: [services[0], services[1]], at: at(0)))
    p.observe(.counterOpen(counter: CounterID("c2"), services: [services[1]], at: at(0)))
    p.observe(.counterOpen(counter: CounterID("c3"), services: [services[2]], at: at(0)))
    return p
  }

  /// Random issues (walk-ins, priorities, appointments due now and later), calls, transfers, completions and
  /// no-shows: after every event the counted people ahead of a new ticket of each service and rank, and those
  /// ahead of a waiting ticket, equal those the simulation finds.
  @Test(arguments: [1, 2, 3])
  func countedPeopleAheadEqualTheScannedOnes(seed: UInt64) {
    var p = Self.predictor(reuseSeconds: 0)
    var rng = SeededGenerator(seed: seed)
    var issued: [TicketID] = []
    for step in 0..<400 {
      let now = Self.at(Int64(10 + step * 7))
      let roll = rng.uniform()
      let service = Self.services[Int(rng.uniform() * 3)]
      if roll < 0.5 || issued.isEmpty {
        let id = TicketID("t\(step)")
        let kind = rng.uniform()
        let slot = now.adding(seconds: Int64(rng.uniform() * 1200) - 300)
        p.observe(
          .issue(
            ticket: id, service: service, priority: kind < 0.15 ? .elderly : .none, appointment: kind > 0.8,
            slotStart: kind > 0.8 ? slot : nil, at: now))
        issued.append(id)
      } else {
        let id = issued[Int(rng.uniform() * Double(issued.count))]
        switch Int(rng.uniform() * 4) {
        case 0: p.observe(.call(ticket: id, counter: CounterID("c\(1 + Int(rng.uniform() * 3))"), at: now))
        case 1: p.observe(.transfer(ticket: id, service: service, at: now))
        case 2: p.observe(.complete(ticket: id, at: now))
        default: p.observe(.noShow(ticket: id, at: now))
        }
      }
      let later = now.adding(seconds: 3)
      if let (_, waiting) = p.tickets.first(where: { $0.value.state == .waiting }) {
        let scanned = p.simulate(target: waiting, order: waiting.order, at: later)
        #expect(p.peopleAhead(of: waiting, at: later) == (scanned.peopleAhead, scanned.open))
      }
      for s in 0..<3 {
        for (priority, appointment) in [(Priority.elderly, false), (.none, true), (.none, false)] {
          let target = BranchPredictor.TicketRecord(
            service: s, priority: priority, appointment: appointment, slotStart: appointment ? later : nil,
            issuedAt: later, queuedAt: later, order: .max)
          let scanned = p.simulate(target: target, order: .max, at: later)
          let counted = p.peopleAheadOfNewTicket(service: s, rank: target.ticketClass, at: later)
          #expect(counted.peopleAhead == scanned.peopleAhead, "step \(step), service \(s), rank \(target.ticketClass)")
          #expect(counted.open == scanned.open)
        }
      }
    }
  }

  /// Within the reuse window the answer is the kept simulation shifted by the tickets issued since; a counter
  /// opening, the window passing or a larger change of the queue makes it simulate again, exactly as a predictor
  /// that never reuses.
  @Test func theKeptSimulationIsShiftedByNewTicketsAndDroppedWhenACounterChanges() {
    var reusing = Self.predictor(reuseSeconds: 5)
    var fresh = Self.predictor(reuseSeconds: 0)
    func both(_ event: PredictorEvent) {
      reusing.observe(event)
      fresh.observe(event)
    }
    for n in 0..<6 {
      both(.issue(ticket: TicketID("w\(n)"), service: Self.services[2], priority: .none, appointment: false, slotStart: nil, at: Self.at(10)))
    }
    let first = reusing.predictNew(service: Self.services[2], priority: .none, at: Self.at(11))
    #expect(first == fresh.predictNew(service: Self.services[2], priority: .none, at: Self.at(11)))
    both(.issue(ticket: TicketID("w6"), service: Self.services[2], priority: .none, appointment: false, slotStart: nil, at: Self.at(12)))
    both(.issue(ticket: TicketID("w7"), service: Self.services[2], priority: .none, appointment: false, slotStart: nil, at: Self.at(12)))
    let shifted = reusing.predictNew(service: Self.services[2], priority: .none, at: Self.at(13))
    #expect(shifted.peopleAhead == first.peopleAhead + 2)
    let keptAtSix = reusing.outlooks[2 * 3 + 2]!
    let perPerson = keptAtSix.secondsPerPerson
    #expect(abs(perPerson - 900) < 300)  // one counter serves "c": about its mean service time per person
    #expect(abs(shifted.meanSeconds - (first.meanSeconds + 2 * perPerson)) < 1)
    #expect(abs(shifted.p50Seconds - Self.moved(keptAtSix, to: 8).p50) < 1)
    #expect(abs(shifted.p90Seconds - Self.moved(keptAtSix, to: 8).p90) < 1)
    #expect(reusing.reusedPredictNew(service: Self.services[2], priority: .none, at: Self.at(13)) == shifted)
    #expect(reusing.reusedPredictNew(service: Self.services[2], priority: .none, at: Self.at(16)) == nil)
    for n in 8..<11 {
      both(.issue(ticket: TicketID("w\(n)"), service: Self.services[2], priority: .none, appointment: false, slotStart: nil, at: Self.at(13)))
    }
    // The second of them joins 3 past the kept simulation's 6 ahead, more than the change allowed: it simulates
    // again (with 9 ahead), and the answer after the third is moved from that.
    let kept = reusing.outlooks[2 * 3 + 2]!
    #expect(kept.peopleAhead == 9 && kept.at == Self.at(13))
    let resimulated = reusing.predictNew(service: Self.services[2], priority: .none, at: Self.at(13))
    #expect(resimulated.peopleAhead == 11)
    #expect(abs(resimulated.p50Seconds - Self.moved(kept, to: 11).p50) < 1)
    both(.counterOpen(counter: CounterID("c4"), services: [Self.services[2]], at: Self.at(14)))
    #expect(reusing.reusedPredictNew(service: Self.services[2], priority: .none, at: Self.at(14)) == nil)
    let afterCounter = reusing.predictNew(service: Self.services[2], priority: .none, at: Self.at(14))
    #expect(afterCounter == fresh.predictNew(service: Self.services[2], priority: .none, at: Self.at(14)))
    #expect(afterCounter.openCounters == 2 && afterCounter.p50Seconds < resimulated.p50Seconds)
  }

  /// A kept outlook moved to `ahead` people: the centre by `secondsPerPerson` each, the spread by the square root
  /// of the ratio of the people to be served first (`BranchPredictor.reusedOutlook`).
  static func moved(_ kept: BranchPredictor.NewTicketOutlook, to ahead: Int) -> QuantileCalibrator.Raw {
    let mean = kept.raw.mean + Double(ahead - kept.peopleAhead) * kept.secondsPerPerson
    let spread = ((Double(ahead) + 1) / (Double(kept.peopleAhead) + 1)).squareRoot()
    return .init(
      mean: mean, p50: mean + (kept.raw.p50 - kept.raw.mean) * spread, p90: mean + (kept.raw.p90 - kept.raw.mean) * spread)
  }

  /// One service, `counters` counters open and `ahead` walk-ins waiting (issued without at-issue predictions, so
  /// that only `predictNew` simulates); uncalibrated, seeded.
  static func queue(ahead: Int, counters: Int, seed: UInt64, reuseSeconds: Double = 0) -> BranchPredictor {
    var p = BranchPredictor(
      configuration: .init(
        typicalServiceSeconds: [services[0]: 300], samples: 160, calibrates: false, outlookReuseSeconds: reuseSeconds,
        seed: seed))
    for c in 0..<counters { p.observe(.counterOpen(counter: CounterID("c\(c)"), services: [services[0]], at: at(0))) }
    p.issue(from: 0, to: ahead)
    return p
  }

  /// The widest change a kept outlook is reused for (a quarter of the queue) costs no accuracy worth the name: the
  /// predictor's moved p90 is as close to a fresh simulation's as two fresh simulations with different seeds are
  /// to each other (mean relative difference over 6 seeds, plus 1%), from 8 to 400 people ahead at one and three
  /// counters, and at the simulation's horizon too (1 counter, 200 and 400 ahead: 10 h is reached). Negative
  /// control: without the cap at the horizon four of the eight cases fail (the moved p90 off by 4–78%).
  @Test(arguments: [(1, 8), (1, 40), (1, 100), (1, 200), (1, 400), (3, 20), (3, 100), (3, 400)])
  func aMovedOutlookIsAsCloseToAFreshSimulationAsAnotherSeed(counters: Int, ahead: Int) throws {
    var movedError = 0.0
    var seedNoise = 0.0
    let later = max(2, ahead / 4) + ahead
    for seed in UInt64(1)...6 {
      var reusing = Self.queue(ahead: ahead, counters: counters, seed: seed, reuseSeconds: 5)
      _ = reusing.predictNew(service: Self.services[0], priority: .none, at: Self.at(2))
      reusing.issue(from: ahead, to: later)
      let moved = try #require(reusing.reusedPredictNew(service: Self.services[0], priority: .none, at: Self.at(2)))
      var fresh = Self.queue(ahead: later, counters: counters, seed: seed)
      var other = Self.queue(ahead: later, counters: counters, seed: seed + 100)
      let freshP90 = fresh.predictNew(service: Self.services[0], priority: .none, at: Self.at(2)).p90Seconds
      let otherP90 = other.predictNew(service: Self.services[0], priority: .none, at: Self.at(2)).p90Seconds
      movedError += abs(moved.p90Seconds - freshP90) / freshP90 / 6
      seedNoise += abs(otherP90 - freshP90) / freshP90 / 6
    }
    #expect(movedError <= seedNoise + 0.01, "moved p90 off by \(movedError), seeds differ by \(seedNoise)")
  }

  /// The predictor itself reuses a kept outlook for up to a quarter more people ahead, and not beyond.
  @Test func aKeptOutlookIsReusedForAQuarterMorePeopleAhead() {
    var p = Self.queue(ahead: 40, counters: 2, seed: 1, reuseSeconds: 5)
    _ = p.predictNew(service: Self.services[0], priority: .none, at: Self.at(2))
    p.issue(from: 40, to: 50)
    #expect(p.reusedPredictNew(service: Self.services[0], priority: .none, at: Self.at(2))?.peopleAhead == 50)
    p.issue(from: 50, to: 51)
    #expect(p.reusedPredictNew(service: Self.services[0], priority: .none, at: Self.at(2)) == nil)
  }

  /// The issuing kiosk's answer is the prediction kept at issue: the same as asking just before it joined.
  @Test func aTicketsAnswerAtIssueIsTheNewTicketPredictionJustBefore() {
    var p = Self.predictor(reuseSeconds: 5)
    for n in 0..<4 {
      p.observe(.issue(ticket: TicketID("w\(n)"), service: Self.services[0], priority: .none, appointment: false, slotStart: nil, at: Self.at(10 + Int64(n))))
    }
    let before = p.predictNew(service: Self.services[0], priority: .none, at: Self.at(20))
    p.observe(.issue(ticket: TicketID("me"), service: Self.services[0], priority: .none, appointment: false, slotStart: nil, at: Self.at(20)))
    #expect(p.predict(ticket: TicketID("me"), at: Self.at(20)) == before)
    #expect(before.peopleAhead == 4)
  }
}

extension BranchPredictor {
  /// Walk-ins t`from`..<t`to` of the test service, issued 1 s after opening without at-issue predictions.
  fileprivate mutating func issue(from: Int, to: Int) {
    for n in from..<to {
      self.observe(
        .issue(
          ticket: TicketID("t\(n)"), service: NewTicketOutlookTests.services[0], priority: .none, appointment: false,
          slotStart: nil, at: NewTicketOutlookTests.at(1)),
        calibrating: false)
    }
  }
}
