import Appointments
import CityScheduler
import Foundation
import MotCuaDomain
import MotCuaProtocol
import MotCuaStore
import SwiftProtobuf

/// `BookingService`: slots, holds, bookings, cancellation and rescheduling.
struct BookingHandler: Sendable {
  /// The widest date range ListSlots answers.
  static let maxDays = 31

  let core: MotCuaCore

  func listSlots(_ request: Motcua_V1_ListSlotsRequest, _ context: CallContext) async throws
    -> Motcua_V1_ListSlotsResponse
  {
    _ = try await self.core.admitBooking(context)
    let catalogue = self.core.catalogue
    let service = ServiceID(try Field.required(request.serviceID, "service_id"))
    guard catalogue.service(service) != nil else {
      throw DomainError.notFound("no service '\(service)'; DirectoryService.ListServices lists them")
    }
    let branches = try self.branches(request)
    let now = self.core.clock.now()
    let today = catalogue.civilTime.date(of: now)
    guard let from = LocalDate(request.dateFrom), let to = LocalDate(request.dateTo) else {
      throw DomainError.invalidArgument("date_from and date_to must be YYYY-MM-DD")
    }
    guard from <= to, to.daysSinceEpoch - from.daysSinceEpoch < Int64(Self.maxDays) else {
      throw DomainError.invalidArgument("date_from must not be after date_to, and the range at most \(Self.maxDays) days")
    }
    let last = today.adding(days: Int64(self.core.options.appointments.bookingHorizonDays))
    var definitions: [(SlotDefinition, Double)] = []
    for (branch, distance) in branches {
      var day = max(from, today)
      while day <= min(to, last) {
        for slot in self.core.slots.slots(
          branch: branch, service: service, on: day, assignments: self.core.assignments(on: day))
        where slot.start > now {
          definitions.append((slot, distance))
        }
        day = day.adding(days: 1)
      }
    }
    let usage = try await self.core.store.slotUsage(definitions.map(\.0.id))
    var response = Motcua_V1_ListSlotsResponse()
    response.slots = definitions.compactMap { slot, distance in
      let free = max(0, slot.capacity - usage[slot.id, default: 0])
      if request.onlyFree && free == 0 { return nil }
      var s = Motcua_V1_Slot(slot, free: free)
      s.distanceKm = distance
      return s
    }.sorted { ($0.start.seconds, $0.branchID) < ($1.start.seconds, $1.branchID) }
    return response
  }

  func holdSlot(_ request: Motcua_V1_HoldSlotRequest, _ context: CallContext) async throws
    -> Motcua_V1_HoldSlotResponse
  {
    let requester = try await self.core.admitBooking(context)
    let (slot, service) = try self.bookable(request.slotID)
    let citizen = try self.citizen(request.citizen)
    let outcome = try await self.core.store.takeSlot(
      self.command(.slot(slot), field: service.field, citizen: citizen, requester: requester, idempotency: nil, hold: true))
    var response = Motcua_V1_HoldSlotResponse()
    response.holdID = outcome.booking.id
    if let expires = outcome.booking.holdExpiresAt { response.expiresAt = Google_Protobuf_Timestamp(expires) }
    response.slot = Motcua_V1_Slot(slot, free: 0)
    return response
  }

