//! The authenticated caller of a request, resolved from a Bearer token or the session cookie.
//!
//! Handlers that take a [`Caller`] are reachable only when logged in; privileged work then
//! goes through [`Caller::require`], the single permission gate.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;

use super::{Permission, secret};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::fleet::relay::RelayedCall;
use crate::state::AppState;
use crate::store::User;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "boss_session";

/// A session is extended at most this often, so that browsing does not write on every request.
const SESSION_REFRESH_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone)]
pub enum AuthMethod {
    /// Logged in through the UI; `id_hash` is the stored form of the cookie.
    Session { id_hash: String },
    Token {
        id: i64,
        /// The stored form of the token's secret.
        hash: String,
        /// Kept so that a token remembered by the cache still stops at its expiry.
        expires_at: Option<i64>,
    },
    /// Boss itself at start-up, restoring the session chosen in the settings on behalf of the
    /// user who saved it (`restore_session_on_start`). Never the method of a request.
    Startup,
    /// A request another host of the fleet relayed for this user (see `fleet::relay`); it
    /// authenticated there.
    Relayed {
        /// The name of the host it came through.
        origin: String,
    },
}

#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub method: AuthMethod,
    pub client: Option<IpAddr>,
    /// The client's address and port (to find a loopback client's process).
    pub peer: Option<SocketAddr>,
    /// Whether the user's role may use this host's machine (a fleet can limit roles to some
    /// hosts; see the `role_hosts` setting).
    pub host_allowed: bool,
}

impl Caller {
    /// The caller `user` authenticated by `method`, with whether this host admits their role.
    pub(crate) fn admitted(
        state: &AppState,
        user: User,
        method: AuthMethod,
        client: Option<IpAddr>,
        peer: Option<SocketAddr>,
    ) -> Caller {
        Caller {
            host_allowed: state.fleet.admits(user.role),
            user,
            method,
            client,
            peer,
        }
    }

    /// The permission gate: `Ok` when the caller's role grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if !self.host_allowed && permission.is_on_machine() {
            return Err(Error::Forbidden {
                code: "host_not_allowed",
                message: format!(
                    "your role '{}' may not use this host (the settings limit it to others)",
                    self.user.role
                ),
            });
        }
        if self.user.role.allows(permission) {
            Ok(())
        } else {
            Err(Error::Forbidden {
                code: "forbidden",
                message: format!(
                    "your role '{}' may not {}",
                    self.user.role,
                    permission.describe()
                ),
            })
        }
    }

    /// Whether this caller's credentials still stand as they were when the request came: the
    /// session or token still exists, and its user's role and password are unchanged. For
    /// connections that outlive their request (event streams).
    pub async fn still_valid(&self, state: &AppState) -> Result<bool, crate::store::StoreError> {
        let now = now_ms();
        let user = match &self.method {
            AuthMethod::Session { id_hash } => {
                state.store.session(id_hash, now).await?.map(|f| f.1)
            }
            // A recheck of a long-lived stream is not a use of the token.
            AuthMethod::Token { hash, .. } => state.store.token(hash, now).await?.map(|f| f.1),
            AuthMethod::Startup => state.store.user_by_id(self.user.id).await?,
            AuthMethod::Relayed { .. } => state.store.user_by_id(self.user.id).await?,
        };
        Ok(user.is_some_and(|user| {
            user.role == self.user.role && user.password_hash == self.user.password_hash
        }))
    }

    pub fn session_hash(&self) -> Option<&str> {
        match &self.method {
            AuthMethod::Session { id_hash } => Some(id_hash),
            AuthMethod::Token { .. } | AuthMethod::Startup | AuthMethod::Relayed { .. } => None,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(relayed) = parts.extensions.get::<RelayedCall>().cloned() {
            return relayed_caller(state, relayed).await;
        }
        let peer = peer_address(parts).await;
        let client = client_address(parts, peer, &state.config.trusted_proxies);
        let now = now_ms();
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(|| {
                    Error::unauthorized("the Authorization header must be 'Bearer <token>'")
                })?;
            return Caller::from_token(state, token, client, peer).await;
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let cookie = jar
            .get(SESSION_COOKIE)
            .ok_or_else(|| Error::unauthorized("log in first"))?;
        let id_hash = secret::digest(cookie.value());
        let found = state.store.session(&id_hash, now).await.map(|found| {
            found.map(|(session, user)| {
                (
                    user,
                    AuthMethod::Session {
                        id_hash: id_hash.clone(),
                    },
                    session.last_seen_at,
                )
            })
        });
        let last_seen = found
            .as_ref()
            .ok()
            .and_then(|f| f.as_ref().map(|(_, _, seen)| *seen));
        let found = found.map(|f| f.map(|(user, method, _)| (user, method)));
        let (user, method) = confirm(state, &id_hash, found)?
            .ok_or_else(|| Error::unauthorized("your session has ended; log in again"))?;
        if let Some(last_seen) = last_seen
            && now - last_seen > SESSION_REFRESH_MS
        {
            let ttl = state.config.session_ttl.as_millis() as i64;
            // Failing to extend is no reason to refuse the request.
            if let Err(err) = state.store.extend_session(&id_hash, now, now + ttl).await {
                tracing::warn!("could not extend a session: {err}");
            }
        }
        Ok(Caller::admitted(state, user, method, client, peer))
    }
}

