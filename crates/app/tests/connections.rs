//! The accept loop over real loopback sockets: slow clients are cut off after the header
//! timeout, one address cannot take all connections, and shutdown is not held up by event
//! streams.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use boss::server::connections::{ConnectionLimits, serve};
use common::{Auth, TestApp};

/// The application behind the real accept loop on a free loopback port.
struct Running {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

async fn start(app: &TestApp, limits: ConnectionLimits) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let router = boss::http::app(app.state.clone());
    let task = tokio::spawn(serve(listener, router, limits, async {
        let _ = stopped.await;
    }));
    Running {
        address,
        stop: Some(stop),
        task,
    }
}

/// A connection from `from` (any 127.0.0.0/8 address is this machine).
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until the server closes the connection (or `limit` passes), returning what came.
async fn read_to_close(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(received),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

/// Reads until `needle` has arrived after `from` bytes, or `limit` passes.
async fn read_until(
    stream: &mut TcpStream,
    received: &mut Vec<u8>,
    needle: &str,
    limit: Duration,
) -> bool {
    let start = received.len();
    let mut buffer = [0u8; 16 * 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if String::from_utf8_lossy(&received[start..]).contains(needle) {
            return true;
        }
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) | Ok(Ok(0)) | Ok(Err(_)) => return false,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

/// Asks for an event stream on `connection` and reads until its first process list; the
/// connection and what was read.
async fn open_events(
    mut connection: TcpStream,
    path: &str,
    address: SocketAddr,
    cookie: &str,
) -> (TcpStream, Vec<u8>) {
    connection
        .write_all(get(path, address, Some(cookie)).as_bytes())
        .await
        .unwrap();
    let mut stream = Vec::new();
    let started = read_until(
        &mut connection,
        &mut stream,
        "event: processes",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        started,
        "the event stream starts: {}",
        String::from_utf8_lossy(&stream)
    );
    (connection, stream)
}

fn get(path: &str, address: SocketAddr, cookie: Option<&str>) -> String {
    let cookie = cookie
        .map(|c| format!("cookie: boss_session={c}\r\n"))
        .unwrap_or_default();
    format!("GET {path} HTTP/1.1\r\nhost: {address}\r\n{cookie}\r\n")
}

fn session(auth: &Auth) -> String {
    match auth {
        Auth::Cookie(value) => value.clone(),
        other => panic!("expected a session, got {other:?}"),
    }
}

#[tokio::test]
async fn a_client_that_sends_half_a_request_line_is_disconnected_after_the_header_timeout() {
    let app = TestApp::new().await;
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(1),
        ..ConnectionLimits::default()
    };
    let server = start(&app, limits).await;

    let mut slow = TcpStream::connect(server.address).await.unwrap();
    slow.write_all(b"GET /api/v1/hea").await.unwrap();
    let started = Instant::now();
    let closed = read_to_close(&mut slow, Duration::from_secs(10)).await;
    let waited = started.elapsed();
    assert!(
        closed.is_some(),
        "the half-sent request is still open after 10 s"
    );
    assert!(
        waited >= Duration::from_millis(800) && waited < Duration::from_secs(5),
        "closed after {waited:?}, expected about the 1 s header timeout"
    );

    // The same timeout ends a kept-alive connection that sits idle after its request.
    let mut idle = TcpStream::connect(server.address).await.unwrap();
    idle.write_all(get("/api/v1/health", server.address, None).as_bytes())
        .await
        .unwrap();
    let mut received = Vec::new();
    assert!(read_until(&mut idle, &mut received, "200 OK", Duration::from_secs(5)).await);
    let started = Instant::now();
    assert!(
        read_to_close(&mut idle, Duration::from_secs(10))
            .await
            .is_some(),
        "an idle kept-alive connection is still open after 10 s"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    server.stop().await;
}

#[tokio::test]
async fn connections_over_the_per_address_cap_are_refused_while_others_and_an_open_event_stream_are_served()
 {
    let app = TestApp::new().await;
    let cookie = session(&app.register("alice").await);
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(30),
        max_connections: 100,
        max_connections_per_address: 3,
    };
    let server = start(&app, limits).await;

    // A logged-in user's event stream, from 127.0.0.2.
    let (mut events, mut stream) = open_events(
        connect_from("127.0.0.2", server.address).await,
        "/api/v1/events?topics=processes",
        server.address,
        &cookie,
    )
    .await;

    // 127.0.0.1 floods with connections that send nothing; the fourth is refused at once.
    let mut flood = Vec::new();
    for _ in 0..3 {
        flood.push(connect_from("127.0.0.1", server.address).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut refused = connect_from("127.0.0.1", server.address).await;
    let answer = read_to_close(&mut refused, Duration::from_secs(5))
        .await
        .expect("a connection over the cap is closed at once");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 503"),
        "{answer}"
    );

    // Another address is still served...
    let mut other = connect_from("127.0.0.3", server.address).await;
    other
        .write_all(get("/api/v1/health", server.address, None).as_bytes())
        .await
        .unwrap();
    let mut reply = Vec::new();
    assert!(
        read_until(&mut other, &mut reply, "200 OK", Duration::from_secs(5)).await,
        "{}",
        String::from_utf8_lossy(&reply)
    );

    // ...and the established stream keeps receiving: a new process shows up in it.
    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let pid = child.id();
    let seen = read_until(
        &mut events,
        &mut stream,
        &format!("\"pid\":{pid}"),
        Duration::from_secs(10),
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(seen, "the event stream stopped delivering under the flood");

    // Once the flood ends, 127.0.0.1 gets its connections back.
    drop(flood);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut again = connect_from("127.0.0.1", server.address).await;
    again
        .write_all(get("/api/v1/health", server.address, None).as_bytes())
        .await
        .unwrap();
    let mut reply = Vec::new();
    assert!(read_until(&mut again, &mut reply, "200 OK", Duration::from_secs(5)).await);
    server.stop().await;
}

#[tokio::test]
async fn shutdown_ends_open_event_streams_instead_of_waiting_for_them() {
    let app = TestApp::new().await;
    let cookie = session(&app.register("alice").await);
    let server = start(&app, ConnectionLimits::default()).await;
    let (mut events, _stream) = open_events(
        TcpStream::connect(server.address).await.unwrap(),
        "/api/v1/events",
        server.address,
        &cookie,
    )
    .await;

    let started = Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "shutdown waited {:?} for the event stream",
        started.elapsed()
    );
    assert!(
        read_to_close(&mut events, Duration::from_secs(5))
            .await
            .is_some(),
        "the event stream was ended"
    );
}

impl Running {
    /// Signals shutdown and waits (at most 20 s) for the accept loop to return.
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the server stops")
            .unwrap();
    }
}
