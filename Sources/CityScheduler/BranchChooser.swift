public import MotCuaDomain

/// Recommends a branch without herding: everyone told "go to the shortest queue" makes it the longest.
///
/// Three guards against herding:
/// - recommendations not yet arrived (`PendingArrivals`) are added to a branch's predicted wait;
/// - the recommendations sent to a branch in any hour never exceed its spare capacity per hour;
/// - among branches whose total (travel + wait) is within a margin of the best, the choice is random, weighted
///   by a soft-min (`weight = exp(-(total - best) / temperature)`).
///
/// Soft-min rather than "the better of two random": with two near-best branches the better-of-two gives the
/// better one 3/4 of the load however small the gap, whereas the soft-min's shares move smoothly with the
/// gap (equal totals split evenly; a branch `temperature` minutes worse gets e⁻¹ ≈ 0.37 the weight). A small
/// change in a prediction then shifts load a little instead of flipping it, which is what stops oscillation.
/// Branches outside the margin get no weight at all. Choices are deterministic given the injected generator.
///
/// A guard for the citizen: the chosen branch is never predicted worse than their nearest one (the capacity cap
/// can leave only distant branches eligible); then the nearest is chosen, even past its cap — the cap limits the
/// inflow *diverted* to a branch, and going to one's nearest diverts nobody. It also means that when the nearest
/// branch is the best, its own citizens are not sent elsewhere at random; pending arrivals still raise its total.
public struct BranchChooser: Sendable {
  /// The chooser's tunables.
  public struct Settings: Hashable, Sendable {
    /// A branch is near-best within `max(marginFraction × best, marginMinutes)` of the best total.
    public var marginFraction: Double = 0.10
    public var marginMinutes: Double = 5
    /// Soft-min temperature in minutes: the gap at which a branch's weight falls to e⁻¹.
    public var temperatureMinutes: Double = 2.5
    /// How many branches a recommendation lists, the chosen first.
    public var maxRecommendations: Int = 3
    /// Choose the nearest branch instead whenever its total (pending included) is shorter than the choice's.
    public var neverWorseThanNearest = true

    public init() {}
  }

  /// Minutes of wait that `pending` not-yet-arrived citizens add to a candidate.
  public typealias PendingWait = @Sendable (_ candidate: Candidate, _ pending: Int) -> Double

  /// The default pending wait: `pending × candidate.minutesPerPending` when the candidate says what one citizen
  /// adds, else `pending ÷ spare capacity per hour`, in minutes.
  public static let defaultPendingWait: PendingWait = { candidate, pending in
    guard pending > 0 else { return 0 }
    if let minutes = candidate.minutesPerPending { return Double(pending) * minutes }
    guard candidate.spareCapacityPerHour > 0 else { return .infinity }
    return Double(pending) * 60 / candidate.spareCapacityPerHour
  }

  public let settings: Settings
  public let pendingWait: PendingWait

  public init(settings: Settings = Settings(), pendingWait: @escaping PendingWait = Self.defaultPendingWait) {
    self.settings = settings
    self.pendingWait = pendingWait
  }

  /// Ranks `candidates` at `now`: the randomly chosen branch first, then alternatives by total time (the nearest
  /// branch always among them). Empty when no branch can take the citizen. Records nothing.
  public func rank(
    _ candidates: [Candidate], pending: PendingArrivals, now: Instant,
    using generator: inout some RandomNumberGenerator
  ) -> [Recommendation] {
    let options = candidates.compactMap { self.adjusted($0, pending: pending, now: now) }
    let eligible = options.filter(\.withinCap)
      .sorted { ($0.total, $0.candidate.branch) < ($1.total, $1.candidate.branch) }
    guard let best = eligible.first?.total, self.settings.maxRecommendations > 0 else { return [] }
    let margin = max(self.settings.marginFraction * best, self.settings.marginMinutes)
    let nearBest = eligible.prefix { $0.total <= best + margin }
    var chosen = self.softMin(Array(nearBest), best: best, using: &generator)
    var guarded = false
    if self.settings.neverWorseThanNearest,
      let nearestOverall = options.min(by: {
        ($0.candidate.travelMinutes, $0.candidate.branch) < ($1.candidate.travelMinutes, $1.candidate.branch)
      }), nearestOverall.total < chosen.total
    {
      chosen = nearestOverall
      guarded = true
    }

    var listed = [chosen]
    listed += eligible.filter { $0.candidate.branch != chosen.candidate.branch }
      .prefix(self.settings.maxRecommendations - 1)
    let nearest = eligible.min {
      ($0.candidate.travelMinutes, $0.candidate.branch) < ($1.candidate.travelMinutes, $1.candidate.branch)
    }!
    if !listed.contains(where: { $0.candidate.branch == nearest.candidate.branch }) && listed.count > 1 {
      listed[listed.count - 1] = nearest
    }

    return listed.enumerated().map { index, option in
      let reason: Recommendation.Reason
      if index == 0 {
        reason = option.total <= best ? .shortestTotal : guarded ? .nearest : .nearBestSpreadsLoad
      } else if option.candidate.branch == nearest.candidate.branch {
        reason = .nearest
      } else if option.total <= best {
        reason = .shortestTotal
      } else if option.total <= best + margin {
        reason = .nearBest
      } else {
        reason = .alternative
      }
      return Recommendation(
        branch: option.candidate.branch, travelMinutes: option.candidate.travelMinutes,
        distanceKm: option.candidate.distanceKm, waitMinutes: option.wait, reason: reason)
    }
  }

  /// Ranks like `rank` and records the chosen branch in `pending`.
  public func recommend(
    _ candidates: [Candidate], pending: inout PendingArrivals, now: Instant,
    using generator: inout some RandomNumberGenerator
  ) -> [Recommendation] {
    let ranked = self.rank(candidates, pending: pending, now: now, using: &generator)
    if let chosen = ranked.first {
      pending.record(branch: chosen.branch, at: now, travelMinutes: chosen.travelMinutes)
    }
    return ranked
  }

  private struct Option {
    let candidate: Candidate
    let wait: Double
    /// Recommending it stays within its spare capacity this hour.
    let withinCap: Bool
    var total: Double { self.candidate.travelMinutes + self.wait }
  }

  /// The candidate with its pending wait, or nil if it may not be recommended.
  private func adjusted(_ candidate: Candidate, pending: PendingArrivals, now: Instant) -> Option? {
    guard !candidate.closesBeforeServed else { return nil }
    let sent = pending.recommendedInLastHour(to: candidate.branch, now: now)
    let wait = candidate.predictedWaitAtArrivalMinutes
      + self.pendingWait(candidate, pending.pending(at: candidate.branch, now: now))
    let option = Option(
      candidate: candidate, wait: wait, withinCap: Double(sent + 1) <= candidate.spareCapacityPerHour)
    guard option.total.isFinite, candidate.travelMinutes >= 0 else { return nil }
    return option
  }

  private func softMin(_ options: [Option], best: Double, using generator: inout some RandomNumberGenerator)
    -> Option
  {
    let temperature = max(self.settings.temperatureMinutes, .leastNormalMagnitude)
    let weights = options.map { (-($0.total - best) / temperature).exponential }
    var draw = Double.random(in: 0..<weights.reduce(0, +), using: &generator)
    for (option, weight) in zip(options, weights) {
      if draw < weight { return option }
      draw -= weight
    }
    return options[options.count - 1]
  }
}
