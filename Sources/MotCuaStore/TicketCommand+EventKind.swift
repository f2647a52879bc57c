package import MotCuaDomain
package import QueueEngine

extension TicketCommand {
  /// The event a store records when this command changes a ticket.
  package var eventKind: BranchEvent.Kind {
    switch self {
    case .call: .called
    case .recall: .recalled
    case .startServing: .servingStarted
    case .complete: .completed
    case .markNoShow: .noShow
    case .transfer: .transferred
    }
  }
}
