// MotCua conformance client on the gRPC C++ library (Debian's libgrpc++).
//
//   motcua-conformance-client HOST:PORT KIOSK_TOKEN [BRANCH_ID]
//
// Prints one line per check, "ok <name>" or "FAIL <name>: <why>", and exits 1 if any check failed (2 on a
// usage error). Every call has a deadline, so a silent server fails the checks instead of hanging.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>

#include "motcua/v1/directory.grpc.pb.h"
#include "motcua/v1/display.grpc.pb.h"
#include "motcua/v1/kiosk.grpc.pb.h"

namespace {

using namespace motcua::v1;

constexpr auto kDeadline = std::chrono::seconds(10);

int failures = 0;

void ok(const std::string& name) { std::cout << "ok " << name << std::endl; }

void fail(const std::string& name, const std::string& why) {
  ++failures;
  std::cout << "FAIL " << name << ": " << why << std::endl;
}

std::string describe(const grpc::Status& status) {
  return "status " + std::to_string(status.error_code()) + " '" + status.error_message() + "'";
}

void with_deadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + kDeadline);
}

std::string fresh_key() {
  std::random_device device;
  std::mt19937_64 rng(device());
  return "cpp-conformance-" + std::to_string(rng());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " HOST:PORT KIOSK_TOKEN [BRANCH_ID]" << std::endl;
    return 2;
  }
  const std::string address = argv[1];
  const std::string token = argv[2];
  const std::string branch = argc > 3 ? argv[3] : "hn-hoan-kiem";

  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + kDeadline)) {
    fail("connect", "no connection to " + address + " within 10 s");
    return 1;
  }
  ok("connect");
  auto directory = DirectoryService::NewStub(channel);
  auto kiosk = KioskService::NewStub(channel);
  auto display = DisplayService::NewStub(channel);

  // DirectoryService.ListBranches
  {
    grpc::ClientContext context;
    with_deadline(context);
    ListBranchesResponse response;
    grpc::Status status = directory->ListBranches(&context, ListBranchesRequest(), &response);
    bool found = false;
    for (const auto& b : response.branches()) found = found || b.branch_id() == branch;
    if (!status.ok()) fail("list-branches", describe(status));
    else if (!found) fail("list-branches", branch + " not among " + std::to_string(response.branches_size()));
    else ok("list-branches");
  }

  // A service of the branch (DirectoryService.ListServices) for the kiosk calls.
  std::string service;
  {
    grpc::ClientContext context;
    with_deadline(context);
    ListServicesRequest request;
    request.set_branch_id(branch);
    ListServicesResponse response;
    grpc::Status status = directory->ListServices(&context, request, &response);
    if (!status.ok() || response.services_size() == 0) {
      fail("list-services", status.ok() ? "no services" : describe(status));
    } else {
      service = response.services(0).service_id();
      ok("list-services");
    }
  }

  // KioskService.PredictWait
  {
    grpc::ClientContext context;
    with_deadline(context);
    PredictWaitRequest request;
    request.set_branch_id(branch);
    request.set_service_id(service);
    PredictWaitResponse response;
    grpc::Status status = kiosk->PredictWait(&context, request, &response);
    if (!status.ok()) fail("predict-wait", describe(status));
    else if (!response.has_estimate() || response.estimate().method().empty())
      fail("predict-wait", "no estimate: " + response.ShortDebugString());
    else ok("predict-wait");
  }

  // KioskService.IssueTicket with the token and an idempotency key; the same key again → the same ticket.
  {
    IssueTicketRequest request;
    request.set_branch_id(branch);
    request.set_service_id(service);
    request.set_idempotency_key(fresh_key());
    IssueTicketResponse first, again;
    grpc::ClientContext context1, context2;
    for (auto* context : {&context1, &context2}) {
      with_deadline(*context);
      context->AddMetadata("authorization", "Bearer " + token);
    }
    grpc::Status status = kiosk->IssueTicket(&context1, request, &first);
    if (!status.ok()) fail("issue-ticket", describe(status));
    else if (first.ticket().ticket_id().empty() || first.ticket().number().empty() || first.replayed())
      fail("issue-ticket", "unexpected reply: " + first.ShortDebugString());
    else ok("issue-ticket");

    status = kiosk->IssueTicket(&context2, request, &again);
    if (!status.ok()) fail("issue-ticket-replay", describe(status));
    else if (!again.replayed() || again.ticket().ticket_id() != first.ticket().ticket_id() ||
             again.ticket().number() != first.ticket().number())
      fail("issue-ticket-replay", "first " + first.ticket().ticket_id() + " " + first.ticket().number() +
                                      ", again " + again.ticket().ticket_id() + " " + again.ticket().number() +
                                      (again.replayed() ? " (replayed)" : " (not replayed)"));
    else ok("issue-ticket-replay");
  }

  // IssueTicket without a token → UNAUTHENTICATED with a message.
  {
    grpc::ClientContext context;
    with_deadline(context);
    IssueTicketRequest request;
    request.set_branch_id(branch);
    request.set_service_id(service);
    request.set_idempotency_key(fresh_key());
    IssueTicketResponse response;
    grpc::Status status = kiosk->IssueTicket(&context, request, &response);
    if (status.error_code() != grpc::StatusCode::UNAUTHENTICATED || status.error_message().empty())
      fail("unauthenticated", "expected UNAUTHENTICATED with a message, got " + describe(status));
    else ok("unauthenticated");
  }

  // NOT_FOUND for an unknown branch, with a message naming it (non-ASCII round-trips).
  {
    const std::string unknown = "hn-kh\xc3\xb4ng-t\xe1\xbb\x93n-t\xe1\xba\xa1i";  // hn-không-tồn-tại
    grpc::ClientContext context;
    with_deadline(context);
    PredictWaitRequest request;
    request.set_branch_id(unknown);
    request.set_service_id(service);
    PredictWaitResponse response;
    grpc::Status status = kiosk->PredictWait(&context, request, &response);
    if (status.error_code() != grpc::StatusCode::NOT_FOUND)
      fail("not-found", "expected NOT_FOUND, got " + describe(status));
    else if (status.error_message().find(unknown) == std::string::npos)
      fail("not-found", "the message does not name the branch: '" + status.error_message() + "'");
    else ok("not-found");
  }

  // DisplayService.WatchBranch: the snapshot, then the client cancels.
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    WatchBranchRequest request;
    request.set_branch_id(branch);
    auto reader = display->WatchBranch(&context, request);
    WatchBranchResponse message;
    if (!reader->Read(&message)) {
      fail("watch-branch-snapshot", "stream ended: " + describe(reader->Finish()));
    } else if (!message.has_snapshot() || message.snapshot().branch_id() != branch) {
      fail("watch-branch-snapshot", "first message is not the branch's snapshot: " + message.ShortDebugString());
      context.TryCancel();
      reader->Finish();
    } else {
      ok("watch-branch-snapshot");
      context.TryCancel();
      while (reader->Read(&message)) {
      }
      grpc::Status status = reader->Finish();
      if (status.error_code() != grpc::StatusCode::CANCELLED)
        fail("watch-branch-cancel", "expected CANCELLED, got " + describe(status));
      else ok("watch-branch-cancel");
    }
  }

  // The server serves on after the cancelled stream.
  {
    grpc::ClientContext context;
    with_deadline(context);
    PredictWaitRequest request;
    request.set_branch_id(branch);
    request.set_service_id(service);
    PredictWaitResponse response;
    grpc::Status status = kiosk->PredictWait(&context, request, &response);
    if (!status.ok()) fail("after-cancel", describe(status));
    else ok("after-cancel");
  }

  return failures == 0 ? 0 : 1;
}
