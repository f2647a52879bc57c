public import MotCuaDomain

/// A slot's identity: branch, service and civil start, e.g. "hn-hoan-kiem~civil-birth-registration~2026-11-30T08:15".
/// Derived, not stored: any node computes the same slots from the same catalogue.
public struct SlotID: Hashable, Sendable, CustomStringConvertible {
  public let branchID: BranchID
  public let serviceID: ServiceID
  public let date: LocalDate
  public let start: ClockTime

  public init(branchID: BranchID, serviceID: ServiceID, date: LocalDate, start: ClockTime) {
    self.branchID = branchID
    self.serviceID = serviceID
    self.date = date
    self.start = start
  }

  /// Parses the text form; nil if malformed.
  public init?(_ text: String) {
    let parts = text.split(separator: "~", omittingEmptySubsequences: false)
    guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
    let when = parts[2].split(separator: "T", omittingEmptySubsequences: false)
    guard when.count == 2, let date = LocalDate(String(when[0])), let start = ClockTime(String(when[1])) else {
      return nil
    }
    self.init(branchID: BranchID(String(parts[0])), serviceID: ServiceID(String(parts[1])), date: date, start: start)
  }

  public var description: String { "\(self.branchID)~\(self.serviceID)~\(self.date)T\(self.start)" }
}
