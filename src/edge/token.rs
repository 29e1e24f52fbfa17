//! Where the gateway bearer token comes from: a fixed token, or a provider asked again when the
//! cached token is within [`REFRESH_MARGIN_MS`] of its expiry (or after a 401).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::task::{Poll, Waker};

use crate::encoding::base64url_decode;
use crate::secret::SecretString;
use crate::Error;

/// A token is refreshed when it expires in less than this many milliseconds.
pub const REFRESH_MARGIN_MS: u64 = 60_000;

/// A gateway token and, when known, when it expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    /// The bearer token.
    pub token: SecretString,
    /// Expiry in Unix milliseconds; `None` when unknown (then read from a JWT-shaped token's
    /// `exp` claim, else the token is kept until the gateway answers 401).
    pub expires_at_ms: Option<u64>,
}

impl AccessToken {
    /// A token with an optional expiry. Values below `10^11` are taken as Unix **seconds** (the
    /// gateway's `expires_at`), larger ones as milliseconds (`Date.now()` style).
    ///
    /// ```
    /// use composio_edge::edge::AccessToken;
    /// assert_eq!(AccessToken::new("t", Some(1_800_000_000)).expires_at_ms, Some(1_800_000_000_000));
    /// assert_eq!(AccessToken::new("t", Some(1_800_000_000_000)).expires_at_ms, Some(1_800_000_000_000));
    /// ```
    pub fn new(token: impl Into<String>, expires_at: Option<u64>) -> Self {
        let token = token.into();
        let expires_at_ms = expires_at
            .map(|v| if v < 100_000_000_000 { v * 1000 } else { v })
            .or_else(|| jwt_exp_ms(&token));
        Self {
            token: SecretString::new(token),
            expires_at_ms,
        }
    }

    /// Whether the token can still be used at `now_ms` (more than [`REFRESH_MARGIN_MS`] left).
    pub fn is_fresh(&self, now_ms: u64) -> bool {
        self.expires_at_ms
            .is_none_or(|at| at.saturating_sub(now_ms) > REFRESH_MARGIN_MS)
    }
}

/// The `exp` claim (seconds) of a JWT-shaped token, in milliseconds.
fn jwt_exp_ms(token: &str) -> Option<u64> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let claims = crate::wire::json::parse_bytes(&base64url_decode(payload)?).ok()?;
    let exp = claims.get("exp")?.as_f64()?;
    (exp.is_finite() && exp > 0.0).then_some((exp * 1000.0) as u64)
}

/// Gives out gateway tokens. Implemented by [`StaticToken`], by closures returning a future of
/// `Result<AccessToken, Error>`, and by the browser shell around an async JS function.
pub trait TokenProvider {
    /// Whether [`TokenProvider::token`] can give a new token (a fixed token cannot).
    fn can_refresh(&self) -> bool {
        true
    }
    /// A token, fetched anew.
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>>;
}

/// A fixed token, never refreshed.
#[derive(Clone, Debug)]
pub struct StaticToken(pub SecretString);

impl StaticToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(SecretString::new(token))
    }
}

impl TokenProvider for StaticToken {
    fn can_refresh(&self) -> bool {
        false
    }
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> {
        std::future::ready(Ok(AccessToken {
            token: self.0.clone(),
            expires_at_ms: None,
        }))
    }
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<AccessToken, Error>>,
{
    fn token(&self) -> impl Future<Output = Result<AccessToken, Error>> {
        self()
    }
}

/// A provider plus the token it last gave. Refreshes are single-flight: requests that need a
/// token while one is being fetched wait for it instead of calling the provider again.
pub(crate) struct TokenCache<P> {
    provider: P,
    cached: RefCell<Option<AccessToken>>,
    refreshing: Cell<bool>,
    waiters: RefCell<Vec<Waker>>,
}

/// Ends a refresh (also when its future is dropped) and wakes the waiting requests.
struct RefreshGuard<'a, P>(&'a TokenCache<P>);

impl<P> Drop for RefreshGuard<'_, P> {
    fn drop(&mut self) {
        self.0.refreshing.set(false);
        for w in self.0.waiters.borrow_mut().drain(..) {
            w.wake();
        }
    }
}

impl<P: TokenProvider> TokenCache<P> {
    pub(crate) fn new(provider: P) -> Self {
        Self {
            provider,
            cached: RefCell::new(None),
            refreshing: Cell::new(false),
            waiters: RefCell::new(Vec::new()),
        }
    }

