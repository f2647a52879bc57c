import Foundation
public import MotCuaDomain

/// Runs a `BranchPredictor` causally over an event log (JSON Lines, `t` in Unix seconds, sorted by `t`) and
/// yields one prediction per issued ticket, made right after its `issue` line and before any later line.
///
/// Unknown event types, unknown fields and malformed lines are skipped.
public struct EventLogReplay: Sendable {
  /// One output record.
  public struct Output: Sendable, Hashable {
    public var ticket: TicketID
    public var prediction: WaitPrediction

    /// `{"ticket":…,"mean_s":…,"p50_s":…,"p90_s":…}`.
    public var jsonLine: String {
      let p = self.prediction
      return "{\"ticket\":\(Self.quoted(self.ticket.rawValue)),\"mean_s\":\(Self.number(p.meanSeconds)),"
        + "\"p50_s\":\(Self.number(p.p50Seconds)),\"p90_s\":\(Self.number(p.p90Seconds))}"
    }

    private static func number(_ x: Double) -> String { String(format: "%.1f", x) }

    private static func quoted(_ s: String) -> String {
      let data = try? JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
      guard let data, let array = String(data: data, encoding: .utf8) else { return "\"\(s)\"" }
      return String(array.dropFirst().dropLast())
    }
  }

  public private(set) var predictor: BranchPredictor

  public init(predictor: BranchPredictor) {
    self.predictor = predictor
  }

  /// Feeds one line; returns the prediction when the line issued a ticket.
  public mutating func feed(line: Substring) -> Output? {
    guard let event = Self.event(fromJSONLine: line) else { return nil }
    self.predictor.observe(event)
    guard case .issue(let ticket, _, _, _, _, let at) = event,
      let prediction = self.predictor.predict(ticket: ticket, at: at)
    else { return nil }
    return Output(ticket: ticket, prediction: prediction)
  }

  /// Parses one log line into an event, or nil for a blank, malformed or unknown line.
  public static func event(fromJSONLine line: Substring) -> PredictorEvent? {
    guard line.contains("{"), let data = line.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let type = object["type"] as? String, let t = Self.instant(object["t"])
    else { return nil }
    func string(_ key: String) -> String? { object[key] as? String }
    func services() -> [ServiceID] { (object["services"] as? [Any] ?? []).compactMap { $0 as? String }.map(ServiceID.init) }
    switch type {
    case "roster":
      guard let counter = string("counter"), let from = Self.instant(object["from"]), let to = Self.instant(object["to"])
      else { return nil }
      return .roster(counter: CounterID(counter), services: services(), from: from, to: to, at: t)
    case "counter_open":
      guard let counter = string("counter") else { return nil }
      return .counterOpen(counter: CounterID(counter), services: services(), at: t)
    case "counter_close":
      guard let counter = string("counter") else { return nil }
      return .counterClose(counter: CounterID(counter), at: t)
    case "issue":
      guard let ticket = string("ticket"), let service = string("service") else { return nil }
      let priority = string("priority").flatMap(Priority.init(jsonName:)) ?? .none
      let appointment = (object["appointment"] as? Bool) ?? false
      return .issue(
        ticket: TicketID(ticket), service: ServiceID(service), priority: priority, appointment: appointment,
        slotStart: Self.instant(object["slot_start"]), at: t)
    case "call":
      guard let ticket = string("ticket") else { return nil }
      return .call(ticket: TicketID(ticket), counter: string("counter").map(CounterID.init), at: t)
    case "start":
      return string("ticket").map { .start(ticket: TicketID($0), at: t) }
    case "complete":
      return string("ticket").map { .complete(ticket: TicketID($0), at: t) }
    case "no_show":
      return string("ticket").map { .noShow(ticket: TicketID($0), at: t) }
    case "transfer":
      guard let ticket = string("ticket"), let service = string("service") else { return nil }
      return .transfer(ticket: TicketID(ticket), service: ServiceID(service), at: t)
    default:
      return nil
    }
  }

  /// Unix seconds (integer or fractional) as an instant.
  private static func instant(_ value: Any?) -> Instant? {
    guard let number = value as? NSNumber, !(value is Bool) else { return nil }
    let seconds = number.doubleValue
    guard seconds.isFinite else { return nil }
    return Instant(millisecondsSinceEpoch: Int64((seconds * 1000).rounded()))
  }
}
