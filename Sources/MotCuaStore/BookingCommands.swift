public import Appointments
public import MotCuaDomain

/// Who asks, for quotas and idempotency: a portal (by its token) or a citizen without a token (by address).
public struct BookingRequester: Hashable, Sendable {
  /// The token's principal id, or nil for a caller without a token.
  public var principalID: String?
  /// The client's address, for per-address quotas; nil for a portal (exempt).
  public var addressKey: String?

  public init(principalID: String?, addressKey: String?) {
    self.principalID = principalID
    self.addressKey = addressKey
  }

  /// Idempotency keys of a portal are its own; of a caller without a token, the citizen's.
  public func idempotencyScope(for citizen: CitizenIdentity) -> String {
    self.principalID ?? "citizen:\(citizen.nationalIDHash)"
  }
}

/// Take capacity in a slot for a citizen: a hold (that lapses) or a booking.
public struct TakeSlotCommand: Hashable, Sendable {
  public enum Target: Hashable, Sendable {
    case slot(SlotDefinition)
    /// Confirm an earlier hold (its capacity is already taken).
    case hold(String)
  }

  public var target: Target
  public var field: ServiceField
  public var citizen: CitizenIdentity
  public var requester: BookingRequester
  /// nil for a hold; for a booking, the key and what the request asked for.
  public var idempotency: (key: String, fingerprint: String)?
  public var hold: Bool
  public var bookingID: String
  public var code: String
  public var day: LocalDate
  public var at: Instant
  public var policy: AppointmentPolicy

  public init(
    target: Target, field: ServiceField, citizen: CitizenIdentity, requester: BookingRequester,
    idempotency: (key: String, fingerprint: String)?, hold: Bool, bookingID: String, code: String, day: LocalDate,
    at: Instant, policy: AppointmentPolicy
  ) {
    self.target = target
    self.field = field
    self.citizen = citizen
    self.requester = requester
    self.idempotency = idempotency
    self.hold = hold
    self.bookingID = bookingID
    self.code = code
    self.day = day
    self.at = at
    self.policy = policy
  }

  public static func == (a: Self, b: Self) -> Bool { a.bookingID == b.bookingID && a.at == b.at }
  public func hash(into hasher: inout Hasher) { hasher.combine(self.bookingID) }
}

/// Change a booking proved by its code and the citizen's national ID hash: cancel, or move to another slot.
public struct ChangeBookingCommand: Hashable, Sendable {
  public var code: String
  public var nationalIDHash: String
  /// nil cancels.
  public var moveTo: SlotDefinition?
  public var field: ServiceField?
  public var at: Instant
  public var policy: AppointmentPolicy

  public init(
    code: String, nationalIDHash: String, moveTo: SlotDefinition?, field: ServiceField?, at: Instant,
    policy: AppointmentPolicy
  ) {
    self.code = code
    self.nationalIDHash = nationalIDHash
    self.moveTo = moveTo
    self.field = field
    self.at = at
    self.policy = policy
  }
}

/// Check a booking in at a branch's kiosk and issue its ticket.
public struct CheckInCommand: Hashable, Sendable {
  public var code: String
  public var branchID: BranchID
  /// The booked service (for its ticket prefix), as the caller read it from the booking.
  public var service: Service
  public var principalID: String
  public var walkInRank: Int
  public var day: LocalDate
  public var at: Instant
  public var ticketID: TicketID
  public var trackingCode: String
  public var policy: AppointmentPolicy
  /// The wait predicted at check-in.
  public var predicted: WaitEstimate?

  public init(
    code: String, branchID: BranchID, service: Service, principalID: String, walkInRank: Int, day: LocalDate,
    at: Instant, ticketID: TicketID, trackingCode: String, policy: AppointmentPolicy, predicted: WaitEstimate? = nil
  ) {
    self.code = code
    self.branchID = branchID
    self.principalID = principalID
    self.walkInRank = walkInRank
    self.day = day
    self.at = at
    self.ticketID = ticketID
    self.trackingCode = trackingCode
    self.policy = policy
    self.service = service
    self.predicted = predicted
  }
}

/// What a booking command produced.
public struct BookingOutcome: Hashable, Sendable {
  public var booking: Booking
  /// An idempotent retry (or a second check-in) returned the earlier result.
  public var replayed: Bool
  /// For a check-in: the ticket issued and its events.
  public var ticket: CommandOutcome?

  public init(booking: Booking, replayed: Bool, ticket: CommandOutcome? = nil) {
    self.booking = booking
    self.replayed = replayed
    self.ticket = ticket
  }
}
