public import MotCuaDomain

/// A booked (or held) appointment, as the store records it.
public struct Booking: Hashable, Sendable {
  public enum State: String, Sendable, Hashable, CaseIterable {
    case held = "HELD"
    case booked = "BOOKED"
    case checkedIn = "CHECKED_IN"
    case cancelled = "CANCELLED"
    case noShow = "NO_SHOW"
    case expired = "EXPIRED"

    /// Holds and bookings take capacity and count against quotas.
    public var isActive: Bool { self == .held || self == .booked }
  }

  public let id: String
  /// Short and human-typable; with the national ID it proves the booking.
  public let code: String
  public var slotID: SlotID
  public var field: ServiceField
  public var start: Instant
  public var end: Instant
  public let citizen: CitizenIdentity
  public var state: State
  /// When a hold lapses.
  public var holdExpiresAt: Instant?
  /// The ticket issued at check-in.
  public var ticketID: TicketID?
  public let createdAt: Instant

  /// The code as people read it: "K7QX-M2PA".
  public var displayCode: String { String(self.code.prefix(4)) + "-" + String(self.code.dropFirst(4)) }

  public init(
    id: String, code: String, slotID: SlotID, field: ServiceField, start: Instant, end: Instant,
    citizen: CitizenIdentity, state: State, holdExpiresAt: Instant?, ticketID: TicketID?, createdAt: Instant
  ) {
    self.id = id
    self.code = code
    self.slotID = slotID
    self.field = field
    self.start = start
    self.end = end
    self.citizen = citizen
    self.state = state
    self.holdExpiresAt = holdExpiresAt
    self.ticketID = ticketID
    self.createdAt = createdAt
  }
}
