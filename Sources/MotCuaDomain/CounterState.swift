/// A counter's live state, as the store records it.
public struct CounterState: Hashable, Sendable, Codable {
  public let counterID: CounterID
  public let branchID: BranchID
  public var isOpen: Bool
  /// The services it calls for while open.
  public var serviceIDs: [ServiceID]
  /// The ticket it has called or is serving.
  public var currentTicketID: TicketID?
  public var currentNumber: String?

  public init(
    counterID: CounterID, branchID: BranchID, isOpen: Bool, serviceIDs: [ServiceID],
    currentTicketID: TicketID? = nil, currentNumber: String? = nil
  ) {
    self.counterID = counterID
    self.branchID = branchID
    self.isOpen = isOpen
    self.serviceIDs = serviceIDs
    self.currentTicketID = currentTicketID
    self.currentNumber = currentNumber
  }
}
