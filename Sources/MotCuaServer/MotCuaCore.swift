public import MotCuaDomain
public import MotCuaStore
public import QueueEngine
import Synchronization
import WaitPrediction
public import Appointments
public import CityScheduler

/// The server's shared state and rules, independent of any transport: the catalogue, the store, the live
/// branch views, the estimator, auth and the clock. Handlers for each gRPC service use it.
public final class MotCuaCore: Sendable {
  /// Behaviour switches from the command line.
  public struct Options: Sendable {
    /// Let kiosks issue at any hour (demos, black-box tests at night).
    public var ignoreOpeningHours: Bool
    /// Unauthenticated requests allowed per second per caller address (bursts of twice that).
    public var anonymousRatePerSecond: Double
    /// Slots, quotas, check-in window, fairness.
    public var appointments: AppointmentPolicy
    /// Minutes of predicted wait (now or in 30 minutes) at which a branch counts as overloaded.
    public var alertThresholdMinutes: Int
    /// How often `WatchCity` re-reads the city, in seconds.
    public var cityRefreshSeconds: Double
    /// Travel times for recommendations and coverage; nil: `DetourTravelModel` with its default settings.
    public var travelModel: (any TravelTimeModel)?
    /// With more past events than this to learn from, the server starts serving first and the predictors learn
    /// in the background (`learnPredictors()`); until they have, waits come from the queue-length formula.
    public var learningInlineLimit: Int

    public init(
      ignoreOpeningHours: Bool = false, anonymousRatePerSecond: Double = 20,
      appointments: AppointmentPolicy = AppointmentPolicy(), alertThresholdMinutes: Int = 45,
      cityRefreshSeconds: Double = 5, travelModel: (any TravelTimeModel)? = nil, learningInlineLimit: Int = 20_000
    ) {
      self.ignoreOpeningHours = ignoreOpeningHours
      self.anonymousRatePerSecond = anonymousRatePerSecond
      self.appointments = appointments
      self.alertThresholdMinutes = alertThresholdMinutes
      self.cityRefreshSeconds = cityRefreshSeconds
      self.travelModel = travelModel
      self.learningInlineLimit = learningInlineLimit
    }
  }

  let catalogue: Catalogue
  let store: any MotCuaStore
  let hub: BranchHub
  let predictions: PredictionHub
  /// The history the predictors learn after the start (nil when they learned it before).
  private let history: HistoryToLearn?
  let clock: any WallClock
  let estimator: any WaitEstimator
  let auth: Authenticator
  let options: Options
  let pii: PIIHasher
  let slots: SlotPlanner
  /// Recommendations not yet arrived, per service, and the chooser's random source.
  let city: CityLedger
  /// Staff assignments between branches, and the rosters they change.
  let staff: StaffRoster
  let travel: any TravelTimeModel
  let cityLoadCache = Mutex<CityLoadCache?>(nil)
  /// Suggestion candidates per "branch|service", with when they were computed (see `nearbyCandidates`).
  let suggestionCandidates = Mutex<[String: (at: Instant, candidates: [Candidate])]>([:])
  /// Assignments ("plan|staff") whose person's home counter was closed (or found closed) since start.
  let leftHome = Mutex<Set<String>>([])
  private let shuttingDown = Mutex(false)
  private let limiter: Mutex<TokenBucketLimiter>
  private let bookingLimiter: Mutex<TokenBucketLimiter>
  /// The day the live views were last pruned for.
  private let prunedFor: Mutex<LocalDate?> = Mutex(nil)

  /// Rebuilds the live branch views from the store.
  public static func start(
    store: any MotCuaStore, catalogue: Catalogue, clock: any WallClock, options: Options, pii: PIIHasher,
    estimator: any WaitEstimator = QueueLengthEstimator()
  ) async throws -> MotCuaCore {
    let today = catalogue.civilTime.date(of: clock.now())
    // Sequences first: whatever another server commits while tickets and counters are read has a later sequence,
    // and re-applying it (events carry whole tickets and counters) leaves the queue as the store has it.
    let sequences = try await store.lastEventSequences()
    let tickets = Dictionary(grouping: try await store.activeTickets(branch: nil, since: today), by: \.branchID)
    let counters = Dictionary(grouping: try await store.counterStates(branch: nil), by: \.branchID)
    let staff = StaffRoster(
      catalogue: catalogue, assignments: try await Self.staffAssignmentsKept(store, at: clock.now()))
    let predictions = PredictionHub(catalogue: catalogue, staff: staff)
    let history = HistoryToLearn(sequences: sequences, since: clock.now().adding(seconds: -Self.learningDays * 86_400))
    if history.eventCount(catalogue) > options.learningInlineLimit {
      predictions.beginLearning()
    } else {
      try await Self.learn(history, store: store, catalogue: catalogue, predictions: predictions)
    }
    let queues = catalogue.branches.map { branch in
      BranchQueue(
        branchID: branch.id, tickets: tickets[branch.id] ?? [], counters: counters[branch.id] ?? [],
        lastSequence: sequences[branch.id] ?? 0)
    }
    let city = CityLedger(seed: UInt64(bitPattern: clock.now().millisecondsSinceEpoch))
    let hub = BranchHub(queues: queues) { event in
      predictions.observe(event)
      city.observe(event)
    }
    return MotCuaCore(
      catalogue: catalogue, store: store, hub: hub, city: city, staff: staff, predictions: predictions,
      history: predictions.isLearning ? history : nil, clock: clock, estimator: estimator, options: options, pii: pii)
  }

