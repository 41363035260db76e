// Idempotency keys (IETF httpapi "Idempotency-Key" draft). One actor owns
// every key of the node, so "first request with this key" is decided in one
// place without locks. A key is in one of two states:
// - running: a first request is executing; identical requests (same
//   fingerprint) park their handler and get its answer replayed when it
//   finishes (bounded by max_waiters); a different request is a mismatch.
// - done: the answer is stored (LMDB table idempotency, written before any
//   waiter or the first caller is answered, so a crash cannot lose an answer
//   a client saw) and replayed until ttl_ms after it was stored.
// A first request that ends retryable (5xx) releases the key: the client's
// retry runs again. Keys are loaded from storage at start and purged by a
// periodic tick.
#include "actors/idempotency_actor.hpp"

#include "actors/internal/mailbox_size.hpp"
#include "actors/internal/messages.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "net/response_json.hpp"
#include "net/task_service.hpp"
#include "storage/environment.hpp"
#include "storage/read_txn.hpp"

#include <caf/all.hpp>

#include <map>
#include <unordered_map>

namespace nzl::actors {

namespace {

using namespace internal;
using nlohmann::json;
using verdict = net::task_service::idempotency_verdict;
using begin_handler = net::task_service::idempotency_handler;
using finish_handler = std::function<void()>;
using maybe_response = std::optional<net::http_response>;

using begin_atom = caf::atom_constant<caf::atom("idembegin")>;
using finish_atom = caf::atom_constant<caf::atom("idemfinish")>;
using purge_atom = caf::atom_constant<caf::atom("idempurge")>;

} // namespace
} // namespace nzl::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::begin_handler)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::finish_handler)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::maybe_response)

