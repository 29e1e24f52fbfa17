//! The Tool Router emulator as a plain HTTP/1.1 server on loopback (std only).
//!
//! ```text
//! cargo run --example emulator_server -- 8790        # or EMULATOR_PORT=8790; 0 picks a free port
//! # prints: listening on http://127.0.0.1:8790
//! curl -s -X POST http://127.0.0.1:8790/api/v3.1/tool_router/session \
//!      -H 'x-api-key: ak_dev' -H 'content-type: application/json' -d '{"user_id":"u1"}'
//! ```
//! Point the official SDKs at it with `baseURL`/`base_url` = `http://127.0.0.1:8790`.
//!
//! `GET /__emulator/requests?prefix=/api/v3.1/…` answers `{"count": n}`: how many requests
//! whose path starts with `prefix` this server has received (fault-injected ones included), so
//! tests can count upstream attempts (tests/workerd/faults.test.mjs).

use std::collections::BTreeMap;
use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use composio_edge::emulator::{Emulator, DROP_CONNECTION_HEADER, MAX_BODY};
use composio_edge::http;
use composio_edge::runtime::{block_on, Runtime};
use composio_edge::store::Store;
use composio_edge::Error;

/// A thread-safe in-memory store shared by every connection.
#[derive(Clone, Default)]
struct SharedStore(Arc<Mutex<BTreeMap<String, String>>>);

impl SharedStore {
    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, String>) -> T) -> Result<T, Error> {
        match self.0.lock() {
            Ok(mut m) => Ok(f(&mut m)),
            Err(_) => Err(Error::Storage("store lock poisoned".into())),
        }
    }
}

impl Store for SharedStore {
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<String>, Error>> {
        std::future::ready(self.with(|m| m.get(key).cloned()))
    }
    fn put(&self, key: &str, value: String) -> impl Future<Output = Result<(), Error>> {
        std::future::ready(self.with(|m| {
            m.insert(key.to_owned(), value);
        }))
    }
    fn delete(&self, key: &str) -> impl Future<Output = Result<bool, Error>> {
        std::future::ready(self.with(|m| m.remove(key).is_some()))
    }
    fn list(&self, prefix: &str) -> impl Future<Output = Result<Vec<(String, String)>, Error>> {
        std::future::ready(self.with(|m| {
            m.range(prefix.to_owned()..)
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }))
    }
}

/// System clock, blocking sleep, entropy from /dev/urandom (or a time-seeded hash).
struct SysRuntime;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Requests received, by path (without the query).
static REQUESTS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// Held while the emulator handles a control route (`/__emulator/…`).
static CONTROL: Mutex<()> = Mutex::new(());

/// Counts a request, or answers `GET /__emulator/requests?prefix=…` (returns the count).
fn count_request(method: &str, target: &str) -> Option<u64> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let Ok(mut counts) = REQUESTS.lock() else {
        return None;
    };
    if method == "GET" && path == "/__emulator/requests" {
        let prefix = composio_edge::encoding::query_param(query, "prefix").unwrap_or_default();
        let n: u64 = counts
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(_, v)| v)
            .sum();
        return Some(n);
    }
    *counts.entry(path.to_owned()).or_insert(0) += 1;
    None
}

impl Runtime for SysRuntime {
    fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
    fn sleep(&self, ms: u64) -> impl Future<Output = ()> {
        std::thread::sleep(Duration::from_millis(ms));
        std::future::ready(())
    }
    fn fill_random(&self, buf: &mut [u8]) {
        if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
            if f.read_exact(buf).is_ok() {
                return;
            }
        }
        let mut x = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            ^ COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        for b in buf {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
    }
}

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("EMULATOR_PORT").ok())
        .or_else(|| std::env::var("PORT").ok())
        .and_then(|p| p.parse().ok())
        .unwrap_or(8790);
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    println!("listening on http://127.0.0.1:{port}");
    let store = SharedStore::default();
    for stream in listener.incoming().flatten() {
        let store = store.clone();
        std::thread::spawn(move || {
            let _ = serve(stream, &store, port);
        });
    }
}