  /// The past events the predictors learn from: per branch, those up to the sequence read at start (later ones
  /// reach them live), at most `learningEvents` of at most `learningDays`.
  struct HistoryToLearn: Sendable {
    let sequences: [BranchID: UInt64]
    let since: Instant

    func after(_ branch: BranchID) -> UInt64 {
      let last = self.sequences[branch] ?? 0
      return last > MotCuaCore.learningEvents ? last - MotCuaCore.learningEvents : 0
    }

    func eventCount(_ catalogue: Catalogue) -> Int {
      catalogue.branches.reduce(0) { $0 + Int((self.sequences[$1.id] ?? 0) - self.after($1.id)) }
    }
  }

  /// Events read from the store at a time while learning (a smaller page keeps the memory it takes small).
  static let learningPage = 2_000

  private static func learn(
    _ history: HistoryToLearn, store: any MotCuaStore, catalogue: Catalogue, predictions: PredictionHub
  ) async throws {
    var learning = predictions.makeLearning()
    defer {
      predictions.finishLearning(learning)
      releaseFreedMemory()
    }
    for branch in catalogue.branches {
      let last = history.sequences[branch.id] ?? 0
      let calibratingAfter = last > predictions.calibratedHistoryEvents ? last - predictions.calibratedHistoryEvents : 0
      var after = history.after(branch.id)
      while after < last {
        try Task.checkCancellation()
        let page = try await store.events(branch: branch.id, after: after, limit: min(Self.learningPage, Int(last - after)))
        guard let end = page.last?.sequence else { break }
        after = end
        predictions.learn(
          page.filter { $0.at >= history.since && $0.sequence <= last }, calibratingAfter: calibratingAfter,
          into: &learning)
      }
    }
  }

  /// Teaches the predictors the history left for after the start (with more than `learningInlineLimit` events);
  /// returns at once when there is none. If the store fails, they keep what they learned before it did.
  ///
  /// - Returns: the events' count, or nil when there was nothing to learn.
  func learnPredictors() async throws -> Int? {
    guard let history = self.history else { return nil }
    try await Self.learn(history, store: self.store, catalogue: self.catalogue, predictions: self.predictions)
    return history.eventCount(self.catalogue)
  }

  /// Assignments are kept in memory this many days ahead (plans reach at most 7 days).
  static let staffingDays: Int64 = 8

  /// The assignments the live views keep: from a day ago to `staffingDays` ahead.
  static func staffAssignmentsKept(_ store: any MotCuaStore, at now: Instant) async throws -> [StaffAssignment] {
    try await store.staffAssignments(from: now.adding(seconds: -86_400), to: now.adding(seconds: staffingDays * 86_400))
  }

  /// The predictors learn, at start, from at most this many recent events per branch …
  static let learningEvents: UInt64 = 20_000
  /// … of at most this many days.
  static let learningDays: Int64 = 28

  private init(
    catalogue: Catalogue, store: any MotCuaStore, hub: BranchHub, city: CityLedger, staff: StaffRoster,
    predictions: PredictionHub, history: HistoryToLearn?, clock: any WallClock, estimator: any WaitEstimator,
    options: Options, pii: PIIHasher
  ) {
    self.history = history
    self.city = city
    self.staff = staff
    self.travel = options.travelModel ?? DetourTravelModel(catalogue: catalogue)
    self.catalogue = catalogue
    self.store = store
    self.hub = hub
    self.predictions = predictions
    self.clock = clock
    self.estimator = estimator
    self.auth = Authenticator(store: store, clock: clock)
    self.options = options
    self.pii = pii
    self.slots = SlotPlanner(catalogue: catalogue, policy: options.appointments)
    let rate = max(options.anonymousRatePerSecond, 0.001)
    self.limiter = Mutex(TokenBucketLimiter(ratePerSecond: rate, burst: max(1, (2 * rate).rounded(.up))))
    let perMinute = max(options.appointments.requestsPerMinutePerAddress, 1)
    self.bookingLimiter = Mutex(TokenBucketLimiter(ratePerSecond: perMinute / 60, burst: perMinute))
  }

