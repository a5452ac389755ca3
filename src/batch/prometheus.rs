//! `adhash batch --metrics-listen ADDR`: the running job's latest metrics
//! tick on `http://ADDR/metrics` in the Prometheus/OpenMetrics text format,
//! under the original tool's metric names and a `job` label, for users who
//! watch long suites from Grafana. The exposition format comes from
//! `prometheus-client`, the HTTP from `tiny_http`; the server answers on a
//! thread of its own and stops with the suite.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

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

/// The text a scrape gets: nothing but `# EOF` before the first tick.
pub fn render(latest: &Latest) -> String {
    let mut root = <Registry>::default();
    if let Some(t) = &latest.tick {
        let reg = root.sub_registry_with_label((
            Cow::Borrowed("job"),
            Cow::Owned(crate::log::printable(&latest.job).into_owned()),
        ));
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
            Info::new(vec![("name".to_string(), t.backend.clone())]),
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
        let server = tiny_http::Server::http(addr)
            .map_err(|e| Error::io(format!("cannot listen on {addr} for --metrics-listen: {e}")))?;
        let addr = server.server_addr().to_ip().unwrap_or(addr);
        let latest = Arc::new(Mutex::new(Latest::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (l, s) = (latest.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("metrics-listen".into())
            .spawn(move || serve(server, l, s))
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

fn serve(server: tiny_http::Server, latest: Arc<Mutex<Latest>>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::SeqCst) {
        // Wakes at least every 100 ms to see `stop`; sleeps otherwise.
        let request = match server.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(_) => break,
        };
        let response = if request.url() == "/metrics" || request.url().starts_with("/metrics?") {
            let body = latest.lock().map(|l| render(&l)).unwrap_or_default();
            tiny_http::Response::from_string(body).with_header(
                tiny_http::Header::from_bytes(
                    &b"Content-Type"[..],
                    &b"application/openmetrics-text; version=1.0.0; charset=utf-8"[..],
                )
                .expect("a valid header"),
            )
        } else {
            tiny_http::Response::from_string("not found: the metrics are at /metrics\n")
                .with_status_code(404)
        };
        let _ = request.respond(response);
    }
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

    /// Dropping the endpoint stops its server: the port is closed after.
    #[test]
    fn dropping_the_endpoint_closes_its_port() {
        let e = Endpoint::start("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = e.addr;
        assert_ne!(addr.port(), 0, "the port actually bound");
        drop(e);
        // tiny_http's acceptor lets go of the socket a moment after the
        // server is dropped.
        let closed = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            std::net::TcpStream::connect(addr).is_err()
        });
        assert!(closed, "{addr} still listening 2 s after the drop");
    }
}
