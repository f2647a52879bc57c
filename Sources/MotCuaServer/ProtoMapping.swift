import MotCuaDomain
import MotCuaProtocol
import SwiftProtobuf
import WaitPrediction

// proto ⇄ domain, in one place for every handler.

extension Google_Protobuf_Timestamp {
  init(_ instant: Instant) {
    let ms = instant.millisecondsSinceEpoch
    let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
    self.init(seconds: seconds, nanos: Int32((ms - seconds * 1000) * 1_000_000))
  }
}

extension Instant {
  /// The instant of a timestamp between 2000 and 2100; INVALID_ARGUMENT otherwise (no overflow from input).
  init(_ timestamp: Google_Protobuf_Timestamp, field: String) throws(DomainError) {
    guard (946_684_800...4_102_444_800).contains(timestamp.seconds), (0..<1_000_000_000).contains(timestamp.nanos)
    else { throw .invalidArgument("\(field) must be a time between 2000 and 2100") }
    self.init(millisecondsSinceEpoch: timestamp.seconds * 1000 + Int64(timestamp.nanos / 1_000_000))
  }
}

extension Motcua_V1_Priority {
  init(_ priority: Priority) {
    self = Motcua_V1_Priority(rawValue: priority.rawValue) ?? .none
  }

  /// The domain priority, or INVALID_ARGUMENT for a value this server does not know.
  func domain() throws(DomainError) -> Priority {
    guard let priority = Priority(rawValue: self.rawValue) else {
      throw .invalidArgument("priority \(self.rawValue) is not one of PRIORITY_NONE … PRIORITY_MERITORIOUS_SERVICE")
    }
    return priority
  }
}

extension Motcua_V1_TicketState {
  init(_ state: TicketState, expired: Bool) {
    if expired {
      self = .expired
      return
    }
    self =
      switch state {
      case .waiting: .waiting
      case .called: .called
      case .serving: .serving
      case .done: .done
      case .noShow: .noShow
      }
  }
}

extension Motcua_V1_QueueOutlook {
  /// Figures rounded for display; a wait with no counter to serve it is 0.
  init(_ outlook: QueueOutlook, arrivalsPerHour: Double) {
    self.init()
    self.waiting = (outlook.waiting * 10).rounded() / 10
    self.waitSeconds = outlook.waitSeconds.isFinite ? UInt32(clamping: Int(outlook.waitSeconds.rounded())) : 0
    self.arrivalsPerHour = (arrivalsPerHour * 10).rounded() / 10
  }
}

extension Motcua_V1_WaitEstimate {
  init(_ e: WaitEstimate) {
    self.init()
    self.meanSeconds = UInt32(clamping: e.meanSeconds)
    self.p50Seconds = UInt32(clamping: e.p50Seconds)
    self.p90Seconds = UInt32(clamping: e.p90Seconds)
    self.peopleAhead = UInt32(clamping: e.peopleAhead)
    self.openCounters = UInt32(clamping: e.openCounters)
    self.assumesRosteredCounters = e.assumesRosteredCounters
    self.method = e.method
  }
}

extension Motcua_V1_Ticket {
  init(_ live: LiveTicket, catalogue: Catalogue) {
    let t = live.ticket
    self.init()
    self.ticketID = t.id.rawValue
    self.number = t.number
    self.branchID = t.branchID.rawValue
    self.serviceID = t.serviceID.rawValue
    self.priority = Motcua_V1_Priority(t.priority)
    self.state = Motcua_V1_TicketState(t.state, expired: live.expired)
    self.peopleAhead = UInt32(clamping: live.peopleAhead)
    if let estimate = live.estimate { self.estimate = Motcua_V1_WaitEstimate(estimate) }
    self.issuedAt = Google_Protobuf_Timestamp(t.issuedAt)
    self.trackingCode = t.trackingCode
    if let counter = t.counterID {
      self.counterID = counter.rawValue
      self.counterName = catalogue.counter(counter)?.name ?? ""
    }
    if let calledAt = t.calledAt { self.calledAt = Google_Protobuf_Timestamp(calledAt) }
    self.localDate = t.day.description
    if t.originalServiceID != t.serviceID { self.originalServiceID = t.originalServiceID.rawValue }
    self.recallCount = UInt32(clamping: t.recallCount)
    self.serviceName = catalogue.service(t.serviceID)?.nameVi ?? ""
  }
}

extension Motcua_V1_ServiceField {
  init(_ field: ServiceField) {
    self =
      switch field {
      case .civilStatus: .civilStatus
      case .land: .land
      case .construction: .construction
      case .planning: .planning
      case .investment: .investment
      case .businessRegistration: .businessRegistration
      case .certification: .certification
      case .labourSocialAffairs: .labourSocialAffairs
      case .residence: .residence
      case .transport: .transport
      case .education: .education
      case .health: .health
      case .other: .other
      }
  }
}

extension Motcua_V1_Counter {
  init(_ counter: Counter, state: CounterState?) {
    self.init()
    self.counterID = counter.id.rawValue
    self.branchID = counter.branchID.rawValue
    self.name = counter.name
    let open = state?.isOpen ?? false
    self.open = open
    self.serviceIds = (open ? state?.serviceIDs ?? counter.serviceIDs : counter.serviceIDs).map(\.rawValue)
    self.currentNumber = state?.currentNumber ?? ""
  }
}

extension Motcua_V1_BranchEventKind {
  init(_ kind: BranchEvent.Kind) {
    self =
      switch kind {
      case .issued: .issued
      case .called: .called
      case .recalled: .recalled
      case .servingStarted: .servingStarted
      case .completed: .completed
      case .noShow: .noShow
      case .transferred: .transferred
      case .counterOpened: .counterOpened
      case .counterClosed: .counterClosed
      }
  }
}

/// Request field checks shared by every handler.
enum Field {
  static let maxLength = 128

  /// A required identifier: non-empty, at most 128 characters.
  static func required(_ value: String, _ name: String) throws(DomainError) -> String {
    guard !value.isEmpty else { throw .invalidArgument("\(name) is required") }
    guard value.count <= maxLength else {
      throw .invalidArgument("\(name) is longer than \(maxLength) characters")
    }
    return value
  }

  /// An optional identifier: empty means absent.
  static func optional(_ value: String, _ name: String) throws(DomainError) -> String? {
    value.isEmpty ? nil : try required(value, name)
  }
}
