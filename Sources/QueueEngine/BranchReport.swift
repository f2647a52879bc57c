public import MotCuaDomain

/// What happened to one ticket, as a report reads it.
public struct TicketOutcome: Hashable, Sendable {
  public var serviceID: ServiceID
  public var state: TicketState
  public var issuedAt: Instant
  public var calledAt: Instant?
  /// The prediction made at issue, if any.
  public var predictedP50Seconds: Int?
  public var predictedP90Seconds: Int?
  public var feedbackScore: Int?

  public init(
    serviceID: ServiceID, state: TicketState, issuedAt: Instant, calledAt: Instant?, predictedP50Seconds: Int?,
    predictedP90Seconds: Int?, feedbackScore: Int?
  ) {
    self.serviceID = serviceID
    self.state = state
    self.issuedAt = issuedAt
    self.calledAt = calledAt
    self.predictedP50Seconds = predictedP50Seconds
    self.predictedP90Seconds = predictedP90Seconds
    self.feedbackScore = feedbackScore
  }
}

/// A group of tickets' figures: volumes, waits, the service target, no-shows, satisfaction and how good the
/// predictions were. Pure: computed from outcomes.
public struct BranchReport: Hashable, Sendable {
  public var tickets = 0
  public var called = 0
  public var served = 0
  public var noShows = 0
  public var meanWaitSeconds = 0.0
  public var p90WaitSeconds = 0.0
  public var shareWithinTarget = 0.0
  public var noShowRate = 0.0
  public var feedbackCount = 0
  public var meanScore = 0.0
  public var shareSatisfied = 0.0
  public var predictionsScored = 0
  public var predictionMAESeconds = 0.0
  public var p90Coverage = 0.0

  public init(outcomes: [TicketOutcome], targetSeconds: Int) {
    self.tickets = outcomes.count
    let waits = outcomes.compactMap { o in o.calledAt.map { Double(o.issuedAt.seconds(until: $0)) } }.sorted()
    self.called = waits.count
    self.served = outcomes.count { $0.state == .done }
    self.noShows = outcomes.count { $0.state == .noShow }
    if !waits.isEmpty {
      self.meanWaitSeconds = waits.reduce(0, +) / Double(waits.count)
      self.p90WaitSeconds = waits[min(waits.count - 1, Int((0.9 * Double(waits.count)).rounded(.up)) - 1)]
      self.shareWithinTarget = Double(waits.count { $0 <= Double(targetSeconds) }) / Double(waits.count)
      self.noShowRate = Double(self.noShows) / Double(waits.count)
    }
    let scores = outcomes.compactMap(\.feedbackScore)
    self.feedbackCount = scores.count
    if !scores.isEmpty {
      self.meanScore = Double(scores.reduce(0, +)) / Double(scores.count)
      self.shareSatisfied = Double(scores.count { $0 >= 4 }) / Double(scores.count)
    }
    let scored = outcomes.compactMap { o -> (wait: Double, p50: Double, p90: Double)? in
      guard let called = o.calledAt, let p50 = o.predictedP50Seconds, let p90 = o.predictedP90Seconds else {
        return nil
      }
      return (Double(o.issuedAt.seconds(until: called)), Double(p50), Double(p90))
    }
    self.predictionsScored = scored.count
    if !scored.isEmpty {
      self.predictionMAESeconds = scored.map { abs($0.wait - $0.p50) }.reduce(0, +) / Double(scored.count)
      self.p90Coverage = Double(scored.count { $0.wait <= $0.p90 }) / Double(scored.count)
    }
  }
}