  func bookSlot(_ request: Motcua_V1_BookSlotRequest, _ context: CallContext) async throws
    -> Motcua_V1_BookSlotResponse
  {
    let requester = try await self.core.admitBooking(context)
    let key = try Field.required(request.idempotencyKey, "idempotency_key")
    let citizen = try self.citizen(request.citizen)
    let fingerprint = "BookSlot|\(request.slotID)|\(request.holdID)|\(citizen.nationalIDHash)|\(citizen.phoneHash)"
    // A retry is answered before the slot's checks (it may have started since).
    if let earlier = try await self.core.store.earlierBooking(
      scope: requester.idempotencyScope(for: citizen), key: key, fingerprint: fingerprint)
    {
      var response = Motcua_V1_BookSlotResponse()
      response.booking = self.message(earlier)
      response.replayed = true
      return response
    }
    let target: TakeSlotCommand.Target
    let field: ServiceField
    switch (request.slotID.isEmpty, request.holdID.isEmpty) {
    case (false, true):
      let (slot, service) = try self.bookable(request.slotID)
      target = .slot(slot)
      field = service.field
    case (true, false):
      target = .hold(try Field.required(request.holdID, "hold_id"))
      field = .other
    default:
      throw DomainError.invalidArgument("give exactly one of slot_id and hold_id")
    }
    let outcome = try await self.core.store.takeSlot(
      self.command(target, field: field, citizen: citizen, requester: requester, idempotency: (key, fingerprint), hold: false))
    var response = Motcua_V1_BookSlotResponse()
    response.booking = self.message(outcome.booking)
    response.replayed = outcome.replayed
    return response
  }

  func getBooking(_ request: Motcua_V1_GetBookingRequest, _ context: CallContext) async throws
    -> Motcua_V1_GetBookingResponse
  {
    _ = try await self.core.admitBooking(context)
    let code = try Self.normalizedCode(request.code)
    let hash = try self.core.pii.nationalIDHash(request.nationalID)
    guard let booking = try await self.core.store.booking(code: code), booking.citizen.nationalIDHash == hash else {
      throw DomainError.notFound("no booking with that code and national ID")
    }
    var response = Motcua_V1_GetBookingResponse()
    response.booking = self.message(booking)
    return response
  }

  func cancelBooking(_ request: Motcua_V1_CancelBookingRequest, _ context: CallContext) async throws
    -> Motcua_V1_CancelBookingResponse
  {
    _ = try await self.core.admitBooking(context)
    let booking = try await self.core.store.changeBooking(
      ChangeBookingCommand(
        code: try Self.normalizedCode(request.code), nationalIDHash: try self.core.pii.nationalIDHash(request.nationalID),
        moveTo: nil, field: nil, at: self.core.clock.now(), policy: self.core.options.appointments))
    var response = Motcua_V1_CancelBookingResponse()
    response.booking = self.message(booking)
    return response
  }

  func rescheduleBooking(_ request: Motcua_V1_RescheduleBookingRequest, _ context: CallContext) async throws
    -> Motcua_V1_RescheduleBookingResponse
  {
    _ = try await self.core.admitBooking(context)
    let (slot, service) = try self.bookable(request.newSlotID)
    let booking = try await self.core.store.changeBooking(
      ChangeBookingCommand(
        code: try Self.normalizedCode(request.code), nationalIDHash: try self.core.pii.nationalIDHash(request.nationalID),
        moveTo: slot, field: service.field, at: self.core.clock.now(), policy: self.core.options.appointments))
    var response = Motcua_V1_RescheduleBookingResponse()
    response.booking = self.message(booking)
    return response
  }

  // MARK: Shared steps

  /// A slot that exists, has not started and lies within the booking horizon.
  private func bookable(_ text: String) throws -> (SlotDefinition, Service) {
    guard let id = SlotID(try Field.required(text, "slot_id")) else {
      throw DomainError.invalidArgument("slot_id is malformed; use a slot_id from ListSlots")
    }
    guard let service = self.core.catalogue.service(id.serviceID), let slot = self.core.slots.slot(id, assignments: self.core.assignments(on: id.date))
    else {
      throw DomainError.notFound("no slot '\(text)'; ListSlots lists the bookable ones")
    }
    let now = self.core.clock.now()
    guard slot.start > now else { throw DomainError.failedPrecondition("slot \(text) has already started") }
    let today = self.core.catalogue.civilTime.date(of: now)
    guard id.date <= today.adding(days: Int64(self.core.options.appointments.bookingHorizonDays)) else {
      throw DomainError.failedPrecondition(
        "slots open \(self.core.options.appointments.bookingHorizonDays) days ahead; \(id.date) is too far")
    }
    return (slot, service)
  }

