public import Appointments
public import MotCuaDomain
public import QueueEngine

/// The durable store: the source of truth. Each command is all or nothing — check, change, record the event in
/// one transaction (or, with SQLite's group commit, one savepoint of a transaction shared with concurrent
/// commands) — and returns only once it is committed to disk. Decisions that must be serial (numbering, which ticket
/// a counter gets) are taken inside the transaction, so several servers sharing one database stay correct.
///
/// Every driver passes the same contract suite (`Tests/MotCuaStoreTests`).
public protocol MotCuaStore: Sendable {
  // Catalogue

  /// The catalogue stored by `saveCatalogue`, or nil for a new database.
  func loadCatalogue() async throws -> Catalogue?
  /// Stores the catalogue (seeding a new database). Replaces nothing that tickets refer to.
  func saveCatalogue(_ catalogue: Catalogue) async throws

  // Commands (each one transaction)

  /// Issues online (taking the next number) or replays an offline ticket (keeping its leased number, id,
  /// code and issue time).
  ///
  /// - Throws: `DomainError.failedPrecondition` when the key was used for a different request, or an offline
  ///   ticket's number is outside its lease or already used; `permissionDenied` for another kiosk's lease.
  func issueTicket(_ command: IssueTicketCommand) async throws -> CommandOutcome
  /// The ticket an earlier request with this key produced, if any — read before any check that depends on
  /// the time, so that a retry is answered even after the branch closed.
  ///
  /// - Throws: `failedPrecondition` if the key was used for a different request.
  func earlierTicket(principal: String, key: String, fingerprint: String) async throws -> Ticket?
  /// The booking an earlier BookSlot with this key (in this scope) produced, if any.
  func earlierBooking(scope: String, key: String, fingerprint: String) async throws -> Booking?
  /// Reserves the next `count` numbers; a retry with the same key returns the same lease.
  func leaseNumbers(_ command: LeaseNumbersCommand) async throws -> NumberLease
  /// The leases of a branch for a day, with the leased numbers that were never issued (the only gaps
  /// numbering has).
  func leases(branch: BranchID, day: LocalDate) async throws -> [(lease: NumberLease, unused: [Int])]
  /// - Returns: an outcome without ticket when nobody waits.
  /// - Throws: `failedPrecondition` when the counter is closed or still holds a ticket.
  func callNext(_ command: CallNextCommand) async throws -> CommandOutcome
  /// - Throws: `notFound` for an unknown ticket; `failedPrecondition` for an illegal transition.
  func updateTicket(_ command: UpdateTicketCommand) async throws -> CommandOutcome
  /// - Throws: `failedPrecondition` when closing a counter that still holds a ticket.
  func setCounter(_ command: SetCounterCommand) async throws -> CommandOutcome
  /// - Throws: `failedPrecondition` unless the ticket is DONE and has no feedback yet.
  func submitFeedback(_ command: FeedbackCommand) async throws

  // Appointments

  /// Holds or books capacity in a slot after checking the citizen's, phone's and address's quotas; the
  /// capacity check and the take are one conditional update in the transaction.
  ///
  /// - Throws: `failedPrecondition` "slot full"; `resourceExhausted` naming the quota reached; `notFound` for
  ///   an unknown or lapsed hold.
  func takeSlot(_ command: TakeSlotCommand) async throws -> BookingOutcome
  func booking(code: String) async throws -> Booking?
  /// Cancels or reschedules (one transaction: the new slot is taken and the old released, or neither).
  func changeBooking(_ command: ChangeBookingCommand) async throws -> Booking
  /// Checks a booking in within its window and issues its ticket; a second check-in returns the same ticket.
  func checkIn(_ command: CheckInCommand) async throws -> BookingOutcome
  /// Lapses expired holds and marks bookings not checked in by their window's end NO_SHOW, releasing their
  /// capacity. Returns how many changed.
  func sweepBookings(at: Instant, policy: AppointmentPolicy) async throws -> Int
  /// Capacity taken in each slot that has any.
  func slotUsage(_ ids: [SlotID]) async throws -> [SlotID: Int]

  // Reads

  func ticket(_ id: TicketID) async throws -> Ticket?
  /// Tickets of `branch` (all branches if nil) that are not final, issued on `day` or later.
  func activeTickets(branch: BranchID?, since day: LocalDate) async throws -> [Ticket]
  /// Recorded counter states (counters never opened have none).
  func counterStates(branch: BranchID?) async throws -> [CounterState]
  /// The last event sequence of each branch that has events.
  func lastEventSequences() async throws -> [BranchID: UInt64]
  /// Events of `branch` after `sequence`, in order, at most `limit`.
  func events(branch: BranchID, after sequence: UInt64, limit: Int) async throws -> [BranchEvent]

  /// What happened to every ticket of `branch` issued from `from` to `to` (civil days, inclusive).
  func ticketOutcomes(branch: BranchID, from: LocalDate, to: LocalDate) async throws -> [TicketOutcome]

  // Staff

  /// Keeps a proposed plan (its id unique) for `applyPlan`.
  func savePlan(_ plan: StaffPlanRecord) async throws
  func plan(_ id: String) async throws -> StaffPlanRecord?
  /// Puts a plan's moves in force in one transaction and records who did it in the audit trail. Applying it
  /// again returns its assignments (`alreadyApplied`). Throws NOT_FOUND for an unknown plan and
  /// FAILED_PRECONDITION if another plan was applied after this one was proposed (the staffing it was computed
  /// on has changed).
  func applyPlan(_ command: ApplyPlanCommand) async throws -> ApplyPlanOutcome
  /// Assignments in force at some time in [from, to).
  func staffAssignments(from: Instant, to: Instant) async throws -> [StaffAssignment]
  /// Changes whenever staffing does (each applied plan).
  func staffingVersion() async throws -> Int64

  // Tokens

  func createToken(_ record: TokenRecord) async throws
  func principal(forTokenHash hash: String) async throws -> Principal?

  // Health

  /// Why the store can no longer vouch for its writes, e.g. a failed fsync of the log; nil while it can. It does
  /// not clear: the server must be restarted to recover from what is on disk. Health answers NOT_SERVING then.
  var fault: String? { get }
}
