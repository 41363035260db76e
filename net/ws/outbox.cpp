#include "net/ws/outbox.hpp"

#include <utility>

namespace nzl::net::ws {

outbox::verdict outbox::push(std::shared_ptr<const std::string> body, mode m) {
  verdict v = verdict::queued;
  if (unsent() >= limits_.max_queued) {
    if (m == mode::normal)
      return verdict::overflow;
    if (m == mode::detached)
      pop_front();
  } else if (m == mode::normal && unsent() + 1 == limits_.max_queued - limits_.max_queued / 4) {
    v = verdict::lagging;
  }
  if (count_ == ring_.size())
    grow();
  at(count_) = outgoing{std::move(body), first_seq_ + count_};
  ++count_;
  return v;
}

const outgoing* outbox::next_unsent() const noexcept {
  if (sent_ == count_)
    return nullptr;
  return &ring_[(head_ + sent_) & (ring_.size() - 1)];
}

void outbox::mark_sent() {
  if (sent_ == count_)
    return;
  ++sent_;
  while (sent_ > limits_.keep_sent)
    pop_front();
}

std::uint64_t outbox::rewind(std::uint64_t have) {
  if (have >= last_seq()) {
    sent_ = count_;
    return 0;
  }
  std::uint64_t lost = 0;
  if (have + 1 < first_seq_)
    lost = first_seq_ - (have + 1);
  auto keep_from = have + 1 < first_seq_ ? first_seq_ : have + 1;
  sent_ = static_cast<std::size_t>(keep_from - first_seq_);
  return lost;
}

void outbox::pop_front() noexcept {
  if (count_ == 0)
    return;
  at(0) = {};
  head_ = (head_ + 1) & (ring_.size() - 1);
  --count_;
  if (sent_ > 0)
    --sent_;
  ++first_seq_;
  if (count_ == 0 && ring_.size() > 8) {
    // Back to idle after a burst: give the memory back.
    std::vector<outgoing>{}.swap(ring_);
    head_ = 0;
  }
}

void outbox::grow() {
  std::vector<outgoing> bigger(ring_.empty() ? 4 : ring_.size() * 2);
  for (std::size_t i = 0; i < count_; ++i)
    bigger[i] = std::move(at(i));
  ring_.swap(bigger);
  head_ = 0;
}

} // namespace nzl::net::ws
