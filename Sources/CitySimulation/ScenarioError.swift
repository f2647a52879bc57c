/// A scenario that cannot be simulated: the message names the offending field and what is wrong with it.
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The field as written in the scenario file, e.g. `compliance` or `surges[1].branch`.
  public let field: String
  public let message: String

  public init(field: String, _ message: String) {
    self.field = field
    self.message = message
  }

  public var description: String { "scenario field '\(self.field)': \(self.message)" }
}
