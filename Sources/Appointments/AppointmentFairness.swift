/// Between due appointments and waiting walk-ins: appointments go first, but at most
/// `maxConsecutiveAppointmentCalls` in a row while a walk-in waits.
public enum AppointmentFairness {
  /// Whether the next call may go to a due appointment.
  public static func mayCallAppointment(consecutiveAppointmentCalls: Int, walkInWaiting: Bool, max: Int) -> Bool {
    !walkInWaiting || consecutiveAppointmentCalls < max
  }
}
