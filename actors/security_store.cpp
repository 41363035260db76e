// The gateway's state. Model:
//
// - API keys live in table `api_keys` (id -> key_record, the key only as its
//   SHA-256, the signing secret sealed with AES-256-GCM under the node key
//   and the key id). All of them are loaded at start into a cache indexed by
//   digest, read under a shared lock by every io thread. Key changes (create,
//   revoke, rotate) run one at a time on the keeper actor, are committed
//   (waited for), and only then published to the cache and answered. Each
//   publish gives the key set a new version (keys_version(), unique in the
//   process), after which the gateways' per-thread caches of verified keys
//   drop what they hold.
// - Nonces of signed requests: an in-memory window (one mutex) answers at
//   once. It holds 64-bit keyed hashes of (key id, nonce), under a random
//   key kept in table `gateway` (`nonce_hash_key`) so that hashes stay
//   valid across restarts. The fresh hashes of each flush period are written
//   behind by the keeper's next flush (every 100 ms) as one row of table
//   `nonces`: key = big-endian latest expiry + first hash, value = 16 bytes
//   per nonce (big-endian expiry, hash); rows sort by expiry, so the purge
//   finds expired ones first. A crash can lose that last flush, so after a
//   stop that was not clean the node refuses signatures older than its
//   start (`replay_fence_s`): nothing signed before the crash can be
//   replayed. A clean stop writes a marker that lifts the fence. (Rows of
//   the older "<key id>\n<nonce>" -> expiry format are still read and
//   purged.)
// - Rate-limit buckets: 16 shards, each one mutex owning a rate_limiter, so a
//   bucket's check-and-take is atomic and two threads never race on it.
//   Snapshots of changed shards go to table `gateway` every second and at
//   stop; a crash loses at most a second of consumption (the client gains
//   tokens, never loses them).
// - Audit records are appended (write-behind, group commit) to table `audit`
//   under an 8-byte big-endian sequence number: the wall clock in
//   microseconds, bumped by one when two records meet, so numbers grow across
//   restarts and a time range is a key range.
//   Records older than the retention are purged by the keeper.
// - In a cluster (replicate_over), keys and accepted nonces are shared with
//   the other nodes over the peer messages. Key records are merged with a
//   join (security/key_merge.hpp), so nodes agree whatever order records
//   arrive in and however often; a change is pushed once it is durable, and
//   every 2 s the nodes compare per-bucket digests of their key sets and
//   send each other the buckets that differ, which repairs whatever a node
//   missed while it was down or unlinked. Received records are stored and
//   published like local changes, on the keeper. Nonces are pushed every
//   tick (100 ms) and remembered (and stored) by the peers, so a signed
//   request replayed to another node is refused once the push has arrived.
#include "actors/security_store.hpp"

#include "actors/internal/messages.hpp"
#include "cluster/peer_messaging.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "security/key_merge.hpp"
#include "security/key_record.hpp"
#include "security/nonce_window.hpp"
#include "security/signing.hpp"
#include "storage/environment.hpp"
#include "storage/read_txn.hpp"

#include <caf/all.hpp>

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <map>
#include <mutex>
#include <openssl/crypto.h>
#include <set>
#include <shared_mutex>
#include <unordered_map>

namespace nzl::actors {

namespace {

using internal::batch_ptr;
using internal::ok_atom;
using internal::write_atom;
using nlohmann::json;
using admin_atom = caf::atom_constant<caf::atom("admin")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;

constexpr std::size_t shard_count = 16;
constexpr std::string_view clean_stop_key = "clean_stop";
constexpr std::string_view nonce_hash_key_key = "nonce_hash_key";
// One row per flush up to 163,840 signed requests/s: the purge (10,000 rows
// every 10 minutes) keeps up with the rows made.
constexpr std::size_t nonces_per_row = 16'384; // 256 KiB rows
constexpr std::size_t nonce_record_size = 16;
constexpr auto flush_interval = std::chrono::milliseconds(100);
constexpr int ticks_per_snapshot = 10; // 1 s
constexpr int ticks_per_purge = 6'000; // 10 min
constexpr std::size_t purge_batch = 10'000;
constexpr std::size_t max_audit_scan = 200'000;
// Key replication (replicate_over).
constexpr std::string_view records_topic = "keys.records";
constexpr std::string_view digest_topic = "keys.digest";
constexpr std::string_view nonces_topic = "keys.nonces";
constexpr int ticks_per_digest = 20; // 2 s
// Peer messages are at most 128 KiB; a key record is at most ~30 KiB.
constexpr std::size_t replication_chunk_bytes = 96 * 1024;
// Nonces waiting for the next push: beyond this (a burst of over 650,000
// signed requests/s) the push is best effort and drops the rest.
constexpr std::size_t max_outgoing_nonces = 65'536;
constexpr std::size_t max_refusals_logged = 1'024;

// Versions of key sets, unique across every store of the process (tests open
// several): a gateway's credential cache never mistakes one store's set for
// another's.
std::atomic<std::uint64_t> next_keys_version{1};

// True for a peer message of version 1 holding an array `list`. Peer input:
// checked without nlohmann's throwing accessors.
bool peer_message(const json& doc, const char* list) {
  if (!doc.is_object())
    return false;
  auto v = doc.find("v");
  auto l = doc.find(list);
  return v != doc.end() && v->is_number_integer() && v->get<std::int64_t>() == 1 &&
         l != doc.end() && l->is_array();
}

std::string digest_key(const security::key_digest& d) {
  return std::string{reinterpret_cast<const char*>(d.data()), d.size()};
}

std::string seq_key(std::uint64_t seq) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8)
    k[static_cast<std::size_t>(i)] = static_cast<char>(seq & 0xff);
  return k;
}

std::uint64_t seq_of(std::string_view k) {
  std::uint64_t seq = 0;
  for (unsigned char c : k.substr(0, 8))
    seq = (seq << 8) | c;
  return seq;
}

