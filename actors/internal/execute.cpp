#include "actors/internal/execute.hpp"

#include "core/log.hpp"

#include <exception>

namespace nzl::actors::internal {

namespace {

class task_context final : public plugins::handler_context {
public:
  task_context(const task_request& request, std::string_view region)
      : cancel_(*request.cancel), on_progress_(request.on_progress), region_(region) {}

  // Progress has no listener on the synchronous HTTP path; the WebSocket
  // session will subscribe here.
  void progress(int percent, std::string_view stage) override {
    if (on_progress_)
      on_progress_(percent, stage); // a WebSocket session streams it
  }
  bool cancelled() const noexcept override { return cancel_.cancelled(); }
  std::string_view region() const noexcept override { return region_; }

private:
  const cancel_flag& cancel_;
  const std::function<void(int, std::string_view)>& on_progress_;
  std::string_view region_;
};

} // namespace

result<nlohmann::json> execute(plugins::task_handler& handler, task_request& request,
                               std::string_view region) {
  task_context ctx{request, region};
  try {
    return handler.run(std::move(request.payload), ctx);
  } catch (const std::exception& e) {
    log::emit(log::level::error, "handler_threw", R"("type":{},"request_id":{},"what":{})",
              log::quote(request.type), log::quote(request.request_id), log::quote(e.what()));
  } catch (...) {
    log::emit(log::level::error, "handler_threw", R"("type":{},"request_id":{})",
              log::quote(request.type), log::quote(request.request_id));
  }
  return fail(errc::internal, "the '" + request.type + "' handler failed unexpectedly");
}

} // namespace nzl::actors::internal