impl Caller {
    /// The caller an API token names (from a Bearer header, or the password of HTTP Basic for
    /// the Glances-compatible API); the same checks and cache as every other token use.
    pub async fn from_token(
        state: &AppState,
        token: &str,
        client: Option<IpAddr>,
        peer: Option<SocketAddr>,
    ) -> Result<Caller> {
        let now = now_ms();
        let key = secret::digest(token);
        let found = state.store.use_token(&key, now).await.map(|found| {
            found.map(|(token, user)| {
                let method = AuthMethod::Token {
                    id: token.id,
                    hash: key.clone(),
                    expires_at: token.expires_at,
                };
                (user, method)
            })
        });
        let (user, method) = confirm(state, &key, found)?
            .filter(|(_, method)| {
                !matches!(method, AuthMethod::Token { expires_at: Some(at), .. } if *at <= now)
            })
            .ok_or_else(|| {
                Error::unauthorized("the API token is not valid (revoked, expired or mistyped)")
            })?;
        Ok(Caller::admitted(state, user, method, client, peer))
    }
}

/// The actor of a relayed request, as this host's store knows them now (a role changed since
/// the request was made counts). Only the command runner adds [`RelayedCall`] to a request.
async fn relayed_caller(state: &AppState, relayed: RelayedCall) -> Result<Caller> {
    let user = state
        .store
        .user_by_id(relayed.user_id)
        .await?
        .ok_or_else(|| {
            Error::unauthorized("the account that made this request no longer exists")
        })?;
    let method = AuthMethod::Relayed {
        origin: relayed.origin,
    };
    Ok(Caller::admitted(state, user, method, None, None))
}

/// The database's answer, remembered; or, when the database cannot be reached, what it said
/// recently.
fn confirm(
    state: &AppState,
    key: &str,
    found: Result<Option<(User, AuthMethod)>, crate::store::StoreError>,
) -> Result<Option<(User, AuthMethod)>> {
    match found {
        Ok(Some((user, method))) => {
            state.auth_cache.remember(key, &user, &method);
            Ok(Some((user, method)))
        }
        Ok(None) => {
            state.auth_cache.forget(key);
            Ok(None)
        }
        Err(err) if err.is_unavailable() => match state.auth_cache.recall(key) {
            Some(known) => Ok(Some(known)),
            None => Err(err.into()),
        },
        Err(err) => Err(err.into()),
    }
}

/// The client's address: the peer's, or behind a trusted proxy, the one the proxy names.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = peer_address(parts).await;
        Ok(ClientAddr(client_address(
            parts,
            peer,
            &state.config.trusted_proxies,
        )))
    }
}

/// The address a request comes from. A peer that is a trusted proxy speaks for its client in
/// `X-Forwarded-For`: the rightmost address there that is not itself a trusted proxy (the ones
/// further left were written by the client and prove nothing). Anyone else's header is ignored.
pub fn client_address(
    parts: &Parts,
    peer: Option<SocketAddr>,
    trusted_proxies: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer.map(|p| p.ip().to_canonical())?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map_while(|entry| entry.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect();
    let client = forwarded
        .iter()
        .rev()
        .find(|ip| !trusted_proxies.contains(ip))
        .or(forwarded.first())
        .copied();
    Some(client.unwrap_or(peer))
}

/// Through the extractor rather than the extensions, so that tests' `MockConnectInfo` works.
pub(crate) async fn peer_address(parts: &mut Parts) -> Option<SocketAddr> {
    ConnectInfo::<SocketAddr>::from_request_parts(parts, &())
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr)
}
