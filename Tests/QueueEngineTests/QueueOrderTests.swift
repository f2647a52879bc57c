import MotCuaDomain
import QueueEngine
import Testing

@Suite struct QueueOrderTests {
  static let policy = PriorityPolicy(honoured: [.meritoriousService, .disability, .pregnant, .childUnder6, .elderly])

  @Test func priorityGroupsFirstInPolicyOrderThenWalkInsByIssueTime() {
    let walkInEarly = Fixture.ticket(1, rank: Self.policy.walkInRank, at: 1_000)
    let walkInLate = Fixture.ticket(2, rank: Self.policy.walkInRank, at: 2_000)
    let elderly = Fixture.ticket(3, rank: Self.policy.rank(for: .elderly), at: 9_000)
    let disability = Fixture.ticket(4, rank: Self.policy.rank(for: .disability), at: 9_500)
    var pool = [walkInLate, elderly, walkInEarly, disability]
    var calledOrder: [TicketID] = []
    while let next = QueueOrder.next(among: pool, for: [Fixture.serviceA]) {
      calledOrder.append(next.id)
      pool.removeAll { $0.id == next.id }
    }
    #expect(calledOrder == [disability.id, elderly.id, walkInEarly.id, walkInLate.id])
  }

  @Test func appointmentsComeAfterPriorityGroupsAndBeforeWalkIns() {
    #expect(Self.policy.rank(for: .elderly) < Self.policy.appointmentRank)
    #expect(Self.policy.appointmentRank < Self.policy.walkInRank)
    #expect(Self.policy.rank(for: .none) == Self.policy.walkInRank)
  }

  @Test func aGroupTheBranchDoesNotHonourQueuesAsAWalkIn() {
    let policy = PriorityPolicy(honoured: [.disability])
    #expect(policy.rank(for: .elderly) == policy.walkInRank)
    #expect(policy.rank(for: .disability) == 0)
  }

  @Test func onlyTheCountersServicesAreCalled() {
    let a = Fixture.ticket(1, service: Fixture.serviceA, at: 5_000)
    let b = Fixture.ticket(2, service: Fixture.serviceB, at: 1_000)
    #expect(QueueOrder.next(among: [a, b], for: [Fixture.serviceA])?.id == a.id)
    #expect(QueueOrder.next(among: [a, b], for: [Fixture.serviceA, Fixture.serviceB])?.id == b.id)
    #expect(QueueOrder.next(among: [a, b], for: []) == nil)
  }
}