fn bad(stream: &mut TcpStream, status: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    )?;
    stream.shutdown(Shutdown::Both)
}

fn serve(stream: TcpStream, store: &SharedStore, port: u16) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let emulator = Emulator::new();
    loop {
        // Request line and headers.
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.split(' ');
        let (Some(method), Some(target), Some(version)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return bad(&mut writer, "400 Bad Request");
        };
        let counted = count_request(method, target);
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut header_bytes = 0usize;
        loop {
            let mut h = String::new();
            let n = reader.read_line(&mut h)?;
            header_bytes += n;
            if n == 0 || header_bytes > 64 * 1024 {
                return bad(&mut writer, "431 Request Header Fields Too Large");
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if header("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
            writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        // Body: Content-Length or chunked.
        let mut body = Vec::new();
        if header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
            loop {
                let mut size_line = String::new();
                reader.read_line(&mut size_line)?;
                let size_hex = size_line.trim().split(';').next().unwrap_or("");
                let Ok(size) = usize::from_str_radix(size_hex, 16) else {
                    return bad(&mut writer, "400 Bad Request");
                };
                if size == 0 {
                    // Trailers until the empty line.
                    loop {
                        let mut t = String::new();
                        if reader.read_line(&mut t)? == 0 || t.trim().is_empty() {
                            break;
                        }
                    }
                    break;
                }
                if body.len() + size > MAX_BODY {
                    return bad(&mut writer, "413 Payload Too Large");
                }
                let start = body.len();
                body.resize(start + size, 0);
                reader.read_exact(&mut body[start..])?;
                let mut crlf = [0u8; 2];
                reader.read_exact(&mut crlf)?;
            }
        } else if let Some(len) = header("content-length") {
            let Ok(len) = len.parse::<usize>() else {
                return bad(&mut writer, "400 Bad Request");
            };
            if len > MAX_BODY {
                return bad(&mut writer, "413 Payload Too Large");
            }
            body.resize(len, 0);
            reader.read_exact(&mut body)?;
        }
        let keep_alive = match header("connection").map(str::to_ascii_lowercase) {
            Some(c) if c.contains("close") => false,
            Some(c) if c.contains("keep-alive") => true,
            _ => version == "HTTP/1.1",
        };
        let host = header("host")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("127.0.0.1:{port}"));
        let mut builder = http::Request::builder()
            .method(method)
            .uri(format!("http://{host}{target}"));
        for (k, v) in &headers {
            if k != "host" {
                builder = builder.header(k.as_str(), v.as_str());
            }
        }
        let Ok(req) = builder.body(body) else {
            return bad(&mut writer, "400 Bad Request");
        };
        let res = match counted {
            Some(n) => {
                composio_edge::transport::json_response(200, &composio_edge::json!({ "count": n }))
            }
            // The emulator's control routes read, change and write one stored list (the
            // faults): one at a time, or two concurrent POSTs could lose one of the faults.
            // (A Durable Object serializes them itself.) Tool calls stay concurrent.
            None if target.starts_with("/__emulator/") => {
                let _one = CONTROL.lock().unwrap_or_else(|e| e.into_inner());
                block_on(emulator.handle(req, store, &SysRuntime))
            }
            None => block_on(emulator.handle(req, store, &SysRuntime)),
        };
        if res
            .headers()
            .get(DROP_CONNECTION_HEADER)
            .is_some_and(|v| v == "drop")
        {
            return writer.shutdown(Shutdown::Both);
        }
        let status = res.status();
        let mut out = format!(
            "HTTP/1.1 {} {}\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        for (k, v) in res.headers() {
            if let Ok(v) = v.to_str() {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        out.push_str(&format!("content-length: {}\r\n", res.body().len()));
        out.push_str(if keep_alive {
            "connection: keep-alive\r\n\r\n"
        } else {
            "connection: close\r\n\r\n"
        });
        writer.write_all(out.as_bytes())?;
        if method != "HEAD" {
            writer.write_all(res.body())?;
        }
        writer.flush()?;
        if !keep_alive {
            return writer.shutdown(Shutdown::Both);
        }
    }
}