  /// Who is booking: a portal token (exempt from per-address limits), or a caller without a token, limited to
  /// `requestsPerMinutePerAddress`.
  ///
  /// - Throws: `permissionDenied` for other tokens, `resourceExhausted` past the address's limit.
  func admitBooking(_ context: CallContext) async throws -> BookingRequester {
    if let principal = try await self.auth.principal(context) {
      guard principal.role == .portal || principal.role == .manager else {
        throw DomainError.permissionDenied("bookings take no token, or a portal token; not a \(principal.role.rawValue) token")
      }
      return BookingRequester(principalID: principal.id, addressKey: nil)
    }
    let now = self.clock.now()
    guard self.bookingLimiter.withLock({ $0.allow(context.peerHost, at: now) }) else {
      throw DomainError(
        .resourceExhausted,
        "limit reached: at most \(Int(self.options.appointments.requestsPerMinutePerAddress)) booking requests per minute from one address; wait a minute")
    }
    return BookingRequester(principalID: nil, addressKey: context.peerHost)
  }

  /// Today in the city's civil time.
  var today: LocalDate { self.catalogue.civilTime.date(of: self.clock.now()) }

  /// Runs a committed command's events through the live views and returns its outcome.
  func commit(_ outcome: CommandOutcome) -> CommandOutcome {
    self.hub.publish(outcome.events)
    let today = self.today
    if self.prunedFor.withLock({ day in defer { day = today }; return day != today }) {
      self.hub.prune(before: today)
    }
    return outcome
  }

  /// For calls that need no token: a caller with a valid token passes; anyone else is rate-limited by address.
  ///
  /// - Throws: `unauthenticated` for a bad token, `resourceExhausted` past the limit.
  @discardableResult
  func admitPublic(_ context: CallContext) async throws -> PublicCaller {
    try self.admitted(try await self.auth.principal(context), context, inline: false)
  }

  /// `admitPublic` without waiting, for a call answered on the event loop: nil when the caller's token has to be
  /// looked up in the store first.
  func admitPublicFromMemory(_ context: CallContext) throws -> PublicCaller? {
    switch try self.auth.principalFromMemory(context) {
    case .anonymous: return try self.admitted(nil, context, inline: true)
    case .known(let principal): return try self.admitted(principal, context, inline: true)
    case .lookUp: return nil
    }
  }

  private func admitted(_ principal: Principal?, _ context: CallContext, inline: Bool) throws -> PublicCaller {
    if principal == nil {
      let now = self.clock.now()
      guard self.limiter.withLock({ $0.allow(context.peerHost, at: now) }) else {
        throw DomainError(
          .resourceExhausted,
          "too many requests from this address; wait a moment and try again (or use a token)")
      }
    }
    return PublicCaller(isInline: inline)
  }

  /// The estimate for a ticket of `service` with `peopleAhead` tickets before it.
  func estimate(branch: BranchID, service: Service, peopleAhead: Int, queue: BranchQueue?) -> WaitEstimate {
    let now = self.clock.now()
    return self.estimator.estimate(
      WaitQuery(
        branchID: branch, serviceID: service.id, peopleAhead: peopleAhead,
        openCounters: queue?.openCounters(serving: service.id) ?? 0,
        rosteredCounters: self.staff.rosteredCount(at: branch, serving: service.id, at: now),
        meanServiceSeconds: service.typicalServiceSeconds))
  }

  /// The estimate for a new ticket issued now: the branch's predictor, else the queue-length formula.
  func estimateForNewTicket(branch: BranchID, service: Service, priority: Priority) -> WaitEstimate {
    self.predictions.predictNew(branch: branch, service: service.id, priority: priority, at: self.clock.now()).estimate
      ?? self.queueLengthEstimate(branch: branch, service: service, priority: priority)
  }

  /// `estimateForNewTicket` without running the predictor's simulation, for answers given on the event loop: nil
  /// when the predictor's answer is not at hand (reused for a few seconds while the branch is unchanged).
  func estimateForNewTicketWithoutSimulating(branch: BranchID, service: Service, priority: Priority) -> WaitEstimate? {
    let predicted = self.predictions.predictNew(
      branch: branch, service: service.id, priority: priority, at: self.clock.now(), simulating: false)
    guard predicted.known else { return nil }
    return predicted.estimate ?? self.queueLengthEstimate(branch: branch, service: service, priority: priority)
  }

