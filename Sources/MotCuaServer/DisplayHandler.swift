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
    send: (Motcua_V1_WatchBranchResponse) async throws -> Void
  ) async throws {
    try await self.core.admitPublic(context)
    let branchID = BranchID(try Field.required(request.branchID, "branch_id"))
    _ = try self.core.catalogue.requireBranch(branchID)
    guard let (queue, events) = self.core.hub.watch(branchID) else {
      throw DomainError.notFound("no branch '\(branchID)'")
    }
    // A board that says where it left off gets what it missed, if that is recent enough; else a snapshot.
    var last = queue.lastSequence
    let resume = request.afterSequence
    if resume > 0 && resume <= last && last - resume <= UInt64(Self.maxReplay) {
      for event in try await self.core.store.events(branch: branchID, after: resume, limit: Self.maxReplay)
      where event.sequence <= last {
        try await send(self.message(event, queue: queue))
      }
    } else {
      var response = Motcua_V1_WatchBranchResponse()
      response.snapshot = self.snapshot(queue)
      try await send(response)
    }
    for await event in events {
      guard event.sequence > last else { continue }
      last = event.sequence
      try await send(self.message(event, queue: self.core.hub.queue(branchID) ?? queue))
    }
  }

  private func snapshot(_ queue: BranchQueue) -> Motcua_V1_BranchSnapshot {
    let today = self.core.today
    var snapshot = Motcua_V1_BranchSnapshot()
    snapshot.branchID = queue.branchID.rawValue
    snapshot.sequence = queue.lastSequence
    snapshot.localDate = today.description
    snapshot.at = Google_Protobuf_Timestamp(self.core.clock.now())
    snapshot.queues = self.core.catalogue.services(offeredAt: queue.branchID).map { service in
      self.serviceQueue(service.id, waiting: queue.waitingCount(for: service.id, on: today), queue: queue)
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

  private func message(_ event: BranchEvent, queue: BranchQueue) -> Motcua_V1_WatchBranchResponse {
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
      self.serviceQueue(service, waiting: waiting, queue: queue)
    }
    var response = Motcua_V1_WatchBranchResponse()
    response.event = e
    return response
  }

  private func serviceQueue(_ service: ServiceID, waiting: Int, queue: BranchQueue) -> Motcua_V1_ServiceQueue {
    var q = Motcua_V1_ServiceQueue()
    q.serviceID = service.rawValue
    q.prefix = self.core.catalogue.service(service)?.prefix ?? ""
    q.waiting = UInt32(clamping: waiting)
    q.openCounters = UInt32(clamping: queue.openCounters(serving: service))
    return q
  }
}
