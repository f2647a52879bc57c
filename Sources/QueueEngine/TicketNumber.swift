public import MotCuaDomain

/// Ticket numbers: the service's prefix letter and the day's sequence, at least three digits ("B017"); a
/// fourth digit appears only if a day passes 999.
public enum TicketNumber {
  public static func format(prefix: String, sequence: Int) -> String {
    precondition(sequence >= 1, "ticket sequences start at 1")
    let digits = String(sequence)
    return prefix + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
  }
}
