public import MotCuaDomain

/// One bookable slot: its time and how many appointments it takes.
public struct SlotDefinition: Hashable, Sendable {
  public let id: SlotID
  public let start: Instant
  public let end: Instant
  public let capacity: Int

  public init(id: SlotID, start: Instant, end: Instant, capacity: Int) {
    self.id = id
    self.start = start
    self.end = end
    self.capacity = capacity
  }
}
