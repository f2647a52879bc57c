import LeanGRPC
import MotCuaDomain
import MotCuaProtocol
import MotCuaStore
import QueueEngine
import SwiftProtobuf

/// `DisplayService.WatchBranch`: a snapshot (or the events a reconnecting board missed), then every event
/// of the branch in sequence order. Numbers, counters and queue lengths only: no personal data.
struct DisplayHandler: Sendable {
  /// A board that missed more than this many events gets a fresh snapshot instead.
  static let maxReplay = 5_000

  let core: MotCuaCore

  func watchBranch(
    _ request: Motcua_V1_WatchBranchRequest, _ context: CallContext,
    send: StreamSender<Motcua_V1_WatchBranchResponse>
  ) async throws {
    try await self.core.admitPublic(context)
    let branchID = BranchID(try Field.required(request.branchID, "branch_id"))
    _ = try self.core.catalogue.requireBranch(branchID)
    guard let (queue, watch) = self.core.hub.watch(branchID) else {
      throw DomainError.notFound("no branch '\(branchID)'")
    }
    defer { self.core.hub.unwatch(watch) }
    // A board that says where it left off gets what it missed, if that is recent enough; else a snapshot.
    let last = queue.lastSequence
    let resume = request.afterSequence
    if resume > 0 && resume <= last && last - resume <= UInt64(Self.maxReplay) {
      for event in try await self.core.store.events(branch: branchID, after: resume, limit: Self.maxReplay)
      where event.sequence <= last {
        try await send(self.message(event) { queue.openCounters(serving: $0) })
      }
    } else {
      var response = Motcua_V1_WatchBranchResponse()
      response.snapshot = self.snapshot(queue)
      try await send(response)
    }
    // Then every event after `last`: the hub writes each, encoded once for all the branch's boards (with the
    // counters open right after it), straight to this stream; the call waits until the hub lets it go (the board
    // fell too far behind, or shutdown) or is over.
    let handler = self
    guard try self.core.hub.goLive(watch, writer: send.writer, encode: { try handler.encode($0) }) else { return }
    try await send.writer.waitUntilDetached()
  }

  /// The board message of a live event, encoded (once per event: see `WatchedEvent`).
  private func encode(_ watched: WatchedEvent) throws -> GRPCEncodedMessage {
    try StreamSender.encode(self.message(watched.event) { watched.openCounters[$0] ?? 0 })
  }

  private func snapshot(_ queue: BranchQueue) -> Motcua_V1_BranchSnapshot {
    let today = self.core.today
    var snapshot = Motcua_V1_BranchSnapshot()
    snapshot.branchID = queue.branchID.rawValue
    snapshot.sequence = queue.lastSequence
    snapshot.localDate = today.description
    snapshot.at = Google_Protobuf_Timestamp(self.core.clock.now())
    snapshot.queues = self.core.catalogue.services(offeredAt: queue.branchID).map { service in
      self.serviceQueue(
        service.id, waiting: queue.waitingCount(for: service.id, on: today),
        openCounters: queue.openCounters(serving: service.id))
    }
    snapshot.counters = self.core.catalogue.counters(at: queue.branchID).map { counter in
      let state = queue.counters[counter.id]
      var display = Motcua_V1_CounterDisplay()
      display.counterID = counter.id.rawValue
      display.name = counter.name
      display.open = state?.isOpen ?? false
      display.currentNumber = state?.currentNumber ?? ""
      return display
    }
    return snapshot
  }

  /// The board message of an event; `openCounters` gives the open counters serving each service of
  /// `waitingAfter`.
  private func message(
    _ event: BranchEvent, openCounters: (ServiceID) -> Int
  ) -> Motcua_V1_WatchBranchResponse {
    var e = Motcua_V1_BranchEvent()
    e.sequence = event.sequence
    e.branchID = event.branchID.rawValue
    e.kind = Motcua_V1_BranchEventKind(event.kind)
    e.at = Google_Protobuf_Timestamp(event.at)
    if let ticket = event.ticket {
      e.number = ticket.number
      e.serviceID = ticket.serviceID.rawValue
      if let counter = ticket.counterID { e.counterID = counter.rawValue }
    }
    if let counter = event.counter { e.counterID = counter.counterID.rawValue }
    if !e.counterID.isEmpty { e.counterName = self.core.catalogue.counter(CounterID(e.counterID))?.name ?? "" }
    if let from = event.fromServiceID { e.fromServiceID = from.rawValue }
    e.queues = event.waitingAfter.sorted { $0.key < $1.key }.map { service, waiting in
      self.serviceQueue(service, waiting: waiting, openCounters: openCounters(service))
    }
    var response = Motcua_V1_WatchBranchResponse()
    response.event = e
    return response
  }

  private func serviceQueue(_ service: ServiceID, waiting: Int, openCounters: Int) -> Motcua_V1_ServiceQueue {
    var q = Motcua_V1_ServiceQueue()
    q.serviceID = service.rawValue
    q.prefix = self.core.catalogue.service(service)?.prefix ?? ""
    q.waiting = UInt32(clamping: waiting)
    q.openCounters = UInt32(clamping: openCounters)
    return q
  }
}
