import GRPCCore
import MotCuaProtocol

/// grpc-swift-2 adapter for `BookingService`.
struct BookingServiceAdapter: Motcua_V1_BookingService.ServiceProtocol {
  let handler: BookingHandler
  let bridge: GRPCBridge

  func listSlots(request: ServerRequest<Motcua_V1_ListSlotsRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_ListSlotsResponse>
  { try await self.bridge.unary(request, context, self.handler.listSlots) }

  func holdSlot(request: ServerRequest<Motcua_V1_HoldSlotRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_HoldSlotResponse>
  { try await self.bridge.unary(request, context, self.handler.holdSlot) }

  func bookSlot(request: ServerRequest<Motcua_V1_BookSlotRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_BookSlotResponse>
  { try await self.bridge.unary(request, context, self.handler.bookSlot) }

  func getBooking(request: ServerRequest<Motcua_V1_GetBookingRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_GetBookingResponse>
  { try await self.bridge.unary(request, context, self.handler.getBooking) }

  func cancelBooking(request: ServerRequest<Motcua_V1_CancelBookingRequest>, context: ServerContext) async throws
    -> ServerResponse<Motcua_V1_CancelBookingResponse>
  { try await self.bridge.unary(request, context, self.handler.cancelBooking) }

  func rescheduleBooking(request: ServerRequest<Motcua_V1_RescheduleBookingRequest>, context: ServerContext)
    async throws -> ServerResponse<Motcua_V1_RescheduleBookingResponse>
  { try await self.bridge.unary(request, context, self.handler.rescheduleBooking) }
}
