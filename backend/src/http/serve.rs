//! The accept loop, written here instead of `axum::serve` for what that lacks on an exposed
//! server:
//! - a cap on open connections: past `max_connections` a new connection gets a JSON 503 and is
//!   closed at once (the answer fits in the socket buffer, so writing it never waits);
//! - a header-read timeout (hyper's): a client that sends half a request header (slowloris) is
//!   cut after `header_read_timeout`;
//! - an idle timeout: a connection with no byte read or written for `idle_timeout` (an idle
//!   keep-alive connection, or a client that stopped reading) is closed. A live stream is never
//!   idle: it sends an event per sample and a keep-alive comment every 15 s;
//! - a graceful drain on shutdown, bounded by the grace period.
//!
//! HTTP/1.1 only, in the clear or over TLS (`tls_cert`, `tls_key`: the handshake must finish
//! within the header-read timeout too).

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use phaseplan_model::api::{ErrorBody, ErrorCode};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use crate::metrics::Metrics;

#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    /// How long open connections may take to finish after shutdown starts.
    pub grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` turns true, then lets open connections finish
/// (each told to close after its current request) for up to the grace period.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
    metrics: Arc<Metrics>,
) -> std::io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let (drain, draining) = watch::channel(false);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // keep serving the connections already open, try again shortly.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = until_true(&mut shutdown) => break,
        };
        let Ok(permit) = Arc::clone(&open).try_acquire_owned() else {
            metrics.connections_refused.inc();
            refuse(&stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let draining = draining.clone();
        let limits = limits.clone();
        let metrics = Arc::clone(&metrics);
        let tls = tls.clone();
        tokio::spawn(async move {
            metrics.connections_open.inc();
            let end = match tls {
                None => serve_connection(stream, peer, router, &limits, draining).await,
                Some(acceptor) => {
                    match tokio::time::timeout(limits.header_read_timeout, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(tls)) => serve_connection(tls, peer, router, &limits, draining).await,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            End::Done
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            End::Idle
                        }
                    }
                }
            };
            if end == End::Idle {
                metrics.connections_idle_closed.inc();
            }
            metrics.connections_open.dec();
            drop(permit);
        });
    }
    drop(listener);
    let _ = drain.send(true);
    let start = Instant::now();
    while open.available_permits() < limits.max_connections {
        if start.elapsed() >= limits.grace {
            tracing::warn!(grace = ?limits.grace, "grace period over; closing remaining connections");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum End {
    Done,
    Idle,
}

async fn serve_connection<S>(
    stream: S,
    peer: SocketAddr,
    router: Router,
    limits: &ConnectionLimits,
    mut draining: watch::Receiver<bool>,
) -> End
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::default());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(req)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true)
        .serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    let mut tick = tokio::time::interval((limits.idle_timeout / 4).max(Duration::from_millis(250)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut told_to_finish = false;
    loop {
        tokio::select! {
            res = conn.as_mut() => {
                if let Err(e) = res {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return End::Done;
            }
            () = until_true(&mut draining), if !told_to_finish => {
                conn.as_mut().graceful_shutdown();
                told_to_finish = true;
            }
            _ = tick.tick() => {
                if activity.idle_for() >= limits.idle_timeout {
                    tracing::debug!(%peer, "closing an idle connection");
                    return End::Idle;
                }
            }
        }
    }
}

/// Resolves when the flag turns true (or its sender is gone). The guard `wait_for` returns is
/// dropped here, so it never lives across an await of the caller (it is not `Send`).
async fn until_true(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

/// Answers a connection past the cap with a JSON 503 and closes it. The answer is a few hundred
/// bytes, so `try_write` puts it in the (empty) socket buffer without waiting; if it cannot, the
/// connection is simply closed.
fn refuse(stream: &TcpStream) {
    let body = serde_json::to_string(&ErrorBody::new(
        ErrorCode::ServiceUnavailable,
        "the server has too many open connections; try again in 1 s",
        None,
    ))
    .unwrap_or_default();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(answer.as_bytes());
}

/// When a connection last moved a byte, as milliseconds since it opened.
#[derive(Debug)]
struct Activity {
    opened: Instant,
    last_ms: AtomicU64,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            opened: Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }
}

impl Activity {
    fn touch(&self) {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        self.opened
            .elapsed()
            .saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
    }
}

/// A stream that records when it last read or wrote a byte.
struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        res
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let res = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        res
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let res = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        res
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
