/// A block of ticket numbers reserved for one kiosk, one service, one civil day, to issue from while the
/// server is unreachable. Leased blocks never overlap each other or online numbering.
public struct NumberLease: Hashable, Sendable, Codable {
  public let id: String
  /// The kiosk token's principal that took it; only it may replay tickets from it.
  public let principalID: String
  public let branchID: BranchID
  public let serviceID: ServiceID
  public let day: LocalDate
  public let firstSequence: Int
  public let lastSequence: Int
  public let createdAt: Instant
  public let expiresAt: Instant

  public init(
    id: String, principalID: String, branchID: BranchID, serviceID: ServiceID, day: LocalDate, firstSequence: Int,
    lastSequence: Int, createdAt: Instant, expiresAt: Instant
  ) {
    self.id = id
    self.principalID = principalID
    self.branchID = branchID
    self.serviceID = serviceID
    self.day = day
    self.firstSequence = firstSequence
    self.lastSequence = lastSequence
    self.createdAt = createdAt
    self.expiresAt = expiresAt
  }

  public func contains(sequence: Int) -> Bool {
    (self.firstSequence...self.lastSequence).contains(sequence)
  }
}
