#include "net/ws/hub.hpp"

#include "core/ids.hpp"
#include "net/api.hpp"
#include "net/gateway.hpp"
#include "net/router.hpp"
#include "net/security_service.hpp"
#include "net/ws/session.hpp"
#include "security/api_key.hpp"

#include <algorithm>
#include <openssl/rand.h>
#include <vector>

namespace nzl::net::ws {

namespace {

// The value of `name` in the query of `target` (no decoding: tokens are hex).
std::string_view query_param(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos)
    return {};
  auto query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=')
      return pair.substr(name.size() + 1);
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

std::string new_session_id() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1)
    return new_request_id(); // unique in the process; resume still needs the key
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : raw) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

} // namespace

ws_hub::ws_hub(ws_options options, services s) : options_(options), services_(s) {}

ws_hub::~ws_hub() {
  end_all();
}

upgrade_verdict ws_hub::admit(http_request& request) {
  upgrade_verdict v;
  auto path = path_of(request.target);
  auto token = query_param(request.target, "token");
  if (!token.empty()) {
    // The token was issued to a key admitted by the gateway moments ago.
    auto grant = services_.tokens.redeem(token);
    if (!grant) {
      v.refusal = services_.problems.problem(
          error{errc::unauthenticated, "the WebSocket token is unknown, used or expired", {}},
          request.request_id, path);
      return v;
    }
    v.grant = std::move(*grant);
    return v;
  }
  if (!services_.gate)
    return v;
  auto adm = services_.gate->admit(request, route::ws_upgrade);
  if (adm.refusal) {
    auto res = services_.problems.problem(*adm.refusal, request.request_id, path);
    services_.gate->finish(adm, res);
    v.refusal = std::move(res);
    return v;
  }
  if (!adm.key_id.empty())
    v.grant.client = adm.key_id;
  if (services_.security) {
    auto credential = security::parse_credentials(request.authorization, request.api_key);
    if (credential && !credential->empty()) {
      auto key = services_.security->find_key(security::hash_key(*credential));
      v.grant.admin = key && (key->scopes & scope_admin) != 0;
    }
  }
  http_response switching;
  switching.status = 101;
  services_.gate->finish(adm, switching); // the audit record of the upgrade
  return v;
}

std::shared_ptr<session> ws_hub::open(ws_grant grant) {
  auto s = std::make_shared<session>(new_session_id(), std::move(grant), *this);
  std::vector<std::shared_ptr<session>> expired;
  {
    std::lock_guard guard{mutex_};
    sessions_.emplace(s->id(), entry{s, {}});
    auto now = std::chrono::steady_clock::now();
    if (now - last_sweep_ > std::chrono::seconds(1)) {
      last_sweep_ = now;
      for (auto it = sessions_.begin(); it != sessions_.end();) {
        auto& e = it->second;
        if (e.detached_at != std::chrono::steady_clock::time_point{} &&
            now - e.detached_at > std::chrono::milliseconds(options_.resume_window_ms)) {
          expired.push_back(std::move(e.s));
          it = sessions_.erase(it);
          --detached_;
        } else {
          ++it;
        }
      }
    }
  }
  for (auto& e : expired)
    e->end();
  return s;
}

void ws_hub::closed(const std::shared_ptr<session>& s, const connection* c) {
  if (!s->detach(c))
    return; // already attached to a newer connection
  std::shared_ptr<session> dropped;
  {
    std::lock_guard guard{mutex_};
    auto it = sessions_.find(s->id());
    if (it == sessions_.end() || it->second.s != s)
      return;
    if (it->second.kicked || options_.resume_window_ms == 0 || options_.max_detached == 0) {
      dropped = std::move(it->second.s);
      sessions_.erase(it);
    } else {
      it->second.detached_at = std::chrono::steady_clock::now();
      ++detached_;
      if (detached_ > options_.max_detached) {
        // Too many closed sessions kept: the oldest goes first.
        auto oldest = sessions_.end();
        for (auto j = sessions_.begin(); j != sessions_.end(); ++j)
          if (j->second.detached_at != std::chrono::steady_clock::time_point{} &&
              (oldest == sessions_.end() || j->second.detached_at < oldest->second.detached_at))
            oldest = j;
        dropped = std::move(oldest->second.s);
        sessions_.erase(oldest);
        --detached_;
      }
    }
  }
  if (dropped)
    dropped->end();
}

std::shared_ptr<session> ws_hub::find(std::string_view id, std::string_view client) {
  std::lock_guard guard{mutex_};
  auto it = sessions_.find(std::string{id});
  if (it == sessions_.end() || it->second.kicked || it->second.s->grant().client != client)
    return nullptr;
  auto& e = it->second;
  if (e.detached_at != std::chrono::steady_clock::time_point{}) {
    if (std::chrono::steady_clock::now() - e.detached_at >
        std::chrono::milliseconds(options_.resume_window_ms))
      return nullptr; // expired; the next sweep ends it
    e.detached_at = {};
    --detached_;
  }
  return e.s;
}

void ws_hub::forget(const std::shared_ptr<session>& fresh) {
  {
    std::lock_guard guard{mutex_};
    auto it = sessions_.find(fresh->id());
    if (it != sessions_.end() && it->second.s == fresh) {
      if (it->second.detached_at != std::chrono::steady_clock::time_point{})
        --detached_;
      sessions_.erase(it);
    }
  }
  fresh->end();
}

std::size_t ws_hub::sessions() const {
  std::lock_guard guard{mutex_};
  return sessions_.size();
}

std::vector<ws_hub::session_row> ws_hub::list(std::size_t max) const {
  std::vector<session_row> rows;
  std::lock_guard guard{mutex_};
  rows.reserve(std::min(max, sessions_.size()));
  for (const auto& [id, e] : sessions_) {
    if (rows.size() >= max)
      break;
    if (e.kicked)
      continue;
    rows.push_back({id, e.s->grant().client, e.s->grant().admin,
                    e.detached_at == std::chrono::steady_clock::time_point{}});
  }
  return rows;
}

bool ws_hub::kick(std::string_view session_id) {
  std::shared_ptr<session> s;
  bool attached = false;
  {
    std::lock_guard guard{mutex_};
    auto it = sessions_.find(std::string{session_id});
    if (it == sessions_.end() || it->second.kicked)
      return false;
    attached = it->second.detached_at == std::chrono::steady_clock::time_point{};
    if (attached) {
      // The connection may be inside the session now (on_text on its io
      // thread): closed() ends it once the connection has let go.
      it->second.kicked = true;
      s = it->second.s;
    } else {
      s = std::move(it->second.s);
      sessions_.erase(it);
      --detached_;
    }
  }
  if (!attached) {
    s->end(); // no connection serves a detached session
    return true;
  }
  // Null: the connection is ending on its own, and its closed() ends the
  // session (kicked is set). close() posts onto the connection's executor.
  if (auto c = s->attached_connection())
    c->close(close_policy, "session ended by an operator", false);
  return true;
}

void ws_hub::end_all() {
  std::unordered_map<std::string, entry> all;
  {
    std::lock_guard guard{mutex_};
    all.swap(sessions_);
    detached_ = 0;
  }
  for (auto& [id, e] : all)
    e.s->end();
}

} // namespace nzl::net::ws
