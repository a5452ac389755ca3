//! `adhash batch --metrics-listen ADDR`: the running job's latest metrics
//! tick on `http://ADDR/metrics` in the Prometheus/OpenMetrics text format,
//! under the original tool's metric names and a `job` label, for users who
//! watch long suites from Grafana. The exposition format comes from
//! `prometheus-client`; the HTTP is a few lines of our own, bounded in
//! connections, bytes and time (a scrape needs no more, and anything a
//! client sends must not hold the suite), on a thread that stops with it.

use std::borrow::Cow;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use super::ticks::TickPoint;
use crate::error::{Error, Result};

/// The latest tick of the running job, shared with the server thread.
#[derive(Debug, Default, Clone)]
pub struct Latest {
    pub job: String,
    pub tick: Option<TickPoint>,
}

/// A label value as the exposition format writes it: `\\`, `\"` and
/// `\n` escaped (the encoder writes values as given, so a job named `j"q`
/// or a backend holding a newline and `# EOF` would break the text or
/// inject lines), other control characters removed.
fn label_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in crate::log::printable(s).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The text a scrape gets: nothing but `# EOF` before the first tick.
pub fn render(latest: &Latest) -> String {
    let mut root = <Registry>::default();
    if let Some(t) = &latest.tick {
        let reg = root
            .sub_registry_with_label((Cow::Borrowed("job"), Cow::Owned(label_value(&latest.job))));
        let counter = |v: u64| {
            let c: Counter = Counter::default();
            c.inc_by(v);
            c
        };
        let gauge = |v: f64| {
            let g: Gauge<f64, AtomicU64> = Gauge::default();
            g.set(v);
            g
        };
        // Counter names get their `_total` from the encoder.
        reg.register("hashmap_ops", "Total operations processed", counter(t.ops));
        if let Some(by) = &t.ops_by_type {
            reg.register("hashmap_puts", "Total put operations", counter(by.put));
            reg.register("hashmap_gets", "Total get operations", counter(by.get));
            reg.register("hashmap_dels", "Total delete operations", counter(by.del));
        }
        reg.register(
            "hashmap_migrations",
            "Backend migrations",
            counter(t.migrations),
        );
        reg.register(
            "hashmap_compactions",
            "Compactions (automatic and by interval)",
            counter(t.compactions),
        );
        reg.register(
            "hashmap_ops_per_second",
            "Throughput since the previous tick",
            gauge(t.ops_per_second),
        );
        reg.register(
            "hashmap_load_factor",
            "Current load factor",
            gauge(t.load_factor),
        );
        if let Some(g) = t.max_group_len {
            reg.register(
                "hashmap_max_group_len",
                "Longest chaining group",
                gauge(g as f64),
            );
        }
        if let Some(p) = t.avg_probe_estimate {
            reg.register(
                "hashmap_avg_probe_estimate",
                "Mean Robin Hood probe distance",
                gauge(p),
            );
        }
        if let Some(r) = t.tombstone_ratio {
            reg.register(
                "hashmap_tombstone_ratio",
                "Robin Hood tombstones over capacity",
                gauge(r),
            );
        }
        if let Some(p) = t.p99_ms() {
            reg.register(
                "hashmap_latency_p99_ms",
                "p99 latency of the run so far (ms)",
                gauge(p),
            );
        }
        reg.register(
            "hashmap_backend",
            "Backend in use",
            Info::new(vec![("name".to_string(), label_value(&t.backend))]),
        );
    }
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = encode(&mut out, &root);
    out
}

