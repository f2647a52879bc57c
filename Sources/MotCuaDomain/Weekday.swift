/// A day of the week, Monday first (ISO 8601).
public enum Weekday: Int, CaseIterable, Sendable, Hashable {
  case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

  /// The three-letter key used in seed files: "mon" … "sun".
  public var key: String {
    switch self {
    case .monday: "mon"
    case .tuesday: "tue"
    case .wednesday: "wed"
    case .thursday: "thu"
    case .friday: "fri"
    case .saturday: "sat"
    case .sunday: "sun"
    }
  }

  public init?(key: String) {
    guard let day = Weekday.allCases.first(where: { $0.key == key }) else { return nil }
    self = day
  }
}
