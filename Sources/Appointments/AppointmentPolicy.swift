public import MotCuaDomain

/// The rules of booking, as configuration (defaults follow Hanoi's online numbering rules).
public struct AppointmentPolicy: Hashable, Sendable {
  /// Share of counter capacity offered as appointments; the rest stays for walk-ins.
  public var appointmentShare: Double = 0.4
  public var slotMinutes: Int = 15
  /// How far ahead slots can be listed and booked.
  public var bookingHorizonDays: Int = 30
  /// A hold lives this long unless booked.
  public var holdSeconds: Int64 = 300
  /// Active bookings (held or booked) per citizen per field per day.
  public var maxPerCitizenPerFieldPerDay = 1
  /// Active bookings per citizen per day.
  public var maxPerCitizenPerDay = 2
  /// Active bookings per phone number (the confirmation goes to one phone).
  public var maxActivePerPhone = 2
  /// Active bookings made from one client address per day, for callers without a token (a portal is exempt).
  public var maxActivePerAddressPerDay = 3
  /// Booking requests per minute per client address, for callers without a token.
  public var requestsPerMinutePerAddress: Double = 10
  /// Check-in opens this long before the slot starts …
  public var checkInEarlySeconds: Int64 = 15 * 60
  /// … and closes this long after.
  public var checkInLateSeconds: Int64 = 10 * 60
  /// At most this many consecutive calls of a counter go to due appointments while a walk-in waits.
  public var maxConsecutiveAppointmentCalls = 2

  public init() {}
}