  private func citizen(_ c: Motcua_V1_Citizen) throws(DomainError) -> CitizenIdentity {
    try self.core.pii.identity(
      nationalID: try Field.required(c.nationalID, "citizen.national_id"), phone: try Field.required(c.phone, "citizen.phone"))
  }

  private func command(
    _ target: TakeSlotCommand.Target, field: ServiceField, citizen: CitizenIdentity, requester: BookingRequester,
    idempotency: (key: String, fingerprint: String)?, hold: Bool
  ) -> TakeSlotCommand {
    let now = self.core.clock.now()
    return TakeSlotCommand(
      target: target, field: field, citizen: citizen, requester: requester, idempotency: idempotency, hold: hold,
      bookingID: "bk_" + RandomText.make(length: 20, alphabet: RandomText.lowerBase32),
      code: RandomText.make(length: 8, alphabet: RandomText.trackingAlphabet),
      day: self.core.catalogue.civilTime.date(of: now), at: now, policy: self.core.options.appointments)
  }

  /// The branches searched, with their distance from the given location (0 for one named branch).
  private func branches(_ request: Motcua_V1_ListSlotsRequest) throws -> [(BranchID, Double)] {
    if !request.branchID.isEmpty {
      return [(try self.core.catalogue.requireBranch(BranchID(try Field.required(request.branchID, "branch_id"))).id, 0)]
    }
    guard request.radiusKm > 0, request.radiusKm <= 100, (-90...90).contains(request.latitude),
      (-180...180).contains(request.longitude)
    else {
      throw DomainError.invalidArgument("give branch_id, or latitude, longitude and radius_km (0 < radius ≤ 100)")
    }
    return self.core.catalogue.branches.compactMap { branch in
      let d = GeoPoint(latitude: request.latitude, longitude: request.longitude).distanceKm(to: GeoPoint(branch))
      return d <= request.radiusKm ? (branch.id, (d * 10).rounded() / 10) : nil
    }
  }

  /// Booking codes are typed by people: dashes and spaces are ignored, letters upper-cased.
  static func normalizedCode(_ text: String) throws(DomainError) -> String {
    let code = text.uppercased().filter { $0 != "-" && $0 != " " }
    guard code.count == 8 else { throw .invalidArgument("a booking code has 8 letters and digits, e.g. K7QX-M2PA") }
    return code
  }

  func message(_ b: Booking) -> Motcua_V1_Booking {
    let policy = self.core.options.appointments
    var m = Motcua_V1_Booking()
    m.bookingID = b.id
    m.code = b.displayCode
    m.branchID = b.slotID.branchID.rawValue
    m.serviceID = b.slotID.serviceID.rawValue
    m.start = Google_Protobuf_Timestamp(b.start)
    m.end = Google_Protobuf_Timestamp(b.end)
    m.localDate = b.slotID.date.description
    m.state =
      switch b.state {
      case .held: .held
      case .booked: .booked
      case .checkedIn: .checkedIn
      case .cancelled: .cancelled
      case .noShow: .noShow
      case .expired: .expired
      }
    if let ticket = b.ticketID { m.ticketID = ticket.rawValue }
    m.phoneLastDigits = b.citizen.phoneLastDigits
    m.checkInOpens = Google_Protobuf_Timestamp(b.start.adding(seconds: -policy.checkInEarlySeconds))
    m.checkInCloses = Google_Protobuf_Timestamp(b.start.adding(seconds: policy.checkInLateSeconds))
    return m
  }
}

extension Motcua_V1_Slot {
  init(_ slot: SlotDefinition, free: Int) {
    self.init()
    self.slotID = slot.id.description
    self.branchID = slot.id.branchID.rawValue
    self.serviceID = slot.id.serviceID.rawValue
    self.start = Google_Protobuf_Timestamp(slot.start)
    self.end = Google_Protobuf_Timestamp(slot.end)
    self.capacity = UInt32(slot.capacity)
    self.free = UInt32(free)
    self.localDate = slot.id.date.description
  }
}