    fn usable(&self, now_ms: u64) -> Option<SecretString> {
        let cached = self.cached.borrow();
        let t = cached.as_ref()?;
        (t.is_fresh(now_ms) || !self.provider.can_refresh()).then(|| t.token.clone())
    }

    /// The cached token if still fresh, else a new one from the provider.
    pub(crate) async fn get(&self, now_ms: u64) -> Result<SecretString, Error> {
        loop {
            if let Some(t) = self.usable(now_ms) {
                return Ok(t);
            }
            if !self.refreshing.get() {
                break;
            }
            std::future::poll_fn(|cx| {
                if self.refreshing.get() {
                    self.waiters.borrow_mut().push(cx.waker().clone());
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
        }
        self.refreshing.set(true);
        let _guard = RefreshGuard(self);
        let fresh = self.provider.token().await?;
        if fresh.token.expose_secret().is_empty() {
            return Err(Error::InvalidRequest(
                "the token provider returned an empty token".into(),
            ));
        }
        let token = fresh.token.clone();
        *self.cached.borrow_mut() = Some(fresh);
        Ok(token)
    }

    /// Forgets the cached token (after a 401); `true` when a new one can be asked for.
    pub(crate) fn invalidate(&self) -> bool {
        if self.provider.can_refresh() {
            *self.cached.borrow_mut() = None;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64url_encode;
    use crate::runtime::block_on;
    use std::cell::Cell;

    #[test]
    fn jwt_shaped_token_gives_its_expiry() {
        let payload = base64url_encode(br#"{"sub":"u","exp":1800000000}"#);
        let t = AccessToken::new(format!("h.{payload}.s"), None);
        assert_eq!(t.expires_at_ms, Some(1_800_000_000_000));
        assert_eq!(AccessToken::new("opaque", None).expires_at_ms, None);
    }

    #[test]
    fn provider_is_called_again_near_expiry() {
        let calls = Cell::new(0u64);
        let provider = || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move { Ok(AccessToken::new(format!("t{n}"), Some(1_000 + 120 * n))) }
        };
        let cache = TokenCache::new(provider);
        // expires at 1_120 s; fresh until 1_060 s.
        assert_eq!(
            block_on(cache.get(1_000_000)).unwrap().expose_secret(),
            "t1"
        );
        assert_eq!(
            block_on(cache.get(1_059_000)).unwrap().expose_secret(),
            "t1"
        );
        assert_eq!(
            block_on(cache.get(1_061_000)).unwrap().expose_secret(),
            "t2"
        );
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn concurrent_requests_share_one_refresh() {
        let calls = Cell::new(0u32);
        let provider = || {
            calls.set(calls.get() + 1);
            let mut yielded = false;
            std::future::poll_fn(move |cx| {
                if yielded {
                    Poll::Ready(Ok(AccessToken::new("shared", None)))
                } else {
                    yielded = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
        };
        let cache = TokenCache::new(provider);
        let (a, b) = block_on(async {
            let mut a = std::pin::pin!(cache.get(0));
            let mut b = std::pin::pin!(cache.get(0));
            let (mut ra, mut rb) = (None, None);
            std::future::poll_fn(|cx| {
                if ra.is_none() {
                    if let Poll::Ready(v) = a.as_mut().poll(cx) {
                        ra = Some(v);
                    }
                }
                if rb.is_none() {
                    if let Poll::Ready(v) = b.as_mut().poll(cx) {
                        rb = Some(v);
                    }
                }
                if ra.is_some() && rb.is_some() {
                    Poll::Ready((ra.take().unwrap(), rb.take().unwrap()))
                } else {
                    Poll::Pending
                }
            })
            .await
        });
        assert_eq!(a.unwrap().expose_secret(), "shared");
        assert_eq!(b.unwrap().expose_secret(), "shared");
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn static_token_is_never_refreshed() {
        let cache = TokenCache::new(StaticToken::new("fixed"));
        assert_eq!(block_on(cache.get(0)).unwrap().expose_secret(), "fixed");
        assert!(!cache.invalidate());
        assert_eq!(
            block_on(cache.get(u64::MAX)).unwrap().expose_secret(),
            "fixed"
        );
    }

    #[test]
    fn empty_token_is_refused() {
        let cache = TokenCache::new(|| async { Ok(AccessToken::new("", None)) });
        assert_eq!(
            block_on(cache.get(0)).unwrap_err().code(),
            "invalid_request"
        );
    }
}
