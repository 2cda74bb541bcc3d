//! The accept loop: HTTP/1.1 connections with a header read timeout, a cap on concurrent
//! connections overall and per client address, and a shutdown that ends event streams.
//!
//! `axum::serve` has none of the limits: a client that sent half a request line kept its
//! connection (and a file descriptor) open for good, so a few thousand of them exhausted the
//! process's descriptors. Here:
//!
//! - hyper closes a connection whose request head does not arrive within
//!   [`ConnectionLimits::header_read_timeout`]. hyper (1.x, `proto/h1/conn.rs`) starts that
//!   timer again whenever it waits for the next request on a kept-alive connection, so the same
//!   timeout also ends idle keep-alive connections: no separate idle timer is needed.
//! - a connection over either cap is answered with a minimal `503` and closed at once, before
//!   any request is read. The per-address cap (IPv6 keyed by its /64, which one machine usually
//!   owns whole) keeps one flooding address from taking the whole global cap, so the event
//!   streams of everybody else keep working.
//! - on shutdown, the listener closes, idle connections close, requests in flight finish, and
//!   `text/event-stream` responses end (they would otherwise never finish).
//!
//! Linux and any other Unix: only tokio and hyper.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_stream::Stream;
use tower::ServiceExt;

/// How many connections Boss holds open and for how long it waits for a request.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// How long a client may take to send a request's head (request line and headers), and
    /// how long a kept-alive connection may sit idle before its next request.
    pub header_read_timeout: Duration,
    /// Connections open at once, from all clients together.
    pub max_connections: usize,
    /// Connections open at once from one client address (an IPv6 /64 counts as one).
    pub max_connections_per_address: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
            max_connections_per_address: 64,
        }
    }
}

/// How long connections may take to finish their requests after the shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The body of the answer to a connection over a cap, in the API's error format.
const REFUSAL_BODY: &str = r#"{"error":{"code":"too_many_connections","message":"too many open connections, try again later"}}"#;

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish
/// (for at most [`SHUTDOWN_GRACE`]) and ends event streams. Each request carries
/// `ConnectInfo<SocketAddr>` with the client's address.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let (stop, stopping) = watch::channel(false);
    let counts = Arc::new(ConnectionCounts::new(limits.clone()));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of descriptors (EMFILE) or an aborted handshake: wait a moment
                    // rather than spin on an error that persists.
                    tracing::warn!("cannot accept a connection: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Some(slot) = counts.admit(peer.ip()) else {
            refuse(stream, peer);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = connection_service(app.clone(), peer, stopping.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let _slot = slot;
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stopped(&mut stopping) => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(err) = result {
                // Timeouts and clients that hung up: routine, not worth more than debug.
                tracing::debug!(%peer, "connection ended: {err}");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    while counts.open() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The router as a hyper service for one connection: the peer address in every request's
/// extensions, and event streams that end when the server stops.
fn connection_service(
    app: Router,
    peer: SocketAddr,
    stopping: watch::Receiver<bool>,
) -> TowerToHyperService<
    impl tower::Service<
        Request<Incoming>,
        Response = Response<Body>,
        Error = std::convert::Infallible,
        Future = impl Send,
    > + Clone,
> {
    let service = app
        .map_request(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        })
        .map_response(move |response: Response<Body>| end_streams_on_shutdown(response, &stopping));
    TowerToHyperService::new(service)
}

fn end_streams_on_shutdown(
    response: Response<Body>,
    stopping: &watch::Receiver<bool>,
) -> Response<Body> {
    let is_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !is_stream {
        return response;
    }
    let mut stopping = stopping.clone();
    let stopped = Box::pin(async move { stopped(&mut stopping).await });
    response.map(|body| {
        Body::from_stream(UntilStopped {
            inner: body.into_data_stream(),
            stopped,
        })
    })
}

/// Completes once the server stops (or its sender is gone).
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`: drop it here, inside.
    let _ = stopping.wait_for(|stop| *stop).await.map(|_| ());
}

/// A body stream that ends when the server stops.
struct UntilStopped<S> {
    inner: S,
    stopped: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl<S: Stream + Unpin> Stream for UntilStopped<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        if self.stopped.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

/// Answers `503` without waiting: a full send buffer (a client that does not read) just gets
/// the close.
fn refuse(stream: TcpStream, peer: SocketAddr) {
    tracing::debug!(%peer, "connection refused: over the connection limit");
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 5\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{REFUSAL_BODY}",
        REFUSAL_BODY.len()
    );
    let _ = stream.try_write(response.as_bytes());
}

/// Open connections, overall and per address key.
struct ConnectionCounts {
    limits: ConnectionLimits,
    open: Mutex<OpenConnections>,
}

#[derive(Default)]
struct OpenConnections {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

impl ConnectionCounts {
    fn new(limits: ConnectionLimits) -> Self {
        Self {
            limits,
            open: Mutex::new(OpenConnections::default()),
        }
    }

    /// A slot for a new connection from `ip`, or `None` over a cap.
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionSlot> {
        let key = address_key(ip);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let from_key = open.by_address.get(&key).copied().unwrap_or(0);
        if open.total >= self.limits.max_connections
            || from_key >= self.limits.max_connections_per_address
        {
            return None;
        }
        open.total += 1;
        open.by_address.insert(key, from_key + 1);
        Some(ConnectionSlot {
            counts: self.clone(),
            key,
        })
    }

    fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}

/// Held by a connection's task; gives the slot back when the connection ends.
struct ConnectionSlot {
    counts: Arc<ConnectionCounts>,
    key: IpAddr,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total -= 1;
        if let Some(count) = open.by_address.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.by_address.remove(&self.key);
            }
        }
    }
}

/// The key a client address counts under: IPv4 as is (also when mapped into IPv6), IPv6 by
/// its /64, since one host or home network usually gets a whole /64.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_of_one_slash_64_share_a_key_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().unwrap();
        assert_eq!(address_key(mapped), "127.0.0.2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_slot_is_given_back_when_its_connection_ends() {
        let counts = Arc::new(ConnectionCounts::new(ConnectionLimits {
            max_connections: 3,
            max_connections_per_address: 2,
            ..ConnectionLimits::default()
        }));
        let one: IpAddr = "127.0.0.1".parse().unwrap();
        let two: IpAddr = "127.0.0.2".parse().unwrap();
        let first = counts.admit(one).unwrap();
        let _second = counts.admit(one).unwrap();
        assert!(counts.admit(one).is_none(), "per-address cap");
        let _third = counts.admit(two).unwrap();
        assert!(counts.admit(two).is_none(), "global cap");
        drop(first);
        assert!(counts.admit(one).is_some());
    }
}