  /// The queue-length formula for a new ticket, where the branch has no predictor.
  private func queueLengthEstimate(branch: BranchID, service: Service, priority: Priority) -> WaitEstimate {
    let queue = self.hub.queue(branch)
    let rank = self.catalogue.priorityPolicy(for: branch).rank(for: priority)
    let ahead = queue?.peopleAhead(ofNewTicketWithRank: rank, for: service.id, on: self.today) ?? 0
    return self.estimate(branch: branch, service: service, peopleAhead: ahead, queue: queue)
  }

  /// A service queue's expected state `minutes` from now (see `outlook(branch:service:at:)`).
  func outlook(branch: BranchID, service: Service, minutes: Int) -> (QueueOutlook, arrivalsPerHour: Double) {
    let (outlook, _, perHour) = self.outlook(
      branch: branch, service: service, at: self.clock.now().adding(seconds: Int64(minutes) * 60))
    return (outlook, perHour)
  }

  /// A service queue's expected state at `instant`: today's queue grown by the arrival forecast and served by
  /// the counters open now (or, with none open, those rostered then); a later day starts from an empty queue.
  /// With no counter (open or rostered) the outlook's wait is infinite.
  func outlook(branch: BranchID, service: Service, at instant: Instant)
    -> (QueueOutlook, counters: Int, arrivalsPerHour: Double)
  {
    let now = self.clock.now()
    let civil = self.catalogue.civilTime
    let sameDay = civil.date(of: instant) == civil.date(of: now)
    let queue = sameDay ? self.hub.queue(branch) : nil
    let open = queue?.openCounters(serving: service.id) ?? 0
    var counters = open > 0 ? open : self.staff.rosteredCount(at: branch, serving: service.id, at: instant)
    if counters == 0 && self.options.ignoreOpeningHours {
      counters = self.catalogue.counters(at: branch).count { $0.serviceIDs.contains(service.id) }
    }
    let perHour = self.predictions.arrivalsPerHour(branch: branch, service: service.id, at: sameDay ? now : instant)
    let minutes = sameDay ? Double(max(0, instant.millisecondsSinceEpoch - now.millisecondsSinceEpoch)) / 60_000 : 0
    return (
      QueueOutlook(
        waiting: queue?.waitingCount(for: service.id, on: self.today) ?? 0, arrivalsPerHour: perHour,
        counters: Double(counters), meanServiceSeconds: Double(service.typicalServiceSeconds), minutes: minutes),
      counters, perHour
    )
  }

  /// Whether a branch takes citizens at `instant` (always, with `--ignore-opening-hours`).
  func isOpen(_ branch: Branch, at instant: Instant) -> Bool {
    self.options.ignoreOpeningHours || self.catalogue.isOpen(branch.openingHours, at: instant)
  }

  /// When the branch stops taking citizens after `instant`; nil if it never does (`--ignore-opening-hours`) or
  /// is closed then.
  func closing(_ branch: Branch, at instant: Instant) -> Instant? {
    self.options.ignoreOpeningHours ? nil : self.catalogue.closing(of: branch.openingHours, at: instant)
  }

  /// Whether shutdown has begun: long-running streams end.
  var isShuttingDown: Bool { self.shuttingDown.withLock { $0 } }

  /// Ends every stream: display boards' at once, city watchers' at their next refresh.
  func beginShutdown() {
    self.shuttingDown.withLock { $0 = true }
    self.hub.finishAll()
  }

  /// The live view of a ticket: people ahead and a fresh estimate while it waits today.
  ///
  /// - Parameter at: when to estimate from; the issue time reuses the prediction made as the ticket was issued.
  func live(_ ticket: Ticket, at instant: Instant? = nil) -> LiveTicket {
    guard ticket.state == .waiting, ticket.day == self.today,
      let service = self.catalogue.service(ticket.serviceID)
    else {
      return LiveTicket(ticket: ticket, peopleAhead: 0, estimate: nil, expired: ticket.state == .waiting)
    }
    if let predicted = self.predictions.predict(ticket, at: instant ?? self.clock.now()) {
      return LiveTicket(ticket: ticket, peopleAhead: predicted.peopleAhead, estimate: predicted, expired: false)
    }
    let queue = self.hub.queue(ticket.branchID)
    let ahead = queue?.peopleAhead(of: ticket) ?? 0
    return LiveTicket(
      ticket: ticket, peopleAhead: ahead,
      estimate: self.estimate(branch: ticket.branchID, service: service, peopleAhead: ahead, queue: queue),
      expired: false)
  }
}

/// A ticket with what is live about it.
struct LiveTicket {
  var ticket: Ticket
  var peopleAhead: Int
  var estimate: WaitEstimate?
  /// Still waiting when its day ended.
  var expired: Bool
}
