package import Appointments
package import MotCuaDomain

/// The active bookings (held or booked) that count against each anti-tout quota of one request.
package struct QuotaUsage: Sendable {
  /// The citizen's on the day in the field.
  package var citizenFieldDay: Int
  /// The citizen's on the day.
  package var citizenDay: Int
  /// The phone's.
  package var phone: Int
  /// Booked today from the requester's address; nil when the requester is exempt (a portal).
  package var address: Int?

  package init(citizenFieldDay: Int, citizenDay: Int, phone: Int, address: Int?) {
    self.citizenFieldDay = citizenFieldDay
    self.citizenDay = citizenDay
    self.phone = phone
    self.address = address
  }

  /// - Throws: `resourceExhausted` naming the first limit reached.
  package func check(_ policy: AppointmentPolicy, field: ServiceField, day: LocalDate) throws {
    if self.citizenFieldDay >= policy.maxPerCitizenPerFieldPerDay {
      throw DomainError(.resourceExhausted,
        "limit reached: at most \(policy.maxPerCitizenPerFieldPerDay) appointment per citizen per field per day (\(field.rawValue), \(day))")
    }
    if self.citizenDay >= policy.maxPerCitizenPerDay {
      throw DomainError(.resourceExhausted,
        "limit reached: at most \(policy.maxPerCitizenPerDay) appointments per citizen per day (\(day))")
    }
    if self.phone >= policy.maxActivePerPhone {
      throw DomainError(.resourceExhausted,
        "limit reached: at most \(policy.maxActivePerPhone) active appointments per phone number")
    }
    if let address = self.address, address >= policy.maxActivePerAddressPerDay {
      throw DomainError(.resourceExhausted,
        "limit reached: at most \(policy.maxActivePerAddressPerDay) active appointments booked from one address per day")
    }
  }
}
