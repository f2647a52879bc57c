import MotCuaDomain

extension JSON {
  /// A ticket's JSON text, written by hand: the same text `JSONEncoder` with sorted keys writes
  /// (`HandWrittenJSONTests` compares them), at a fraction of the CPU. Every event stores its ticket, and the
  /// encoder's generic machinery was a seventh of the group committer's time; the counter states and counts below
  /// are written the same way.
  static func text(of t: Ticket) -> String {
    var out = "{"
    out.reserveCapacity(360)
    var first = true
    func key(_ name: StaticString) {
      if !first { out += "," }
      first = false
      out += "\""
      out += name.description
      out += "\":"
    }
    func string(_ name: StaticString, _ value: String) {
      key(name)
      Self.appendQuoted(value, to: &out)
    }
    func number(_ name: StaticString, _ value: some BinaryInteger) {
      key(name)
      out += String(value)
    }
    // Keys in byte order, as `.sortedKeys` sorts them; nil optionals are left out.
    string("branchID", t.branchID.rawValue)
    number("callRank", t.callRank)
    if let v = t.calledAt { number("calledAt", v.millisecondsSinceEpoch) }
    if let v = t.completedAt { number("completedAt", v.millisecondsSinceEpoch) }
    if let v = t.counterID { string("counterID", v.rawValue) }
    string("day", t.day.description)
    if let v = t.dueAt { number("dueAt", v.millisecondsSinceEpoch) }
    string("id", t.id.rawValue)
    number("issuedAt", t.issuedAt.millisecondsSinceEpoch)
    string("number", t.number)
    string("originalServiceID", t.originalServiceID.rawValue)
    number("priority", t.priority.rawValue)
    number("recallCount", t.recallCount)
    number("sequence", t.sequence)
    string("serviceID", t.serviceID.rawValue)
    if let v = t.servingStartedAt { number("servingStartedAt", v.millisecondsSinceEpoch) }
    string("state", t.state.rawValue)
    string("trackingCode", t.trackingCode)
    out += "}"
    return out
  }

  /// A counter's state, as `JSONEncoder` with sorted keys writes it (events and the counters table store it).
  static func text(of c: CounterState) -> String {
    var out = "{\"branchID\":"
    Self.appendQuoted(c.branchID.rawValue, to: &out)
    out += ",\"counterID\":"
    Self.appendQuoted(c.counterID.rawValue, to: &out)
    if let number = c.currentNumber {
      out += ",\"currentNumber\":"
      Self.appendQuoted(number, to: &out)
    }
    if let ticket = c.currentTicketID {
      out += ",\"currentTicketID\":"
      Self.appendQuoted(ticket.rawValue, to: &out)
    }
    out += c.isOpen ? ",\"isOpen\":true,\"serviceIDs\":" : ",\"isOpen\":false,\"serviceIDs\":"
    out += Self.text(of: c.serviceIDs)
    out += "}"
    return out
  }

  /// Service ids as a JSON array (a counter's services).
  static func text(of services: [ServiceID]) -> String {
    var out = "["
    for (n, service) in services.enumerated() {
      if n > 0 { out += "," }
      Self.appendQuoted(service.rawValue, to: &out)
    }
    out += "]"
    return out
  }

  /// Counts by name (an event's waiting counts per service), as `JSONEncoder` with sorted keys writes them.
  static func text(of counts: [String: Int]) -> String {
    var out = "{"
    for (n, name) in counts.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
      if n > 0 { out += "," }
      Self.appendQuoted(name, to: &out)
      out += ":"
      out += String(counts[name]!)
    }
    out += "}"
    return out
  }

  /// `value` as a JSON string literal, escaped as `JSONEncoder` escapes it (`/` too, control characters as
  /// `\b \f \n \r \t` or `\u00XX`).
  static func appendQuoted(_ value: String, to out: inout String) {
    out += "\""
    var plainFrom = value.utf8.startIndex
    for i in value.utf8.indices {
      let byte = value.utf8[i]
      let escape: String
      switch byte {
      case UInt8(ascii: "\""): escape = "\\\""
      case UInt8(ascii: "\\"): escape = "\\\\"
      case UInt8(ascii: "/"): escape = "\\/"
      case 0x08: escape = "\\b"
      case 0x0C: escape = "\\f"
      case 0x0A: escape = "\\n"
      case 0x0D: escape = "\\r"
      case 0x09: escape = "\\t"
      case 0..<0x20:
        let hex = String(byte, radix: 16)
        escape = "\\u00" + (hex.count == 1 ? "0" + hex : hex)
      default: continue
      }
      out += value[plainFrom..<i]
      out += escape
      plainFrom = value.utf8.index(after: i)
    }
    out += value[plainFrom...]
    out += "\""
  }
}
