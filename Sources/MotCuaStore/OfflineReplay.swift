package import MotCuaDomain
import QueueEngine

/// The rules for replaying a ticket a kiosk issued offline from a lease; the driver reads the lease and whether
/// the number or id is taken, these decide.
package enum OfflineReplay {
  /// The lease an offline ticket comes from, checked: it exists, is this kiosk's, for this branch and service,
  /// and holds the number.
  package static func check(
    _ lease: NumberLease?, for command: IssueTicketCommand, _ offline: OfflineIssue
  ) throws -> NumberLease {
    guard let lease else { throw DomainError.notFound("no lease '\(offline.leaseID)'") }
    guard lease.principalID == command.principalID else {
      throw DomainError.permissionDenied("lease '\(lease.id)' was taken by another kiosk token")
    }
    guard lease.branchID == command.branchID, lease.serviceID == command.service.id else {
      throw DomainError.failedPrecondition(
        "lease '\(lease.id)' is for \(lease.branchID) / \(lease.serviceID), not \(command.branchID) / \(command.service.id)")
    }
    guard lease.contains(sequence: offline.sequence) else {
      throw DomainError.failedPrecondition(
        "number \(offline.sequence) is outside lease '\(lease.id)' (\(lease.firstSequence)–\(lease.lastSequence))")
    }
    return lease
  }

  /// The refusal when the leased number or the ticket id was already issued.
  package static func alreadyIssued(_ lease: NumberLease, _ offline: OfflineIssue) -> DomainError {
    .failedPrecondition(
      "number \(offline.sequence) of lease '\(lease.id)' or ticket id '\(offline.ticketID)' was already issued")
  }

  /// The ticket to insert, and the clock skew to record if the kiosk's clock looked wrong. A kiosk clock that is
  /// wrong must not put its tickets ahead of others: the issue time is kept within [lease taken, now].
  ///
  /// - Throws: `failedPrecondition` when the ticket was issued after the lease expired.
  package static func ticket(
    for command: IssueTicketCommand, _ offline: OfflineIssue, lease: NumberLease
  ) throws -> (ticket: Ticket, clockSkewSeconds: Int64?) {
    var skew: Int64? = nil
    var issuedAt = offline.issuedAt
    let ahead = command.at.seconds(until: issuedAt)
    if ahead > OfflineIssue.clockSkewTolerance || issuedAt < lease.createdAt || lease.day != offline.issuedOn {
      skew = ahead
      issuedAt = min(max(issuedAt, lease.createdAt), command.at)
    }
    let number = TicketNumber.format(prefix: command.service.prefix, sequence: offline.sequence)
    guard issuedAt < lease.expiresAt else {
      throw DomainError.failedPrecondition("ticket \(number) was issued after lease '\(lease.id)' expired")
    }
    let ticket = Ticket(
      id: offline.ticketID, branchID: command.branchID, serviceID: command.service.id,
      originalServiceID: command.service.id, day: lease.day, sequence: offline.sequence, number: number,
      priority: command.priority, callRank: command.callRank, state: .waiting, issuedAt: issuedAt,
      trackingCode: offline.trackingCode)
    return (ticket, skew)
  }
}