/// The endpoint: started before the suite, stopped (joined) after it.
pub struct Endpoint {
    pub addr: SocketAddr,
    pub latest: Arc<Mutex<Latest>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Endpoint {
    /// Bind `addr` and serve `/metrics` on a thread.
    pub fn start(addr: SocketAddr) -> Result<Endpoint> {
        let listener = TcpListener::bind(addr)
            .map_err(|e| Error::io(format!("cannot listen on {addr} for --metrics-listen: {e}")))?;
        // Polled: the thread sees `stop` within a tick, whatever clients do.
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::io(format!("cannot listen on {addr}: {e}")))?;
        let addr = listener.local_addr().unwrap_or(addr);
        let latest = Arc::new(Mutex::new(Latest::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (l, s) = (latest.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("metrics-listen".into())
            .spawn(move || serve(listener, l, s))
            .map_err(|e| Error::io(format!("cannot start the metrics server: {e}")))?;
        Ok(Endpoint {
            addr,
            latest,
            stop,
            thread: Some(thread),
        })
    }

    pub fn set_job(&self, job: &str) {
        if let Ok(mut l) = self.latest.lock() {
            l.job = job.to_string();
            l.tick = None;
        }
    }

    pub fn set_tick(&self, tick: &TickPoint) {
        if let Ok(mut l) = self.latest.lock() {
            l.tick = Some(tick.clone());
        }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The most a request may send before its blank line: a scrape's request
/// is a few hundred bytes; a body is never read.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// The longest a client may take to send its request, or to take the
/// answer: a client that stalls is dropped, not waited for.
pub const CLIENT_SECONDS: f64 = 1.0;
/// How often the server looks at `stop` while it waits.
const POLL: Duration = Duration::from_millis(50);

/// One connection at a time, each bounded in bytes and time: however many
/// clients connect (they wait in the kernel's queue, holding none of our
/// file descriptors) and whatever they send, the server holds one socket,
/// 8 KiB, and a second per client, and ends within a poll of `stop` (or a
/// second, when a client stops taking the answer).
fn serve(listener: TcpListener, latest: Arc<Mutex<Latest>>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => answer(stream, &latest, &stop),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(POLL),
            // Out of descriptors, a reset: wait and go on.
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

fn answer(mut stream: TcpStream, latest: &Mutex<Latest>, stop: &AtomicBool) {
    let deadline = Instant::now() + Duration::from_secs_f64(CLIENT_SECONDS);
    if stream.set_nonblocking(false).is_err() || stream.set_read_timeout(Some(POLL)).is_err() {
        return;
    }
    let _ = stream.set_write_timeout(Some(Duration::from_secs_f64(CLIENT_SECONDS)));
    let mut request = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    loop {
        if stop.load(Ordering::SeqCst) || Instant::now() >= deadline {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(_) => return,
        }
        if request.windows(4).any(|w| w == b"\r\n\r\n") || request.windows(2).any(|w| w == b"\n\n")
        {
            break;
        }
        if request.len() > MAX_REQUEST_BYTES {
            let _ = respond(
                &mut stream,
                "431 Request Header Fields Too Large",
                "text/plain",
                "request too large\n",
                &[],
            );
            return;
        }
    }
    let line = request.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let _ = match (method, target) {
        ("GET" | "HEAD", t) if t == "/metrics" || t.starts_with("/metrics?") => {
            let body = latest.lock().map(|l| render(&l)).unwrap_or_default();
            let body = if method == "HEAD" {
                String::new()
            } else {
                body
            };
            respond(
                &mut stream,
                "200 OK",
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                &body,
                &[],
            )
        }
        ("GET" | "HEAD", _) => respond(
            &mut stream,
            "404 Not Found",
            "text/plain",
            "not found: the metrics are at /metrics\n",
            &[],
        ),
        _ => respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            "only GET /metrics is served\n",
            &["Allow: GET, HEAD"],
        ),
    };
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    kind: &str,
    body: &str,
    extra: &[&str],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in extra {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Both);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::ticks::TickOps;

    #[test]
    fn a_tick_renders_under_the_originals_names() {
        let latest = Latest {
            job: "run-uniform".into(),
            tick: Some(TickPoint {
                backend: "robinhood".into(),
                ops: 30,
                ops_by_type: Some(TickOps {
                    put: 4,
                    get: 20,
                    del: 6,
                }),
                load_factor: 0.5,
                avg_probe_estimate: Some(5.5),
                ..Default::default()
            }),
        };
        let text = render(&latest);
        assert!(
            text.contains("hashmap_ops_total{job=\"run-uniform\"} 30"),
            "{text}"
        );
        assert!(
            text.contains("hashmap_puts_total{job=\"run-uniform\"} 4"),
            "{text}"
        );
        assert!(text.contains("# TYPE hashmap_load_factor gauge"), "{text}");
        assert!(
            text.contains("hashmap_load_factor{job=\"run-uniform\"} 0.5"),
            "{text}"
        );
        assert!(
            text.contains("hashmap_backend_info{job=\"run-uniform\",name=\"robinhood\"} 1"),
            "{text}"
        );
        assert!(text.trim_end().ends_with("# EOF"));
        assert_eq!(render(&Latest::default()).trim(), "# EOF");
    }

    /// Send `req` to the endpoint and read what comes back (until close).
    fn http(addr: SocketAddr, req: &[u8]) -> String {
        let mut c = TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = c.write_all(req);
        let mut out = Vec::new();
        let _ = c.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Issue 26, items 1-3, with a real HTTP client: a request that claims
    /// a 100 GB body, a flood of pipelined requests that are never read,
    /// and hundreds of idle connections neither crash the server, nor hold
    /// a socket each, nor keep the suite's end waiting.
    #[test]
    fn hostile_clients_cost_the_server_nothing() {
        let e = Endpoint::start("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = e.addr;
        let r = http(
            addr,
            b"POST /metrics HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\nabc",
        );
        assert!(r.starts_with("HTTP/1.1 405"), "{r}");
        assert!(r.contains("Allow: GET, HEAD"), "{r}");
        let r = http(addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(
            r.starts_with("HTTP/1.1 200") && r.trim_end().ends_with("# EOF"),
            "{r}"
        );
        assert!(http(addr, b"GET /other HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
        // Headers without end: cut at 8 KiB.
        let mut big = b"GET /metrics HTTP/1.1\r\nX: ".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_REQUEST_BYTES + 10));
        assert!(http(addr, &big).starts_with("HTTP/1.1 431"));
        // Idle connections: the server holds at most one of them. Counted
        // from the kernel's socket table (sockets on the server's port that
        // a process has accepted), not from this process's descriptors,
        // which tests running beside this one open and close too.
        let held = || {
            let port = format!(":{:04X}", addr.port());
            ["/proc/net/tcp", "/proc/net/tcp6"]
                .iter()
                .filter_map(|f| std::fs::read_to_string(f).ok())
                .flat_map(|t| t.lines().skip(1).map(str::to_string).collect::<Vec<_>>())
                .filter(|l| {
                    let w: Vec<&str> = l.split_whitespace().collect();
                    // local address, state (0A: listening), inode (0: not
                    // yet accepted, still in the kernel's queue).
                    w.len() > 9 && w[1].ends_with(&port) && w[3] != "0A" && w[9] != "0"
                })
                .count()
        };
        // Fewer than the listen backlog (128), so every connect completes.
        let idle: Vec<TcpStream> = (0..100)
            .map(|_| TcpStream::connect(addr).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            held() <= 1,
            "{} sockets held for {} idle clients",
            held(),
            idle.len()
        );
        // A client that pipelines megabytes of requests and never reads.
        let mut flood = TcpStream::connect(addr).unwrap();
        flood.set_nonblocking(true).unwrap();
        let chunk = b"GET /metrics HTTP/1.1\r\n\r\n".repeat(1000);
        for _ in 0..200 {
            let _ = flood.write(&chunk);
        }
        // The end of the suite does not wait for any of them.
        let t = Instant::now();
        drop(e);
        // (It used to hang for ever; 10 s leaves a busy machine room.)
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
        drop(idle);
    }

    /// Issue 26, item 4: label values are escaped, so a job or backend
    /// name cannot break the text or inject lines.
    #[test]
    fn label_values_cannot_inject_lines() {
        let latest = Latest {
            job: "j\"q\nhashmap_ops_total{job=\"x\"} 9\n# EOF".into(),
            tick: Some(TickPoint {
                backend: "chaining\n# EOF\nevil 1".into(),
                ops: 3,
                ..Default::default()
            }),
        };
        let text = render(&latest);
        assert_eq!(text.lines().filter(|l| *l == "# EOF").count(), 1, "{text}");
        assert!(text.trim_end().ends_with("\n# EOF"), "{text}");
        for line in text.lines() {
            assert!(
                line.starts_with('#') || line.starts_with("hashmap_"),
                "a line of its own: {line:?}\n{text}"
            );
        }
        assert!(text.contains("job=\"j\\\"q\\nhashmap_ops_total"), "{text}");
        assert!(!text.lines().any(|l| l.starts_with("evil")), "{text}");
    }

    /// Dropping the endpoint stops its server: the port is closed after.
    #[test]
    fn dropping_the_endpoint_closes_its_port() {
        let e = Endpoint::start("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = e.addr;
        assert_ne!(addr.port(), 0, "the port actually bound");
        drop(e);
        // The acceptor polls: it lets go of the socket a moment after the
        // endpoint is dropped.
        let closed = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            std::net::TcpStream::connect(addr).is_err()
        });
        assert!(closed, "{addr} still listening 2 s after the drop");
    }
}
