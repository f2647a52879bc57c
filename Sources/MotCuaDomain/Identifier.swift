/// A typed identifier: a `BranchID` cannot be passed where a `ServiceID` is expected.
public struct Identifier<Tag>: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The identifier as it appears on the wire and in the store.
  public let rawValue: String

  public init(_ rawValue: String) {
    self.rawValue = rawValue
  }

  public var description: String { self.rawValue }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

public typealias BranchID = Identifier<Branch>
public typealias ServiceID = Identifier<Service>
public typealias CounterID = Identifier<Counter>
public typealias TicketID = Identifier<Ticket>
public typealias StaffID = Identifier<StaffMember>
