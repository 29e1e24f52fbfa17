//! What the core is handed instead of reaching for the platform: a clock, a sleep and entropy.
//!
//! `SystemTime::now()` panics on wasm32 and Workers refuse randomness at module scope, so the
//! shells read time and entropy inside a handler and pass a [`Runtime`] in.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Clock, sleep and a CSPRNG.
pub trait Runtime {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Waits `ms` milliseconds.
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;
    /// Fills `buf` from a cryptographically secure source.
    fn fill_random(&self, buf: &mut [u8]);

    /// A uniformly random `f64` in `[0, 1)`, from [`Runtime::fill_random`].
    fn random_f64(&self) -> f64 {
        let mut b = [0u8; 8];
        self.fill_random(&mut b);
        (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl<R: Runtime> Runtime for &R {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
    fn sleep(&self, ms: u64) -> impl Future<Output = ()> {
        (**self).sleep(ms)
    }
    fn fill_random(&self, buf: &mut [u8]) {
        (**self).fill_random(buf)
    }
}

/// A deterministic runtime for tests: a fake clock that [`Runtime::sleep`] advances instantly,
/// and a seeded xorshift generator. **Not** cryptographically secure.
///
/// ```
/// use composio_edge::runtime::{block_on, Runtime, TestRuntime};
/// let rt = TestRuntime::new(1_000);
/// block_on(rt.sleep(250));
/// assert_eq!(rt.now_ms(), 1_250);
/// assert_eq!(rt.sleeps(), vec![250]);
/// ```
#[derive(Debug)]
pub struct TestRuntime {
    now: Cell<u64>,
    seed: Cell<u64>,
    sleeps: RefCell<Vec<u64>>,
}

impl TestRuntime {
    /// A runtime whose clock starts at `start_ms`.
    pub fn new(start_ms: u64) -> Self {
        Self {
            now: Cell::new(start_ms),
            seed: Cell::new(0x9E37_79B9_7F4A_7C15),
            sleeps: RefCell::new(Vec::new()),
        }
    }
    /// Moves the clock forward.
    pub fn advance(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
    }
    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<u64> {
        self.sleeps.borrow().clone()
    }
}

impl Runtime for TestRuntime {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }
    fn sleep(&self, ms: u64) -> impl Future<Output = ()> {
        self.sleeps.borrow_mut().push(ms);
        self.advance(ms);
        std::future::ready(())
    }
    fn fill_random(&self, buf: &mut [u8]) {
        for b in buf {
            let mut x = self.seed.get();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.seed.set(x);
            *b = x as u8;
        }
    }
}

struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Drives a future to completion on the current thread. Enough for native tests, examples and
/// benchmarks; the core never needs a runtime of its own.
///
/// ```
/// assert_eq!(composio_edge::runtime::block_on(async { 1 + 1 }), 2);
/// ```
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}
