// Codable forms of the domain types, for the store's history and seed files. Stdlib only.

extension Identifier: Codable {
  public init(from decoder: any Decoder) throws {
    self.init(try decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(self.rawValue)
  }
}

extension Instant: Codable {
  public init(from decoder: any Decoder) throws {
    self.init(millisecondsSinceEpoch: try decoder.singleValueContainer().decode(Int64.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(self.millisecondsSinceEpoch)
  }
}

extension LocalDate: Codable {
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let date = LocalDate(text) else {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not YYYY-MM-DD")
    }
    self = date
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(self.description)
  }
}

extension Priority: Codable {}
extension TicketState: Codable {}

extension WeeklySchedule: Codable {
  /// `{"mon": [["08:00", "12:00"], ["13:00", "17:00"]], …}`; days not listed are closed.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let raw = try container.decode([String: [[String]]].self)
    var days: [Weekday: [Interval]] = [:]
    for (key, pairs) in raw {
      guard let weekday = Weekday(key: key) else {
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(key)' is not mon…sun")
      }
      days[weekday] = try pairs.map { pair in
        guard pair.count == 2, let opens = ClockTime(pair[0]), let closes = ClockTime(pair[1]),
          let interval = Interval(opens: opens, closes: closes)
        else {
          throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "\(key): \(pair) is not [\"HH:MM\", \"HH:MM\"] with opens < closes")
        }
        return interval
      }
      let sorted = days[weekday]!.sorted { $0.opens < $1.opens }
      for (a, b) in zip(sorted, sorted.dropFirst()) where b.opens < a.closes {
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(key): intervals overlap")
      }
    }
    self.init(days: days)
  }

  public func encode(to encoder: any Encoder) throws {
    var raw: [String: [[String]]] = [:]
    for (weekday, intervals) in self.days where !intervals.isEmpty {
      raw[weekday.key] = intervals.map { [$0.opens.description, $0.closes.description] }
    }
    var container = encoder.singleValueContainer()
    try container.encode(raw)
  }
}
