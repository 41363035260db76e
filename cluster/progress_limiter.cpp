#include "cluster/progress_limiter.hpp"

namespace nzl::cluster {

bool progress_limiter::admit(int percent, clock::time_point now) {
  std::lock_guard guard{mutex_};
  if (percent < 100 && sent_ && now - last_ < gap_)
    return false;
  sent_ = true;
  last_ = now;
  return true;
}

} // namespace nzl::cluster
