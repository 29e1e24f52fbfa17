//! A small key-value storage trait: in memory for native tests, a Durable Object's storage in
//! the Worker. Values are JSON strings. A Durable Object runs one request at a time, so a
//! read-check-write sequence on one store is atomic as long as it awaits nothing but the store.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

use crate::error::Error;

/// Keys starting with this prefix hold values whose loss only relaxes a limit (the per-user
/// rate-limit window). A store may keep them in memory only: the Worker's Durable Object store
/// does, so a request costs no storage write for them; [`MemoryStore`] treats them like any key.
pub const VOLATILE_PREFIX: &str = "~";

/// Key-value storage.
pub trait Store {
    /// The value at `key`.
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<String>, Error>>;
    /// Sets `key` to `value`.
    fn put(&self, key: &str, value: String) -> impl Future<Output = Result<(), Error>>;
    /// Removes `key`; `true` when it existed.
    fn delete(&self, key: &str) -> impl Future<Output = Result<bool, Error>>;
    /// Every `(key, value)` whose key starts with `prefix`, in key order.
    fn list(&self, prefix: &str) -> impl Future<Output = Result<Vec<(String, String)>, Error>>;
}

/// An in-memory [`Store`]; clones share the same map.
///
/// ```
/// use composio_edge::store::{MemoryStore, Store};
/// use composio_edge::runtime::block_on;
/// let s = MemoryStore::default();
/// block_on(s.put("a/1", "x".into())).unwrap();
/// assert_eq!(block_on(s.get("a/1")).unwrap().as_deref(), Some("x"));
/// assert_eq!(block_on(s.list("a/")).unwrap().len(), 1);
/// assert!(block_on(s.delete("a/1")).unwrap());
/// ```
#[derive(Clone, Default, Debug)]
pub struct MemoryStore(Rc<RefCell<BTreeMap<String, String>>>);

impl MemoryStore {
    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }
    /// `true` when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
}

impl Store for MemoryStore {
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<String>, Error>> {
        std::future::ready(Ok(self.0.borrow().get(key).cloned()))
    }
    fn put(&self, key: &str, value: String) -> impl Future<Output = Result<(), Error>> {
        self.0.borrow_mut().insert(key.to_owned(), value);
        std::future::ready(Ok(()))
    }
    fn delete(&self, key: &str) -> impl Future<Output = Result<bool, Error>> {
        std::future::ready(Ok(self.0.borrow_mut().remove(key).is_some()))
    }
    fn list(&self, prefix: &str) -> impl Future<Output = Result<Vec<(String, String)>, Error>> {
        let map = self.0.borrow();
        let out = map
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        std::future::ready(Ok(out))
    }
}

impl<S: Store> Store for &S {
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<String>, Error>> {
        (**self).get(key)
    }
    fn put(&self, key: &str, value: String) -> impl Future<Output = Result<(), Error>> {
        (**self).put(key, value)
    }
    fn delete(&self, key: &str) -> impl Future<Output = Result<bool, Error>> {
        (**self).delete(key)
    }
    fn list(&self, prefix: &str) -> impl Future<Output = Result<Vec<(String, String)>, Error>> {
        (**self).list(prefix)
    }
}