void append_be64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A row of the current nonce format: 16 bytes whose first is 0 (an expiry
// below 2^56). Rows of the older format start with a key id.
bool hashed_nonce_row(std::string_view k) {
  return k.size() == 16 && k[0] == '\0';
}

// The expiry (unix seconds) a nonce row ends at: its key's first 8 bytes,
// or the value of an older row.
std::int64_t nonce_row_expiry(std::string_view k, std::string_view v) {
  if (hashed_nonce_row(k))
    return static_cast<std::int64_t>(seq_of(k));
  std::int64_t expiry = 0;
  std::from_chars(v.data(), v.data() + v.size(), expiry);
  return expiry;
}

unsigned net_scopes(security::scope_set s) {
  unsigned out = 0;
  if (s.has(security::scope::tasks_read))
    out |= net::scope_tasks_read;
  if (s.has(security::scope::tasks_write))
    out |= net::scope_tasks_write;
  if (s.has(security::scope::admin))
    out |= net::scope_admin;
  return out;
}

security::scope_set record_scopes(unsigned s) {
  security::scope_set out;
  if (s & net::scope_tasks_read)
    out.add(security::scope::tasks_read);
  if (s & net::scope_tasks_write)
    out.add(security::scope::tasks_write);
  if (s & net::scope_admin)
    out.add(security::scope::admin);
  return out;
}

// A JSON string, as log::quote writes it; most audit fields need no escape,
// and those are appended as they are, without a temporary.
void append_quoted(std::string& out, std::string_view text) {
  for (unsigned char c : text)
    if (c == '"' || c == '\\' || c < 0x20) {
      out += log::quote(text);
      return;
    }
  out.push_back('"');
  out.append(text);
  out.push_back('"');
}

void append_quoted_or_null(std::string& out, std::string_view text) {
  if (text.empty())
    out += "null";
  else
    append_quoted(out, text);
}

template <class Number> void append_number(std::string& out, Number n) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, ec == std::errc{} ? end : buf);
}

// rfc3339(ms), quoted. Requests of one second share its date and time: each
// thread formats them once per second, then appends only the milliseconds.
void append_time(std::string& out, std::int64_t ms) {
  thread_local std::int64_t cached_s = -1;
  thread_local std::string cached; // "YYYY-MM-DDTHH:MM:SS"
  if (ms < 0) {
    out += log::quote(rfc3339(ms));
    return;
  }
  if (ms / 1000 != cached_s) {
    cached = rfc3339(ms).substr(0, 19);
    cached_s = ms / 1000;
  }
  const auto milli = static_cast<int>(ms % 1000);
  out.push_back('"');
  out += cached;
  out.push_back('.');
  out.push_back(static_cast<char>('0' + milli / 100));
  out.push_back(static_cast<char>('0' + milli / 10 % 10));
  out.push_back(static_cast<char>('0' + milli % 10));
  out += "Z\"";
}

// One audit record as stored (read back by query_audit): built by appends
// into one string, with no format string to parse per request.
std::string audit_text(const net::audit_entry& e) {
  std::string out;
  out.reserve(192 + e.path.size() + e.rule.size());
  out += R"({"time":)";
  append_time(out, e.time_ms);
  out += R"(,"key_id":)";
  append_quoted_or_null(out, e.key_id);
  out += R"(,"client_ip":)";
  append_quoted(out, e.client_ip);
  out += R"(,"country":)";
  append_quoted_or_null(out, e.country);
  out += R"(,"method":)";
  append_quoted(out, e.method);
  out += R"(,"path":)";
  append_quoted(out, e.path);
  out += R"(,"task_type":)";
  append_quoted_or_null(out, e.task_type);
  out += R"(,"status":)";
  append_number(out, e.status);
  out += R"(,"duration_ms":)";
  {
    char buf[64];
    auto [end, ec] =
        std::to_chars(buf, buf + sizeof buf, e.duration_ms, std::chars_format::fixed, 3);
    out.append(buf, ec == std::errc{} ? end : buf);
  }
  out += R"(,"request_id":)";
  append_quoted(out, e.request_id);
  out += R"(,"rule":)";
  append_quoted_or_null(out, e.rule);
  out.push_back('}');
  return out;
}

std::string key_status(const security::key_record& r, std::int64_t now) {
  if (r.revoked_at_ms != 0 && r.revoked_at_ms <= now)
    return "revoked";
  if (r.expires_at_ms != 0 && r.expires_at_ms <= now)
    return "expired";
  return "active";
}

// The contract of the admin API (docs/api.md): RFC 3339 dates, null when
// unset, lists of rules, status.
json public_json(const security::key_record& r, std::int64_t now) {
  auto date = [](std::int64_t ms) {
    return ms == 0 ? json(nullptr) : json(rfc3339(ms));
  };
  json ip_allow = json::array(), ip_deny = json::array();
  for (const auto& c : r.ip.allow)
    ip_allow.push_back(c.to_string());
  for (const auto& c : r.ip.deny)
    ip_deny.push_back(c.to_string());
  return json{{"id", r.id},
              {"name", r.name},
              {"prefix", r.prefix},
              {"scopes", security::format_scopes(r.scopes)},
              {"tier", r.tier},
              {"signature_required", r.signature_required},
              {"ip_allow", ip_allow},
              {"ip_deny", ip_deny},
              {"country_allow", r.country.allow},
              {"country_deny", r.country.deny},
              {"created_at", date(r.created_at_ms)},
              {"expires_at", date(r.expires_at_ms)},
              {"revoked_at", date(r.revoked_at_ms)},
              {"replaced_by", r.replaced_by.empty() ? json(nullptr) : json(r.replaced_by)},
              {"status", key_status(r, now)}};
}

} // namespace

using admin_task = std::shared_ptr<std::function<void(caf::event_based_actor*)>>;

} // namespace nzl::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::admin_task)

namespace nzl::actors {

struct rate_shard {
  explicit rate_shard(std::size_t max) : limiter(max) {}
  std::mutex mutex;
  security::rate_limiter limiter;
  bool dirty = false;
};

struct security_store::impl {
  caf::actor_system* system = nullptr;
  std::shared_ptr<storage::environment> env;
  caf::actor writer;
  caf::actor keeper;
  std::optional<security::node_key> key;
  security_store_options options;

  mutable std::shared_mutex keys_mutex;
  std::unordered_map<std::string, std::shared_ptr<const net::key_entry>> by_digest;
  std::map<std::string, security::key_record> records; // by id; changed by the keeper only
  // Bumped after every change of by_digest (keys_version()).
  std::atomic<std::uint64_t> keys_version{next_keys_version.fetch_add(1)};

  std::mutex nonce_mutex; // guards `nonces` and `fresh_nonces`
  std::unique_ptr<security::nonce_window> nonces;
  std::vector<std::pair<std::int64_t, std::uint64_t>> fresh_nonces; // (expiry, hash) to write

