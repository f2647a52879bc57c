internal import CityScheduler
internal import MotCuaDomain

/// A branch as the simulation needs it on the simulated day: its counters' rosters by minute and its pools (the
/// counters and services linked by sharing a counter; a pool's tickets are served by its counters).
struct BranchLayout: Sendable {
  struct Desk: Sendable {
    let serviceIndices: [Int]
    /// Whether the roster has the counter at work in each minute 0..<1440.
    let rostered: [Bool]
    /// Rostered at some time of the day: such a counter works overtime after closing.
    let worksToday: Bool
  }

  struct Pool: Sendable {
    let serviceIndices: Set<Int>
    let desks: [Int]
    let curve: CapacityCurve
  }

  let id: BranchID
  let point: GeoPoint
  /// When the branch stops issuing tickets (end of its last opening interval), seconds after midnight.
  let closingSecond: Double
  let desks: [Desk]
  let pools: [Pool]
  /// Pool index per catalogue service index; nil where no counter serves it.
  let poolOfService: [Int?]
  /// Seconds at which some counter starts work, and the closing second (overtime begins).
  let wakeSeconds: [Double]

  init(branch: Branch, counters: [Counter], serviceIndex: [ServiceID: Int], weekday: Weekday) {
    self.id = branch.id
    self.point = GeoPoint(branch)
    let opening = branch.openingHours.intervals(on: weekday)
    let closingMinute = opening.map(\.closes.minuteOfDay).max() ?? 0
    self.closingSecond = Double(closingMinute) * 60
    let desks = counters.map { counter in
      var rostered = [Bool](repeating: false, count: 1440)
      for interval in counter.roster.intervals(on: weekday) {
        for minute in interval.opens.minuteOfDay..<min(1440, interval.closes.minuteOfDay) { rostered[minute] = true }
      }
      return Desk(
        serviceIndices: counter.serviceIDs.compactMap { serviceIndex[$0] }, rostered: rostered,
        worksToday: rostered.contains(true))
    }
    self.desks = desks

    // Pools: connected components of counters through shared services.
    var parent = Array(desks.indices)
    func root(_ index: Int) -> Int {
      var index = index
      while parent[index] != index { index = parent[index] }
      return index
    }
    var deskOfService: [Int: Int] = [:]
    for (deskIndex, desk) in desks.enumerated() {
      for service in desk.serviceIndices {
        if let other = deskOfService[service] {
          parent[root(deskIndex)] = root(other)
        } else {
          deskOfService[service] = deskIndex
        }
      }
    }
    let roots = Array(Set(desks.indices.map(root))).sorted()
    var poolOfService = [Int?](repeating: nil, count: serviceIndex.count)
    var pools: [Pool] = []
    for (poolIndex, poolRoot) in roots.enumerated() {
      let members = desks.indices.filter { root($0) == poolRoot }
      let services = Set(members.flatMap { desks[$0].serviceIndices })
      for service in services { poolOfService[service] = poolIndex }
      let open = (0..<1440).map { minute in
        minute >= closingMinute
          ? members.count(where: { desks[$0].worksToday })
          : members.count(where: { desks[$0].rostered[minute] })
      }
      let overtime = members.count(where: { desks[$0].worksToday })
      pools.append(Pool(serviceIndices: services, desks: members, curve: CapacityCurve(open: open, overtime: overtime)))
    }
    self.pools = pools
    self.poolOfService = poolOfService

    var wakes = Set<Double>([self.closingSecond])
    for desk in desks {
      for minute in 0..<1440 where desk.rostered[minute] && (minute == 0 || !desk.rostered[minute - 1]) {
        wakes.insert(Double(minute) * 60)
      }
    }
    self.wakeSeconds = wakes.sorted()
  }

  /// Whether desk `index` may call a ticket at `second`.
  func isWorking(desk index: Int, atSecond second: Double) -> Bool {
    let desk = self.desks[index]
    if second >= self.closingSecond { return desk.worksToday }
    let minute = Int((second / 60).rounded(.down))
    return minute >= 0 && minute < 1440 && desk.rostered[minute]
  }
}