namespace nzl::actors {

namespace {

struct key_entry {
  std::string fingerprint;
  bool done = false;
  std::int64_t stored_ms = 0;
  net::http_response response;
  std::vector<begin_handler> waiters;
};

struct idem_state {
  idempotency_config config;
  caf::actor writer;
  std::unordered_map<std::string, key_entry> keys;
  std::multimap<std::int64_t, std::string> expiry; // stored time -> key
  static inline const char* name = "idempotency";
};

using self_ptr = caf::stateful_actor<idem_state>*;

std::string encode(const key_entry& e) {
  auto doc = net::response_to_json(e.response);
  doc["fingerprint"] = e.fingerprint;
  doc["stored_ms"] = e.stored_ms;
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<key_entry> decode(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return std::nullopt;
  auto response = net::response_from_json(doc);
  auto fingerprint = doc.find("fingerprint");
  auto stored = doc.find("stored_ms");
  if (!response || fingerprint == doc.end() || !fingerprint->is_string() || stored == doc.end() ||
      !stored->is_number_integer())
    return std::nullopt;
  key_entry e;
  e.done = true;
  e.fingerprint = fingerprint->get<std::string>();
  e.stored_ms = stored->get<std::int64_t>();
  e.response = std::move(*response);
  return e;
}

net::http_response replayed(net::http_response res) {
  res.headers.emplace_back("Idempotent-Replayed", "true");
  return res;
}

void purge(self_ptr self) {
  auto& st = self->state;
  auto cutoff = unix_ms_now() - st.config.ttl_ms;
  auto batch = std::make_shared<storage::write_batch>();
  while (!st.expiry.empty() &&
         (st.expiry.begin()->first <= cutoff || st.expiry.size() > st.config.max_keys)) {
    auto key = st.expiry.begin()->second;
    st.expiry.erase(st.expiry.begin());
    auto it = st.keys.find(key);
    if (it != st.keys.end() && it->second.done) {
      st.keys.erase(it);
      batch->erase(storage::table::idempotency, key);
    }
  }
  if (!batch->empty())
    self->request(st.writer, std::chrono::seconds(30), write_atom::value, batch)
        .then([](ok_atom) {}, [](caf::error&) {});
}

caf::behavior idempotency_actor(self_ptr self, std::shared_ptr<storage::environment> env,
                                caf::actor writer, idempotency_config config) {
  auto& st = self->state;
  st.config = config;
  st.writer = std::move(writer);
  // Load the stored answers; runs once, before any request reaches the actor.
  if (auto txn = env->begin_read()) {
    auto loaded =
        txn->scan(storage::table::idempotency, "", [&](std::string_view k, std::string_view v) {
          if (auto e = decode(v)) {
            st.expiry.emplace(e->stored_ms, std::string{k});
            st.keys.emplace(std::string{k}, std::move(*e));
          }
          return true;
        });
    if (!loaded)
      log::emit(log::level::error, "idempotency_load_failed", R"("error":{})",
                log::quote(loaded.err().detail));
  }
  purge(self);
  self->delayed_send(self, std::chrono::seconds(60), purge_atom::value);
  return {
      // `cloudagent shell actors`: the size is read on this actor's own
      // thread, the only one CAF 0.17 lets read it.
      [self](nzl::actors::internal::mailbox_atom) -> std::uint64_t {
        return internal::mailbox_size(self);
      },
      [=](begin_atom, const std::string& key, const std::string& fingerprint,
          const begin_handler& done) {
        auto& keys = self->state.keys;
        auto it = keys.find(key);
        if (it == keys.end()) {
          key_entry e;
          e.fingerprint = fingerprint;
          keys.emplace(key, std::move(e));
          return done(verdict::proceed, {});
        }
        auto& e = it->second;
        if (e.fingerprint != fingerprint)
          return done(verdict::mismatch, {});
        if (e.done)
          return done(verdict::replay, replayed(e.response));
        if (e.waiters.size() >= self->state.config.max_waiters)
          return done(verdict::busy, {});
        e.waiters.push_back(done);
      },
      [=](finish_atom, const std::string& key, const maybe_response& response,
          const finish_handler& done) {
        auto& keys = self->state.keys;
        auto it = keys.find(key);
        if (it == keys.end())
          return done();
        if (!response) {
          // Released: the first waiter (if any) becomes the new first request.
          auto waiters = std::move(it->second.waiters);
          keys.erase(it);
          done();
          // The waiters' requests were never run: they get "busy" (409,
          // retryable) and their clients send them again.
          for (auto& w : waiters)
            w(verdict::busy, {});
          return;
        }
        auto& e = it->second;
        e.done = true;
        e.stored_ms = unix_ms_now();
        e.response = *response;
        self->state.expiry.emplace(e.stored_ms, key);
        auto batch = std::make_shared<storage::write_batch>();
        batch->put(storage::table::idempotency, key, encode(e));
        self->request(self->state.writer, std::chrono::seconds(30), write_atom::value, batch)
            .then(
                [self, key, done](ok_atom) {
                  done();
                  auto& keys = self->state.keys;
                  if (auto it = keys.find(key); it != keys.end()) {
                    auto waiters = std::move(it->second.waiters);
                    for (auto& w : waiters)
                      w(verdict::replay, replayed(it->second.response));
                  }
                },
                [self, key, done](caf::error&) {
                  // Not durable: answer the first caller, but forget the key so a
                  // retry runs again rather than replaying what was never stored.
                  done();
                  auto& keys = self->state.keys;
                  if (auto it = keys.find(key); it != keys.end()) {
                    for (auto& w : it->second.waiters)
                      w(verdict::busy, {});
                    keys.erase(it);
                  }
                });
      },
      [=](purge_atom) {
        purge(self);
        self->delayed_send(self, std::chrono::seconds(60), purge_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_idempotency_actor(caf::actor_system& sys,
                                   std::shared_ptr<storage::environment> env, caf::actor writer,
                                   idempotency_config config) {
  return sys.spawn(idempotency_actor, std::move(env), std::move(writer), config);
}

void idempotency_begin(const caf::actor& actor, std::string key, std::string fingerprint,
                       net::task_service::idempotency_handler done) {
  caf::anon_send(actor, begin_atom::value, std::move(key), std::move(fingerprint), std::move(done));
}

void idempotency_finish(const caf::actor& actor, std::string key,
                        std::optional<net::http_response> response, std::function<void()> done) {
  caf::anon_send(actor, finish_atom::value, std::move(key), std::move(response), std::move(done));
}

} // namespace nzl::actors