  std::vector<std::unique_ptr<rate_shard>> shards;

  // Key replication: `peers` is set once by replicate_over, before traffic.
  std::atomic<nzl::cluster::peer_messaging*> peers{nullptr};
  std::unordered_map<std::string, std::uint64_t> fingerprints; // by id; under keys_mutex
  security::key_set_digest digest;                             // under keys_mutex
  struct outgoing_nonce {
    std::string key_id;
    std::string nonce;
    std::int64_t expires_at_s = 0;
  };
  std::vector<outgoing_nonce> outgoing_nonces; // under nonce_mutex
  std::set<std::string> refusals_logged;       // keeper only

  std::mutex pending_mutex;
  storage::write_batch pending; // audit records and nonces not yet sent to the writer

  std::atomic<std::uint64_t> audit_seq{0};
  std::int64_t fence_s = 0;
  std::atomic<bool> closed{false};

  result<std::shared_ptr<const net::key_entry>> entry_of(const security::key_record& r) const;
  void publish(const security::key_record& r, std::shared_ptr<const net::key_entry> entry);
  /// Puts `r` into the digest under its fingerprint `fp`. keys_mutex held.
  void track(const security::key_record& r, std::uint64_t fp);
  /// Sends `rs` to `node`, or to every peer when `node` is empty.
  void send_records(const std::vector<security::key_record>& rs, const std::string& node);
  /// A local change, durable now: the nonces accepted before it, then `rs`.
  void push_change(const std::vector<security::key_record>& rs);
  void push_nonces();
  void push_digest();
  // The handlers of the topics: records and digests run on the keeper,
  // nonces on the link thread.
  void answer_digest(const std::string& from, std::string_view payload);
  void apply_records(caf::event_based_actor* self, const std::string& from,
                     std::string_view payload);
  void apply_nonces(std::string_view payload);
  void refuse_replica(const std::string& from, const std::string& id, const std::string& why);
  storage::write_batch take_pending();
  /// Adds the nonces remembered since the last call to `batch`.
  void write_nonces(storage::write_batch& batch);
  void snapshot_rates(storage::write_batch& batch, bool all);
  void purge(storage::write_batch& batch);
  void run_admin(std::function<void(caf::event_based_actor*)> fn);
  /// Commits `batch` and calls `then` (on the keeper) once it is durable.
  void commit_then(caf::event_based_actor* self, storage::write_batch batch,
                   std::function<void(result<bool>)> then);
};

result<std::shared_ptr<const net::key_entry>>
security_store::impl::entry_of(const security::key_record& r) const {
  // The signing secret is in clear only here: wiped when the last request
  // holding the entry lets it go (after a revoke or rotation replaced it).
  std::shared_ptr<net::key_entry> e{new net::key_entry, [](net::key_entry* p) {
                                      OPENSSL_cleanse(p->signing_secret.data(),
                                                      p->signing_secret.size());
                                      delete p;
                                    }};
  e->id = r.id;
  e->name = r.name;
  e->digest = r.key_hash;
  e->scopes = net_scopes(r.scopes);
  e->tier = r.tier;
  e->ip = r.ip;
  e->country = r.country;
  e->signature_required = r.signature_required;
  e->expires_at_ms = r.expires_at_ms;
  e->revoked_at_ms = r.revoked_at_ms;
  // A revoked key is refused before its signature is checked: its entry
  // needs no secret.
  const bool revoked = r.revoked_at_ms != 0 && r.revoked_at_ms <= unix_ms_now();
  if (!r.signing_secret_sealed.empty() && !revoked) {
    auto secret = security::open(*key, r.signing_secret_sealed, r.id);
    if (!secret)
      return fail(errc::storage_failed,
                  "the signing secret of key " + r.id +
                      " does not open with this node key (wrong NZL_NODE_KEY or key file?)");
    e->signing_secret = std::move(*secret);
  }
  return std::shared_ptr<const net::key_entry>{std::move(e)};
}

void security_store::impl::publish(const security::key_record& r,
                                   std::shared_ptr<const net::key_entry> entry) {
  const auto fp = security::key_fingerprint(r);
  {
    std::unique_lock guard{keys_mutex};
    records[r.id] = r;
    by_digest[digest_key(r.key_hash)] = std::move(entry);
    track(r, fp);
  }
  // After the map: a reader that sees the new version finds the new entry
  // (release/acquire); one that read the old version before the change may
  // cache the new entry under it, which the next request's version check
  // discards.
  keys_version.store(next_keys_version.fetch_add(1), std::memory_order_release);
}

void security_store::impl::track(const security::key_record& r, std::uint64_t fp) {
  auto& slot = fingerprints[r.id];
  digest.replace(r.id, slot, fp);
  slot = fp;
}

void security_store::impl::send_records(const std::vector<security::key_record>& rs,
                                        const std::string& node) {
  auto* p = peers.load(std::memory_order_acquire);
  if (p == nullptr || rs.empty())
    return;
  auto send = [&](std::string payload) {
    payload += "]}";
    (void)(node.empty() ? p->broadcast(records_topic, std::move(payload))
                        : p->send(node, records_topic, std::move(payload)));
  };
  std::string chunk;
  for (const auto& r : rs) {
    auto text = r.to_storage_json().dump();
    if (!chunk.empty() && chunk.size() + text.size() + 2 > replication_chunk_bytes) {
      send(std::move(chunk));
      chunk.clear();
    }
    chunk += chunk.empty() ? R"({"v":1,"keys":[)" : ",";
    chunk += text;
  }
  if (!chunk.empty())
    send(std::move(chunk));
}

void security_store::impl::push_change(const std::vector<security::key_record>& rs) {
  if (peers.load(std::memory_order_acquire) == nullptr)
    return;
  // Messages between two nodes keep their order: a peer that has this change
  // has every nonce accepted before it, too.
  push_nonces();
  send_records(rs, {});
}

void security_store::impl::push_nonces() {
  auto* p = peers.load(std::memory_order_acquire);
  if (p == nullptr)
    return;
  std::vector<outgoing_nonce> out;
  {
    std::lock_guard guard{nonce_mutex};
    out.swap(outgoing_nonces);
  }
  std::string chunk;
  for (const auto& n : out) {
    if (chunk.size() > replication_chunk_bytes) {
      chunk += "]}";
      (void)p->broadcast(nonces_topic, std::move(chunk));
      chunk.clear();
    }
    chunk += chunk.empty() ? R"({"v":1,"nonces":[)" : ",";
    // Key ids and nonces are checked URL-safe text: nothing to escape.
    chunk += fmt::format(R"(["{}","{}",{}])", n.key_id, n.nonce, n.expires_at_s);
  }
  if (!chunk.empty()) {
    chunk += "]}";
    (void)p->broadcast(nonces_topic, std::move(chunk));
  }
}

void security_store::impl::push_digest() {
  auto* p = peers.load(std::memory_order_acquire);
  if (p == nullptr)
    return;
  json buckets = json::array();
  {
    std::shared_lock guard{keys_mutex};
    for (auto b : digest.buckets())
      buckets.push_back(fmt::format("{:016x}", b));
  }
  (void)p->broadcast(digest_topic, json{{"v", 1}, {"buckets", std::move(buckets)}}.dump());
}

void security_store::impl::answer_digest(const std::string& from, std::string_view payload) {
  auto doc = json::parse(payload, nullptr, false);
  if (!peer_message(doc, "buckets") || doc["buckets"].size() != security::key_buckets)
    return refuse_replica(from, "", "a key digest that is not version 1 with 64 buckets");
  std::array<bool, security::key_buckets> differs{};
  bool any = false;
  std::vector<security::key_record> out;
  {
    std::shared_lock guard{keys_mutex};
    for (std::size_t i = 0; i < security::key_buckets; ++i) {
      const auto& b = doc["buckets"][i];
      differs[i] =
          !b.is_string() || b.get<std::string>() != fmt::format("{:016x}", digest.buckets()[i]);
      any = any || differs[i];
    }
    if (!any)
      return;
    for (const auto& [id, r] : records)
      if (differs[security::key_bucket(id)])
        out.push_back(r);
  }
  // The peer sends its side of these buckets when our digest reaches it.
  send_records(out, from);
}

void security_store::impl::refuse_replica(const std::string& from, const std::string& id,
                                          const std::string& why) {
  // Digests repeat every 2 s: each refusal is logged once.
  if (refusals_logged.size() >= max_refusals_logged || !refusals_logged.insert(id + why).second)
    return;
  log::emit(log::level::warn, "key_replica_refused", R"("from":{},"key_id":{},"reason":{})",
            log::quote(from), log::quote(id), log::quote(why));
}

void security_store::impl::apply_records(caf::event_based_actor* self, const std::string& from,
                                         std::string_view payload) {
  auto doc = json::parse(payload, nullptr, false);
  if (!peer_message(doc, "keys"))
    return refuse_replica(from, "", "a key message that is not version 1 with a list of keys");
  // Folded by id first: one message may carry a key twice.
  std::map<std::string, security::key_record> incoming;
  for (const auto& item : doc["keys"]) {
    auto r = security::key_record::from_storage_json(item);
    if (!r) {
      const bool named = item.is_object() && item.contains("id") && item["id"].is_string();
      refuse_replica(from, named ? item["id"].get<std::string>() : "", r.err().detail);
      continue;
    }
    auto [it, fresh] = incoming.try_emplace(r->id, *r);
    if (!fresh && it->second.key_hash != r->key_hash)
      refuse_replica(from, r->id, "two different keys under one id");
    else if (!fresh)
      it->second = security::merge_key_records(it->second, *r);
  }
  std::vector<std::pair<security::key_record, std::shared_ptr<const net::key_entry>>> changed;
  storage::write_batch batch;
  std::size_t added = 0;
  for (auto& [id, r] : incoming) {
    security::key_record merged;
    {
      std::shared_lock guard{keys_mutex};
      if (auto it = records.find(id); it != records.end()) {
        // A record never changes its key: a peer that says otherwise is
        // refused (merging would leave the old key's entry usable).
        if (it->second.key_hash != r.key_hash) {
          refuse_replica(from, id, "a different key under a known id");
          continue;
        }
        merged = security::merge_key_records(it->second, r);
        if (merged.to_storage_json() == it->second.to_storage_json())
          continue;
      } else if (auto same = by_digest.find(digest_key(r.key_hash)); same != by_digest.end()) {
        // The same key under another id: a bootstrap key stored under a
        // random id by an older version, on each node its own. Each keeps
        // its id, but a revocation or expiry reaches every copy.
        auto local = records.find(same->second->id);
        if (local == records.end())
          continue;
        merged = security::join_changes(local->second, r);
        if (merged.to_storage_json() == local->second.to_storage_json())
          continue;
      } else {
        if (records.size() + added >= options.max_keys) {
          refuse_replica(from, id, "this node holds the most keys it may");
          continue;
        }
        ++added;
        merged = r;
      }
    }
    auto entry = entry_of(merged);
    if (!entry) {
      refuse_replica(from, id, entry.err().detail);
      continue;
    }
    batch.put(storage::table::api_keys, merged.id, merged.to_storage_json().dump());
    changed.emplace_back(std::move(merged), std::move(*entry));
  }
  if (changed.empty())
    return;
  commit_then(
      self, std::move(batch), [this, from, changed = std::move(changed)](result<bool> ok) mutable {
        if (!ok) {
          log::emit(log::level::error, "key_replica_store_failed", R"("from":{},"error":{})",
                    log::quote(from), log::quote(ok.err().detail));
          return;
        }
        for (auto& [r, entry] : changed)
          publish(r, std::move(entry));
        log::emit(log::level::info, "keys_replicated", R"("from":{},"keys":{})", log::quote(from),
                  changed.size());
      });
}

void security_store::impl::apply_nonces(std::string_view payload) {
  auto doc = json::parse(payload, nullptr, false);
  if (!peer_message(doc, "nonces"))
    return;
  const auto now_s = unix_ms_now() / 1000;
  for (const auto& n : doc["nonces"]) {
    if (!n.is_array() || n.size() != 3 || !n[0].is_string() || !n[1].is_string() ||
        !n[2].is_number_integer())
      continue;
    const auto& key_id = n[0].get_ref<const std::string&>();
    const auto& nonce = n[1].get_ref<const std::string&>();
    const auto expires = n[2].get<std::int64_t>();
    // Only what this node's own check could have accepted.
    if (!security::valid_key_id(key_id) || !security::valid_nonce(nonce) || expires < now_s ||
        expires > now_s + 2 * options.signature_window_s + 60)
      continue;
    const auto hash = nonces->hash(key_id, nonce);
    std::lock_guard guard{nonce_mutex};
    if (nonces->remember_hash(hash, expires, now_s) == security::nonce_window::outcome::fresh)
      fresh_nonces.emplace_back(expires, hash); // stored here too: a restart keeps it
  }
}

storage::write_batch security_store::impl::take_pending() {
  storage::write_batch out;
  {
    std::lock_guard guard{pending_mutex};
    std::swap(out, pending);
  }
  write_nonces(out);
  return out;
}

void security_store::impl::write_nonces(storage::write_batch& batch) {
  std::vector<std::pair<std::int64_t, std::uint64_t>> fresh;
  {
    std::lock_guard guard{nonce_mutex};
    fresh.swap(fresh_nonces);
  }
  for (std::size_t first = 0; first < fresh.size(); first += nonces_per_row) {
    const auto last = std::min(fresh.size(), first + nonces_per_row);
    std::int64_t latest = 0;
    std::string value;
    value.reserve((last - first) * nonce_record_size);
    for (std::size_t i = first; i < last; ++i) {
      latest = std::max(latest, fresh[i].first);
      append_be64(value, static_cast<std::uint64_t>(fresh[i].first));
      append_be64(value, fresh[i].second);
    }
    std::string key;
    key.reserve(16);
    append_be64(key, static_cast<std::uint64_t>(latest));
    append_be64(key, fresh[first].second);
    batch.put(storage::table::nonces, key, value);
  }
}

void security_store::impl::snapshot_rates(storage::write_batch& batch, bool all) {
  const auto now = unix_ms_now();
  for (std::size_t i = 0; i < shards.size(); ++i) {
    auto& s = *shards[i];
    std::lock_guard guard{s.mutex};
    if (!s.dirty && !all)
      continue;
    s.dirty = false;
    batch.put(storage::table::gateway, fmt::format("rate:{:02}", i),
              s.limiter.snapshot(now).dump());
  }
}

void security_store::impl::purge(storage::write_batch& batch) {
  auto txn = env->begin_read();
  if (!txn)
    return;
  const auto now_s = unix_ms_now() / 1000;
  std::size_t n = 0;
  // A row goes once its latest nonce has expired. Current rows sort by that
  // expiry, so the expired ones are a prefix of the table.
  (void)txn->scan(storage::table::nonces, "", [&](std::string_view k, std::string_view v) {
    if (!hashed_nonce_row(k) || nonce_row_expiry(k, v) >= now_s)
      return false;
    batch.erase(storage::table::nonces, k);
    return ++n < purge_batch;
  });
  // Rows of the older format ("<key id>\n<nonce>") sort after all of them.
  n = 0;
  (void)txn->scan_from(storage::table::nonces, "", std::string_view{"\x01", 1},
                       [&](std::string_view k, std::string_view v) {
                         if (!hashed_nonce_row(k) && nonce_row_expiry(k, v) < now_s)
                           batch.erase(storage::table::nonces, k);
                         return ++n < purge_batch;
                       });
  const auto cutoff_us =
      static_cast<std::uint64_t>(unix_ms_now() - options.audit_retention_days * 86'400'000LL) *
      1000;
  n = 0;
  (void)txn->scan(storage::table::audit, "", [&](std::string_view k, std::string_view) {
    if (seq_of(k) >= cutoff_us)
      return false;
    batch.erase(storage::table::audit, k);
    return ++n < purge_batch;
  });
}

void security_store::impl::commit_then(caf::event_based_actor* self, storage::write_batch batch,
                                       std::function<void(result<bool>)> then) {
  self->request(writer, caf::infinite, write_atom::value,
                std::make_shared<storage::write_batch>(std::move(batch)))
      .await([then](ok_atom) { then(true); },
             [then](caf::error& e) {
               then(fail(errc::storage_failed,
                         "the key store could not be written: " + caf::to_string(e)));
             });
}

void security_store::impl::run_admin(std::function<void(caf::event_based_actor*)> fn) {
  caf::anon_send(keeper, admin_atom::value,
                 std::make_shared<std::function<void(caf::event_based_actor*)>>(std::move(fn)));
}

namespace {

// The keeper: flushes write-behind state, snapshots buckets, purges old
// rows, and runs key changes one at a time.
caf::behavior keeper(caf::event_based_actor* self, security_store::impl* d) {
  self->delayed_send(self, flush_interval, tick_atom::value, 1);
  return {
      [=](tick_atom, int n) {
        d->push_nonces();
        if (n % ticks_per_digest == 0)
          d->push_digest();
        auto batch = d->take_pending();
        if (n % ticks_per_snapshot == 0)
          d->snapshot_rates(batch, false);
        if (n % ticks_per_purge == 0)
          d->purge(batch);
        if (!batch.empty())
          self->send(d->writer, write_atom::value,
                     std::make_shared<storage::write_batch>(std::move(batch)));
        self->delayed_send(self, flush_interval, tick_atom::value, n + 1);
      },
      [=](admin_atom, const admin_task& task) { (*task)(self); },
      [](ok_atom) {},
      [](caf::error& e) {
        log::emit(log::level::error, "security_write_failed", R"("error":{})",
                  log::quote(caf::to_string(e)));
      },
  };
}

} // namespace

security_store::security_store(std::unique_ptr<impl> d) : impl_(std::move(d)) {}

security_store::~security_store() {
  close();
}

result<std::unique_ptr<security_store>>
security_store::open(caf::actor_system& system, std::shared_ptr<storage::environment> env,
                     caf::actor writer, security::node_key key, security_store_options options) {
  auto d = std::make_unique<impl>();
  d->system = &system;
  d->env = std::move(env);
  d->writer = std::move(writer);
  d->key.emplace(std::move(key));
  d->options = options;
  for (std::size_t i = 0; i < shard_count; ++i)
    d->shards.push_back(std::make_unique<rate_shard>(options.max_rate_buckets / shard_count + 1));

  const auto now_s = unix_ms_now() / 1000;
  bool clean_stop = false;
  std::size_t live_nonces = 0;
  {
    auto txn = d->env->begin_read();
    if (!txn)
      return std::move(txn).err();
    std::optional<error> damage;
    auto keys = txn->scan(storage::table::api_keys, "", [&](std::string_view, std::string_view v) {
      auto doc = json::parse(v, nullptr, false);
      auto record = doc.is_discarded()
                        ? result<security::key_record>{fail(errc::storage_failed, "not JSON")}
                        : security::key_record::from_storage_json(doc);
      if (!record) {
        damage = error{
            errc::storage_failed, "a stored API key is unreadable: " + record.err().detail, {}};
        return false;
      }
      auto entry = d->entry_of(*record);
      if (!entry) {
        damage = entry.err();
        return false;
      }
      d->records[record->id] = *record;
      d->by_digest[digest_key(record->key_hash)] = std::move(*entry);
      d->track(*record, security::key_fingerprint(*record));
      return true;
    });
    if (!keys)
      return std::move(keys).err();
    if (damage)
      return *damage;

    // The hash key of the nonce window: stored at the first start, so the
    // hashes in `nonces` stay valid.
    security::nonce_hash_key hash_key{};
    auto stored_key = txn->get(storage::table::gateway, nonce_hash_key_key);
    if (stored_key && *stored_key && (*stored_key)->size() == hash_key.size()) {
      std::memcpy(hash_key.data(), (*stored_key)->data(), hash_key.size());
    } else {
      auto fresh_key = security::generate_nonce_hash_key();
      if (!fresh_key)
        return fail(errc::internal, "the random number generator failed");
      hash_key = *fresh_key;
      std::lock_guard guard{d->pending_mutex};
      d->pending.put(storage::table::gateway, nonce_hash_key_key,
                     std::string{reinterpret_cast<const char*>(hash_key.data()), hash_key.size()});
    }
    d->nonces = std::make_unique<security::nonce_window>(options.max_nonces, hash_key);
    auto restore = [&](std::uint64_t hash, std::int64_t expiry) {
      if (expiry >= now_s &&
          d->nonces->remember_hash(hash, expiry, now_s) == security::nonce_window::outcome::fresh)
        ++live_nonces;
    };
    (void)txn->scan(storage::table::nonces, "", [&](std::string_view k, std::string_view v) {
      if (hashed_nonce_row(k)) {
        if (nonce_row_expiry(k, v) < now_s)
          return true;
        for (std::size_t at = 0; at + nonce_record_size <= v.size(); at += nonce_record_size)
          restore(seq_of(v.substr(at + 8, 8)), static_cast<std::int64_t>(seq_of(v.substr(at, 8))));
      } else if (auto nl = k.find('\n'); nl != std::string_view::npos) {
        restore(d->nonces->hash(k.substr(0, nl), k.substr(nl + 1)), nonce_row_expiry(k, v));
      }
      return true;
    });
    for (std::size_t i = 0; i < shard_count; ++i) {
      auto v = txn->get(storage::table::gateway, fmt::format("rate:{:02}", i));
      if (v && *v) {
        auto doc = json::parse(**v, nullptr, false);
        if (!doc.is_discarded())
          (void)d->shards[i]->limiter.restore(doc);
      }
    }
    auto clean = txn->get(storage::table::gateway, clean_stop_key);
    clean_stop = clean && *clean;
    // After a stop that was not clean, the last nonces may not have reached
    // the disk. A node without keys (a first start) has nothing to protect.
    if (!clean_stop && !d->records.empty())
      d->fence_s = now_s;
  } // the snapshot ends before anything writes
  if (clean_stop) {
    std::lock_guard guard{d->pending_mutex};
    d->pending.erase(storage::table::gateway, clean_stop_key);
  }
  d->audit_seq = static_cast<std::uint64_t>(unix_ms_now()) * 1000;
  auto* raw = d.get();
  d->keeper = system.spawn(keeper, raw);
  log::emit(log::level::info, "security_loaded", R"("keys":{},"nonces":{},"replay_fence":{})",
            d->records.size(), live_nonces, d->fence_s);
  return std::unique_ptr<security_store>{new security_store(std::move(d))};
}

void security_store::close() {
  auto& d = *impl_;
  if (d.closed.exchange(true))
    return;
  auto batch = d.take_pending();
  d.snapshot_rates(batch, true);
  batch.put(storage::table::gateway, clean_stop_key, std::to_string(unix_ms_now()));
  caf::anon_send_exit(d.keeper, caf::exit_reason::user_shutdown);
  caf::scoped_actor self{*d.system};
  self->wait_for(d.keeper); // it holds a pointer to us
  self->request(d.writer, std::chrono::seconds(10), write_atom::value,
                std::make_shared<storage::write_batch>(std::move(batch)))
      .receive([](ok_atom) {},
               [](caf::error& e) {
                 log::emit(log::level::error, "security_close_failed", R"("error":{})",
                           log::quote(caf::to_string(e)));
               });
}

result<bool> security_store::ensure_admin_key(std::string_view key, std::string_view name,
                                              std::string_view signing_secret) {
  auto& d = *impl_;
  if (key.size() < 20 || key.size() > security::max_credential_length)
    return fail(errc::invalid_field, "the bootstrap admin key must be 20-128 characters");
  if (!signing_secret.empty() &&
      (signing_secret.size() < 32 || signing_secret.size() > security::max_credential_length))
    return fail(errc::invalid_field,
                "the bootstrap admin signing secret must be 32-128 characters");
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return fail(errc::invalid_field, "the bootstrap admin key may hold only [A-Za-z0-9_-]");
  auto digest = security::hash_key(key);
  if (find_key(digest))
    return false;
  security::key_record r;
  // Derived from the key: every node given this bootstrap key names it alike,
  // so key replication sees one key.
  r.id = security::bootstrap_key_id(digest);
  r.name = std::string{name};
  r.prefix = std::string{key.substr(0, security::shown_prefix_length)};
  r.key_hash = digest;
  r.scopes.add(security::scope::admin);
  r.scopes.add(security::scope::tasks_read);
  r.scopes.add(security::scope::tasks_write);
  r.tier = "default";
  r.created_at_ms = unix_ms_now();
  if (!signing_secret.empty()) {
    auto sealed = security::seal(*d.key, signing_secret, r.id);
    if (!sealed)
      return std::move(sealed).err();
    r.signing_secret_sealed = std::move(*sealed);
  }
  auto entry = d.entry_of(r);
  if (!entry)
    return std::move(entry).err();
  storage::write_batch batch;
  batch.put(storage::table::api_keys, r.id, r.to_storage_json().dump());
  caf::scoped_actor self{*d.system};
  std::optional<error> failed;
  self->request(d.writer, std::chrono::seconds(10), write_atom::value,
                std::make_shared<storage::write_batch>(std::move(batch)))
      .receive([](ok_atom) {},
               [&](caf::error& e) {
                 failed = error{errc::storage_failed, caf::to_string(e), {}};
               });
  if (failed)
    return *failed;
  d.publish(r, std::move(*entry));
  log::emit(log::level::info, "admin_key_bootstrapped", R"("key_id":{},"prefix":{})",
            log::quote(r.id), log::quote(r.prefix));
  return true;
}

void security_store::replicate_over(nzl::cluster::peer_messaging& peers) {
  auto* d = impl_.get();
  // Handlers run on the cluster's link thread: each hands its payload to the
  // keeper, which owns key changes.
  peers.on_message(
      std::string{records_topic}, [d](std::string_view from, std::string_view payload) {
        d->run_admin([d, from = std::string{from}, payload = std::string{payload}](
                         caf::event_based_actor* self) { d->apply_records(self, from, payload); });
      });
  peers.on_message(std::string{digest_topic}, [d](std::string_view from, std::string_view payload) {
    d->run_admin([d, from = std::string{from}, payload = std::string{payload}](
                     caf::event_based_actor*) { d->answer_digest(from, payload); });
  });
  // Nonces are remembered at once, on the link thread (a hash and one
  // mutex): through the keeper they would wait behind its commits.
  peers.on_message(std::string{nonces_topic},
                   [d](std::string_view, std::string_view payload) { d->apply_nonces(payload); });
  d->peers.store(&peers, std::memory_order_release);
}

std::shared_ptr<const net::key_entry>
security_store::find_key(const security::key_digest& digest) const {
  auto& d = *impl_;
  std::shared_lock guard{d.keys_mutex};
  auto it = d.by_digest.find(digest_key(digest));
  return it == d.by_digest.end() ? nullptr : it->second;
}

std::uint64_t security_store::keys_version() const noexcept {
  return impl_->keys_version.load(std::memory_order_acquire);
}

net::security_service::nonce_verdict security_store::remember_nonce(std::string_view key_id,
                                                                    std::string_view nonce,
                                                                    std::int64_t expires_at_s) {
  auto& d = *impl_;
  const auto now_s = unix_ms_now() / 1000;
  // The hash key never changes after open: hash outside the lock.
  const auto hash = d.nonces->hash(key_id, nonce);
  std::lock_guard guard{d.nonce_mutex};
  switch (d.nonces->remember_hash(hash, expires_at_s, now_s)) {
  case security::nonce_window::outcome::replay:
    return nonce_verdict::replay;
  case security::nonce_window::outcome::full:
    return nonce_verdict::full;
  case security::nonce_window::outcome::fresh:
    break;
  }
  d.fresh_nonces.emplace_back(expires_at_s, hash);
  if (d.peers.load(std::memory_order_relaxed) != nullptr &&
      d.outgoing_nonces.size() < max_outgoing_nonces)
    d.outgoing_nonces.push_back({std::string{key_id}, std::string{nonce}, expires_at_s});
  return nonce_verdict::fresh;
}

std::int64_t security_store::replay_fence_s() const noexcept {
  return impl_->fence_s;
}

security::take_result security_store::take_tokens(std::string_view bucket,
                                                  const security::rate_tier& tier, std::int64_t n) {
  auto& shard = *impl_->shards[std::hash<std::string_view>{}(bucket) % shard_count];
  std::lock_guard guard{shard.mutex};
  shard.dirty = true;
  return shard.limiter.take(bucket, tier, n, unix_ms_now());
}

void security_store::audit(net::audit_entry entry) {
  auto& d = *impl_;
  auto text = audit_text(entry);
  // The sequence number follows the wall clock in microseconds (and grows by
  // at least one), so a time range is a key range and restarts continue it.
  const auto now_us = static_cast<std::uint64_t>(unix_ms_now()) * 1000;
  auto seq = d.audit_seq.load(std::memory_order_relaxed);
  std::uint64_t next;
  do
    next = std::max(seq + 1, now_us);
  while (!d.audit_seq.compare_exchange_weak(seq, next, std::memory_order_relaxed));
  auto key = seq_key(next);
  std::lock_guard guard{d.pending_mutex};
  d.pending.put(storage::table::audit, key, text);
}

void security_store::create_key(net::key_spec spec, json_handler done) {
  auto* d = impl_.get();
  d->run_admin([d, spec = std::move(spec), done = std::move(done)](caf::event_based_actor* self) {
    if (d->records.size() >= d->options.max_keys)
      return done(fail(errc::conflict, "this node holds the most keys it may"));
    auto generated = security::generate_key();
    auto secret = security::generate_signing_secret();
    if (!generated || !secret)
      return done(fail(errc::internal, "the random number generator failed"));
    security::key_record r;
    r.id = generated->id;
    r.name = spec.name;
    r.prefix = generated->prefix;
    r.key_hash = security::hash_key(generated->key);
    r.scopes = record_scopes(spec.scopes);
    r.tier = spec.tier;
    r.ip.allow = security::parse_cidrs(spec.ip_allow).value();
    r.ip.deny = security::parse_cidrs(spec.ip_deny).value();
    r.country.allow = spec.country_allow;
    r.country.deny = spec.country_deny;
    r.signature_required = spec.signature_required;
    r.created_at_ms = unix_ms_now();
    if (spec.expires_in_s > 0)
      r.expires_at_ms = r.created_at_ms + spec.expires_in_s * 1000;
    auto sealed = security::seal(*d->key, *secret, r.id);
    if (!sealed)
      return done(std::move(sealed).err());
    r.signing_secret_sealed = std::move(*sealed);
    auto entry = d->entry_of(r);
    if (!entry)
      return done(std::move(entry).err());
    storage::write_batch batch;
    batch.put(storage::table::api_keys, r.id, r.to_storage_json().dump());
    d->commit_then(self, std::move(batch),
                   [d, r, entry = std::move(*entry), key = generated->key, secret = *secret,
                    done](result<bool> ok) mutable {
                     if (!ok)
                       return done(std::move(ok).err());
                     d->publish(r, std::move(entry));
                     d->push_change({r});
                     auto out = public_json(r, unix_ms_now());
                     out["key"] = std::move(key);
                     out["signing_secret"] = std::move(secret);
                     log::emit(log::level::info, "key_created", R"("key_id":{},"name":{})",
                               log::quote(r.id), log::quote(r.name));
                     done(std::move(out));
                   });
  });
}

void security_store::list_keys(json_handler done) {
  auto& d = *impl_;
  json keys = json::array();
  {
    std::shared_lock guard{d.keys_mutex};
    const auto now = unix_ms_now();
    for (const auto& [id, r] : d.records)
      keys.push_back(public_json(r, now));
  }
  done(json{{"keys", std::move(keys)}});
}

void security_store::revoke_key(std::string id, json_handler done) {
  auto* d = impl_.get();
  d->run_admin([d, id = std::move(id), done = std::move(done)](caf::event_based_actor* self) {
    security::key_record r;
    {
      std::shared_lock guard{d->keys_mutex};
      auto it = d->records.find(id);
      if (it == d->records.end())
        return done(fail(errc::not_found, "no key " + id, {{"id", id}}));
      r = it->second;
    }
    const auto now = unix_ms_now();
    if (r.revoked_at_ms != 0 && r.revoked_at_ms <= now)
      return done(public_json(r, now));
    r.revoked_at_ms = now;
    auto entry = d->entry_of(r);
    if (!entry)
      return done(std::move(entry).err());
    storage::write_batch batch;
    batch.put(storage::table::api_keys, r.id, r.to_storage_json().dump());
    d->commit_then(self, std::move(batch),
                   [d, r, entry = std::move(*entry), done](result<bool> ok) mutable {
                     if (!ok)
                       return done(std::move(ok).err());
                     d->publish(r, std::move(entry));
                     d->push_change({r});
                     log::emit(log::level::info, "key_revoked", R"("key_id":{})", log::quote(r.id));
                     done(public_json(r, unix_ms_now()));
                   });
  });
}

void security_store::rotate_key(std::string id, std::int64_t grace_s, json_handler done) {
  auto* d = impl_.get();
  d->run_admin([d, id = std::move(id), grace_s,
                done = std::move(done)](caf::event_based_actor* self) {
    security::key_record old;
    {
      std::shared_lock guard{d->keys_mutex};
      auto it = d->records.find(id);
      if (it == d->records.end())
        return done(fail(errc::not_found, "no key " + id, {{"id", id}}));
      old = it->second;
    }
    const auto now = unix_ms_now();
    // A key in its grace period is still usable, but rotating it again would
    // fork its line of successors.
    if (!old.replaced_by.empty())
      return done(
          fail(errc::conflict,
               "key " + id + " was already rotated; rotate its successor " + old.replaced_by,
               {{"id", id}, {"replaced_by", old.replaced_by}}));
    if (!old.usable_at(now))
      return done(
          fail(errc::conflict,
               "key " + id + " is " + key_status(old, now) + "; only an active key can be rotated",
               {{"id", id}}));
    auto generated = security::generate_key();
    auto secret = security::generate_signing_secret();
    if (!generated || !secret)
      return done(fail(errc::internal, "the random number generator failed"));
    security::key_record fresh = old;
    fresh.id = generated->id;
    fresh.prefix = generated->prefix;
    fresh.key_hash = security::hash_key(generated->key);
    fresh.created_at_ms = now;
    fresh.revoked_at_ms = 0;
    fresh.replaced_by.clear();
    auto sealed = security::seal(*d->key, *secret, fresh.id);
    if (!sealed)
      return done(std::move(sealed).err());
    fresh.signing_secret_sealed = std::move(*sealed);
    // The old key keeps working for the grace period, then expires.
    const auto until = now + grace_s * 1000;
    if (old.expires_at_ms == 0 || old.expires_at_ms > until)
      old.expires_at_ms = until;
    if (grace_s == 0)
      old.revoked_at_ms = now;
    old.replaced_by = fresh.id;
    auto fresh_entry = d->entry_of(fresh);
    auto old_entry = d->entry_of(old);
    if (!fresh_entry || !old_entry)
      return done(fail(errc::internal, "a rotated key could not be prepared"));
    storage::write_batch batch;
    batch.put(storage::table::api_keys, fresh.id, fresh.to_storage_json().dump());
    batch.put(storage::table::api_keys, old.id, old.to_storage_json().dump());
    d->commit_then(self, std::move(batch),
                   [d, fresh, old, fe = std::move(*fresh_entry), oe = std::move(*old_entry),
                    key = generated->key, secret = *secret, done](result<bool> ok) mutable {
                     if (!ok)
                       return done(std::move(ok).err());
                     d->publish(fresh, std::move(fe));
                     d->publish(old, std::move(oe));
                     d->push_change({fresh, old});
                     const auto t = unix_ms_now();
                     auto created = public_json(fresh, t);
                     created["key"] = std::move(key);
                     created["signing_secret"] = std::move(secret);
                     log::emit(log::level::info, "key_rotated", R"("key_id":{},"new_key_id":{})",
                               log::quote(old.id), log::quote(fresh.id));
                     done(json{{"key", std::move(created)}, {"previous", public_json(old, t)}});
                   });
  });
}

void security_store::query_audit(net::audit_query q, json_handler done) {
  auto& d = *impl_;
  auto txn = d.env->begin_read();
  if (!txn)
    return done(fail(errc::storage_failed, txn.err().detail));
  json records = json::array();
  std::uint64_t last = q.after;
  std::size_t examined = 0;
  // Sequence numbers start at microseconds of wall time, so `since` can seek.
  std::uint64_t from = q.after + 1;
  if (q.since_ms > 0)
    from = std::max(from, static_cast<std::uint64_t>(q.since_ms - 60'000) * 1000);
  auto scanned = txn->scan_from(storage::table::audit, "", seq_key(from),
                                [&](std::string_view k, std::string_view v) {
                                  last = seq_of(k);
                                  if (++examined > max_audit_scan)
                                    return false;
                                  auto doc = json::parse(v, nullptr, false);
                                  if (doc.is_discarded())
                                    return true;
                                  auto time = parse_rfc3339(doc.value("time", ""));
                                  if (q.since_ms > 0 && time && *time < q.since_ms)
                                    return true;
                                  if (q.until_ms > 0 && time && *time > q.until_ms)
                                    return false;
                                  if (!q.key_id.empty() && doc.value("key_id", json()) != q.key_id)
                                    return true;
                                  if (q.status != 0 && doc.value("status", 0) != q.status)
                                    return true;
                                  doc["seq"] = seq_of(k);
                                  records.push_back(std::move(doc));
                                  return records.size() < q.limit;
                                });
  if (!scanned)
    return done(fail(errc::storage_failed, scanned.err().detail));
  done(json{{"records", std::move(records)}, {"next", std::to_string(last)}});
}

} // namespace nzl::actors
