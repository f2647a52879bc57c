import MotCuaDomain
import QueueEngine
import MotCuaProtocol
import SwiftProtobuf
import WaitPrediction

/// `DirectoryService`: branches, their services and counters. No token needed.
struct DirectoryHandler: Sendable {
  let core: MotCuaCore

  func listBranches(_ request: Motcua_V1_ListBranchesRequest, _ caller: PublicCaller) throws -> Motcua_V1_ListBranchesResponse {
    let catalogue = self.core.catalogue
    let now = self.core.clock.now()
    var response = Motcua_V1_ListBranchesResponse()
    response.branches = catalogue.branches.map { branch in
      var b = Motcua_V1_Branch()
      b.branchID = branch.id.rawValue
      b.name = branch.name
      b.district = branch.district
      b.address = branch.address
      b.latitude = branch.latitude
      b.longitude = branch.longitude
      b.timeZone = catalogue.civilTime.timeZoneName
      b.openingHours = Weekday.allCases.compactMap { day in
        let intervals = branch.openingHours.intervals(on: day)
        guard !intervals.isEmpty else { return nil }
        var hours = Motcua_V1_DayHours()
        hours.weekday = Motcua_V1_Weekday(rawValue: day.rawValue) ?? .unspecified
        hours.intervals = intervals.map { interval in
          var i = Motcua_V1_OpeningInterval()
          i.opens = interval.opens.description
          i.closes = interval.closes.description
          return i
        }
        return hours
      }
      b.openNow = catalogue.isOpen(branch.openingHours, at: now)
      if !b.openNow, let next = catalogue.nextOpening(of: branch.openingHours, after: now) {
        b.nextOpening = Google_Protobuf_Timestamp(next)
      }
      return b
    }
    return response
  }

  func listServices(_ request: Motcua_V1_ListServicesRequest, _ context: CallContext) async throws
    -> Motcua_V1_ListServicesResponse
  {
    // Not answered inline: it may run a wait simulation per service/branch.
    try await self.core.admitPublic(context)
    let branch = try self.core.catalogue.requireBranch(BranchID(try Field.required(request.branchID, "branch_id")))
    let queue = self.core.hub.queue(branch.id)
    let today = self.core.today
    var response = Motcua_V1_ListServicesResponse()
    response.services = self.core.catalogue.services(offeredAt: branch.id).map { service in
      var s = Motcua_V1_ServiceInfo()
      s.serviceID = service.id.rawValue
      s.nameVi = service.nameVi
      s.nameEn = service.nameEn
      s.field = Motcua_V1_ServiceField(service.field)
      s.prefix = service.prefix
      s.typicalServiceSeconds = UInt32(service.typicalServiceSeconds)
      s.openCounters = UInt32(queue?.openCounters(serving: service.id) ?? 0)
      s.peopleWaiting = UInt32(queue?.waitingCount(for: service.id, on: today) ?? 0)
      s.estimate = Motcua_V1_WaitEstimate(
        self.core.estimateForNewTicket(branch: branch.id, service: service, priority: .none))
      s.in30Minutes = self.outlook(branch.id, service, minutes: 30)
      s.in60Minutes = self.outlook(branch.id, service, minutes: 60)
      return s
    }
    return response
  }

  private func outlook(_ branch: BranchID, _ service: Service, minutes: Int) -> Motcua_V1_QueueOutlook {
    let (outlook, perHour) = self.core.outlook(branch: branch, service: service, minutes: minutes)
    return Motcua_V1_QueueOutlook(outlook, arrivalsPerHour: perHour)
  }

  func listCounters(_ request: Motcua_V1_ListCountersRequest, _ caller: PublicCaller) throws -> Motcua_V1_ListCountersResponse {
    let branch = try self.core.catalogue.requireBranch(BranchID(try Field.required(request.branchID, "branch_id")))
    let queue = self.core.hub.queue(branch.id)
    var response = Motcua_V1_ListCountersResponse()
    response.counters = self.core.catalogue.counters(at: branch.id).map { counter in
      Motcua_V1_Counter(counter, state: queue?.counters[counter.id])
    }
    return response
  }
}
