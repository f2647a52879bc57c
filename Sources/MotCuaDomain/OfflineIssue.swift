/// A ticket a kiosk issued from its lease while offline, as replayed on reconnect.
public struct OfflineIssue: Hashable, Sendable {
  public let leaseID: String
  public let sequence: Int
  /// Minted by the kiosk (a UUID).
  public let ticketID: TicketID
  public let trackingCode: String
  /// The kiosk's clock when it printed the ticket.
  public let issuedAt: Instant
  /// The civil day of `issuedAt`; a ticket issued on another day than its lease's is flagged as clock skew.
  public let issuedOn: LocalDate

  public init(
    leaseID: String, sequence: Int, ticketID: TicketID, trackingCode: String, issuedAt: Instant, issuedOn: LocalDate
  ) {
    self.leaseID = leaseID
    self.sequence = sequence
    self.ticketID = ticketID
    self.trackingCode = trackingCode
    self.issuedAt = issuedAt
    self.issuedOn = issuedOn
  }

  /// How far ahead of the server's clock a kiosk's issue time may be before it is flagged as skewed.
  public static let clockSkewTolerance: Int64 = 60
}
