public import Foundation

/// A simulated day as its JSON file states it: only what differs from the seeded city. Every field is optional;
/// `SimulationPlan` fills in the defaults from the catalogue and checks the values against it.
///
/// ```json
/// {"name": "surge", "seed": 7, "hours": [8, 17], "arrivals_per_hour": [300, 420, …],
///  "service_mix": {"cert-copy-from-original": 0.4, …}, "compliance": 0.6, "refresh_minutes": 5,
///  "surges": [{"branch": "hn-hoang-mai", "from_hour": 9, "to_hour": 12, "multiplier": 3}],
///  "closures": [{"branch": "hn-dong-da", "at_hour": 10}]}
/// ```
/// Unknown keys are rejected, so that a misspelt field is not silently ignored.
public struct Scenario: Hashable, Sendable, Decodable {
  /// One district's demand multiplied over part of the day.
  public struct Surge: Hashable, Sendable, Decodable {
    /// The branch whose district (catchment) the surging citizens live in.
    public var branch: String
    public var fromHour: Double
    public var toHour: Double
    public var multiplier: Double

    public init(branch: String, fromHour: Double, toHour: Double, multiplier: Double) {
      self.branch = branch
      self.fromHour = fromHour
      self.toHour = toHour
      self.multiplier = multiplier
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
      case branch, fromHour = "from_hour", toHour = "to_hour", multiplier
    }

    public init(from decoder: any Decoder) throws {
      try Scenario.rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
      let container = try decoder.container(keyedBy: CodingKeys.self)
      self.branch = try container.decode(String.self, forKey: .branch)
      self.fromHour = try container.decode(Double.self, forKey: .fromHour)
      self.toHour = try container.decode(Double.self, forKey: .toHour)
      self.multiplier = try container.decode(Double.self, forKey: .multiplier)
    }
  }

  /// A branch that stops taking citizens during the day.
  public struct Closure: Hashable, Sendable, Decodable {
    public var branch: String
    public var atHour: Double

    public init(branch: String, atHour: Double) {
      self.branch = branch
      self.atHour = atHour
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
      case branch, atHour = "at_hour"
    }

    public init(from decoder: any Decoder) throws {
      try Scenario.rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
      let container = try decoder.container(keyedBy: CodingKeys.self)
      self.branch = try container.decode(String.self, forKey: .branch)
      self.atHour = try container.decode(Double.self, forKey: .atHour)
    }
  }

  public var name: String?
  /// The seed used when the command line gives none.
  public var seed: UInt64?
  /// `[first, end)`: citizens set out from the first hour until the end hour.
  public var hours: [Int]?
  /// City-wide citizens per hour, one entry per hour of `hours`, before surges.
  public var arrivalsPerHour: [Double]?
  /// Service id → share of citizens; services left out get none. Shares are normalised.
  public var serviceMix: [String: Double]?
  /// The probability that a citizen follows the policy rather than going to the nearest open branch.
  public var compliance: Double?
  /// How often the information a policy sees is refreshed.
  public var refreshMinutes: Double?
  public var surges: [Surge]?
  public var closures: [Closure]?

  public init(
    name: String? = nil, seed: UInt64? = nil, hours: [Int]? = nil, arrivalsPerHour: [Double]? = nil,
    serviceMix: [String: Double]? = nil, compliance: Double? = nil, refreshMinutes: Double? = nil,
    surges: [Surge]? = nil, closures: [Closure]? = nil
  ) {
    self.name = name
    self.seed = seed
    self.hours = hours
    self.arrivalsPerHour = arrivalsPerHour
    self.serviceMix = serviceMix
    self.compliance = compliance
    self.refreshMinutes = refreshMinutes
    self.surges = surges
    self.closures = closures
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case name, seed, hours, arrivalsPerHour = "arrivals_per_hour", serviceMix = "service_mix", compliance
    case refreshMinutes = "refresh_minutes", surges, closures
  }

  public init(from decoder: any Decoder) throws {
    try Self.rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.name = try container.decodeIfPresent(String.self, forKey: .name)
    do {
      self.seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
    } catch {
      throw ScenarioError(field: "seed", "must be a whole number >= 0")
    }
    self.hours = try container.decodeIfPresent([Int].self, forKey: .hours)
    self.arrivalsPerHour = try container.decodeIfPresent([Double].self, forKey: .arrivalsPerHour)
    self.serviceMix = try container.decodeIfPresent([String: Double].self, forKey: .serviceMix)
    self.compliance = try container.decodeIfPresent(Double.self, forKey: .compliance)
    self.refreshMinutes = try container.decodeIfPresent(Double.self, forKey: .refreshMinutes)
    self.surges = try container.decodeIfPresent([Surge].self, forKey: .surges)
    self.closures = try container.decodeIfPresent([Closure].self, forKey: .closures)
  }

  /// Decodes a scenario file's bytes; a malformed file fails naming the field at fault.
  public static func decode(json: Data) throws(ScenarioError) -> Scenario {
    do {
      return try JSONDecoder().decode(Scenario.self, from: json)
    } catch let error as ScenarioError {
      throw error
    } catch let DecodingError.typeMismatch(type, context) {
      throw ScenarioError(field: Self.path(context.codingPath), "expected \(Self.describe(type))")
    } catch let DecodingError.valueNotFound(type, context) {
      throw ScenarioError(field: Self.path(context.codingPath), "expected \(Self.describe(type)), found null")
    } catch let DecodingError.keyNotFound(key, context) {
      throw ScenarioError(field: Self.path(context.codingPath + [key]), "is required")
    } catch let DecodingError.dataCorrupted(context) {
      let field = context.codingPath.isEmpty ? "(file)" : Self.path(context.codingPath)
      throw ScenarioError(field: field, "is not valid: \(context.debugDescription)")
    } catch {
      throw ScenarioError(field: "(file)", "cannot be read: \(error)")
    }
  }

  /// `surges[1].branch` from a coding path.
  static func path(_ codingPath: [any CodingKey]) -> String {
    var text = ""
    for key in codingPath {
      if let index = key.intValue {
        text += "[\(index)]"
      } else {
        text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
      }
    }
    return text.isEmpty ? "(file)" : text
  }

  private static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Double.Type, is Int.Type, is UInt64.Type: "a number"
    case is String.Type: "a string"
    case is [Int].Type, is [Double].Type: "a list of numbers"
    default: "\(type)"
    }
  }

  private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  fileprivate static func rejectUnknownKeys(in decoder: any Decoder, allowed: [String]) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    let allowedSet = Set(allowed)
    if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !allowedSet.contains($0) }) {
      let field = Self.path(decoder.codingPath + [AnyKey(stringValue: unknown)!])
      throw ScenarioError(field: field, "is not a scenario field (known: \(allowed.joined(separator: ", ")))")
    }
  }
}
