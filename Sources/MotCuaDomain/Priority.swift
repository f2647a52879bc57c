/// Vietnam's priority groups at one-stop desks. Which ones a branch honours, and their order, is a
/// `PriorityPolicy`, not code.
public enum Priority: Int, CaseIterable, Sendable, Hashable {
  case none = 0
  case elderly = 1
  case disability = 2
  case pregnant = 3
  case childUnder6 = 4
  case meritoriousService = 5

  /// The short lower-case name used on command lines: "elderly", "child-under-6".
  public var shortName: String {
    switch self {
    case .none: "none"
    case .elderly: "elderly"
    case .disability: "disability"
    case .pregnant: "pregnant"
    case .childUnder6: "child-under-6"
    case .meritoriousService: "meritorious-service"
    }
  }

  /// The upper-case name used in JSON files: "ELDERLY", "CHILD_UNDER_6".
  public var jsonName: String {
    self.shortName.uppercased().replacingDashes()
  }

  public init?(shortName: String) {
    guard let match = Priority.allCases.first(where: { $0.shortName == shortName }) else { return nil }
    self = match
  }

  public init?(jsonName: String) {
    guard let match = Priority.allCases.first(where: { $0.jsonName == jsonName }) else { return nil }
    self = match
  }
}

extension String {
  fileprivate func replacingDashes() -> String {
    String(self.map { $0 == "-" ? "_" : $0 })
  }
}
