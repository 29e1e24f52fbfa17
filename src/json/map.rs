//! [`Map`]: an insertion-ordered JSON object without hashing.

use super::Value;

/// Up to this many entries a lookup scans the entries; above it a sorted index is kept.
const SCAN: usize = 12;

/// A JSON object: keys in insertion order (like serde_json's `Map` with `preserve_order`),
/// no hashing. Small maps are scanned; larger ones keep an index of entry positions sorted
/// by key (binary search), so lookups stay logarithmic on a hostile 100k-key object.
#[derive(Clone, Default)]
pub struct Map {
    entries: Vec<(String, Value)>,
    /// Empty, or every entry position sorted by key.
    index: Vec<u32>,
}

impl Map {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map with room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        Map {
            entries: Vec::with_capacity(n),
            index: Vec::new(),
        }
    }

    /// Builds a map from entries in order; a repeated key keeps its first position and its
    /// last value (what parsing a JSON object gives). O(n log n).
    pub fn from_entries(mut entries: Vec<(String, Value)>) -> Self {
        if entries.len() <= SCAN {
            let mut m = Map::with_capacity(entries.len());
            for (k, v) in entries {
                m.insert(k, v);
            }
            return m;
        }
        let mut index = sorted_index(&entries);
        let dup = index
            .windows(2)
            .any(|w| key_at(&entries, w[0]) == key_at(&entries, w[1]));
        if dup {
            // Move each group's last value into its first entry, then drop the rest.
            let mut keep = vec![true; entries.len()];
            let mut g = 0;
            while g < index.len() {
                let mut e = g + 1;
                while e < index.len() && key_at(&entries, index[e]) == key_at(&entries, index[g]) {
                    keep[index[e] as usize] = false;
                    e += 1;
                }
                if e - g > 1 {
                    let (first, last) = (index[g] as usize, index[e - 1] as usize);
                    let v = std::mem::take(&mut entries[last].1);
                    entries[first].1 = v;
                }
                g = e;
            }
            let mut new_pos = vec![0u32; entries.len()];
            let mut n = 0u32;
            for (i, k) in keep.iter().enumerate() {
                new_pos[i] = n;
                n += u32::from(*k);
            }
            let mut i = 0;
            entries.retain(|_| {
                i += 1;
                keep[i - 1]
            });
            index.retain(|&p| keep[p as usize]);
            for p in &mut index {
                *p = new_pos[*p as usize];
            }
        }
        let mut m = Map { entries, index };
        if m.entries.len() <= SCAN {
            m.index.clear();
        }
        m
    }

    fn find(&self, key: &str) -> Option<usize> {
        if self.index.is_empty() {
            return self.entries.iter().position(|(k, _)| k == key);
        }
        self.slot(key)
            .ok()
            .and_then(|s| self.index.get(s))
            .map(|&p| p as usize)
    }

    /// Binary search of `key` in the index: `Ok(slot)` or `Err(insertion slot)`.
    fn slot(&self, key: &str) -> Result<usize, usize> {
        self.index
            .binary_search_by(|&p| key_at(&self.entries, p).cmp(key))
    }

    fn build_index(&mut self) {
        self.index = sorted_index(&self.entries);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.find(key)
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    /// The value of `key`, mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.find(key)
            .and_then(|i| self.entries.get_mut(i))
            .map(|(_, v)| v)
    }

    /// The stored key and value of `key`.
    pub fn get_key_value(&self, key: &str) -> Option<(&String, &Value)> {
        self.find(key)
            .and_then(|i| self.entries.get(i))
            .map(|(k, v)| (k, v))
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    /// Sets `key` to `value`: an existing key keeps its position and its old value is
    /// returned; a new key goes last.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        if let Some(slot) = self.find(&key).and_then(|i| self.entries.get_mut(i)) {
            return Some(std::mem::replace(&mut slot.1, value));
        }
        self.push_new(key, value);
        None
    }

    /// Appends a key known to be absent; returns its position.
    fn push_new(&mut self, key: String, value: Value) -> usize {
        let pos = self.entries.len();
        if self.index.is_empty() {
            self.entries.push((key, value));
            if self.entries.len() > SCAN {
                self.build_index();
            }
        } else {
            let s = self.slot(&key).unwrap_or_else(|s| s);
            self.entries.push((key, value));
            self.index.insert(s, pos as u32);
        }
        pos
    }

    /// Removes `key`, moving the last entry into its place (serde_json's `remove` with
    /// `preserve_order`, an `IndexMap::swap_remove`).
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.swap_remove(key)
    }

    /// Removes `key`, moving the last entry into its place.
    pub fn swap_remove(&mut self, key: &str) -> Option<Value> {
        let pos = self.find(key)?;
        if !self.index.is_empty() {
            if let Ok(s) = self.slot(key) {
                self.index.remove(s);
            }
            let last = (self.entries.len() - 1) as u32;
            if pos as u32 != last {
                if let Some(p) = self.index.iter_mut().find(|p| **p == last) {
                    *p = pos as u32;
                }
            }
        }
        let (_, v) = self.entries.swap_remove(pos);
        Some(v)
    }

    /// Removes `key`, keeping the order of the others.
    pub fn shift_remove(&mut self, key: &str) -> Option<Value> {
        let pos = self.find(key)?;
        if !self.index.is_empty() {
            if let Ok(s) = self.slot(key) {
                self.index.remove(s);
            }
            for p in &mut self.index {
                if *p as usize > pos {
                    *p -= 1;
                }
            }
        }
        Some(self.entries.remove(pos).1)
    }

    /// Keeps the entries for which `f` is true, in order.
    pub fn retain(&mut self, mut f: impl FnMut(&String, &mut Value) -> bool) {
        self.retain_dyn(&mut f);
    }

    /// One copy of [`Map::retain`]'s body for every closure.
    fn retain_dyn(&mut self, f: &mut dyn FnMut(&String, &mut Value) -> bool) {
        let before = self.entries.len();
        self.entries.retain_mut(|(k, v)| f(k, v));
        if self.entries.len() != before {
            self.index.clear();
            if self.entries.len() > SCAN {
                self.build_index();
            }
        }
    }

    /// Moves every entry of `other` into `self` (inserted in order), leaving it empty.
    pub fn append(&mut self, other: &mut Map) {
        let entries = std::mem::take(&mut other.entries);
        other.index.clear();
        self.extend(entries);
    }

    /// The entry of `key`, for in-place insertion.
    pub fn entry(&mut self, key: impl Into<String>) -> Entry<'_> {
        self.entry_of(key.into())
    }

    fn entry_of(&mut self, key: String) -> Entry<'_> {
        match self.find(&key) {
            Some(pos) => Entry::Occupied(OccupiedEntry { map: self, pos }),
            None => Entry::Vacant(VacantEntry { map: self, key }),
        }
    }

    /// Entries in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    /// Entries in order, values mutable.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.entries.iter_mut())
    }

    /// Keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Values in order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Values in order, mutable.
    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Values in order, owned.
    pub fn into_values(self) -> impl DoubleEndedIterator<Item = Value> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    /// Keys in order, owned.
    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = String> + ExactSizeIterator {
        self.entries.into_iter().map(|(k, _)| k)
    }
}

/// Entry positions sorted by key, equal keys by position: a bottom-up merge sort (small code,
/// no generic std sort instance in the wasm), O(n log n).
fn sorted_index(entries: &[(String, Value)]) -> Vec<u32> {
    let n = entries.len();
    let mut a: Vec<u32> = (0..n as u32).collect();
    let mut b = vec![0u32; n];
    let mut width = 1;
    while width < n {
        let mut i = 0;
        while i < n {
            let mid = (i + width).min(n);
            let end = (i + 2 * width).min(n);
            let (mut l, mut r) = (i, mid);
            for slot in &mut b[i..end] {
                let left = l < mid && (r >= end || key_at(entries, a[l]) <= key_at(entries, a[r]));
                if left {
                    *slot = a[l];
                    l += 1;
                } else {
                    *slot = a[r];
                    r += 1;
                }
            }
            i = end;
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    a
}

fn key_at(entries: &[(String, Value)], p: u32) -> &str {
    entries.get(p as usize).map_or("", |(k, _)| k.as_str())
}

impl PartialEq for Map {
    /// Same keys with equal values, order ignored (as serde_json's `Map`).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Eq for Map {}

impl std::fmt::Debug for Map {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl std::ops::Index<&str> for Map {
    type Output = Value;
    /// The value of `key`, `Null` when absent (no panic).
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&super::NULL)
    }
}

impl Extend<(String, Value)> for Map {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        if self.is_empty() {
            let entries: Vec<(String, Value)> = iter.into_iter().collect();
            *self = Map::from_entries(entries);
            return;
        }
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Map::from_entries(iter.into_iter().collect())
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a String, &'a mut Value);
    type IntoIter = IterMut<'a>;
    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

/// Iterator over a [`Map`]'s entries.
#[derive(Clone, Debug)]
pub struct Iter<'a>(std::slice::Iter<'a, (String, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// Iterator over a [`Map`]'s entries, values mutable.
#[derive(Debug)]
pub struct IterMut<'a>(std::slice::IterMut<'a, (String, Value)>);

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a String, &'a mut Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IterMut<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl ExactSizeIterator for IterMut<'_> {}

/// An entry of a [`Map`], from [`Map::entry`].
pub enum Entry<'a> {
    /// The key is present.
    Occupied(OccupiedEntry<'a>),
    /// The key is absent.
    Vacant(VacantEntry<'a>),
}

/// A present entry.
pub struct OccupiedEntry<'a> {
    map: &'a mut Map,
    pos: usize,
}

/// An absent entry.
pub struct VacantEntry<'a> {
    map: &'a mut Map,
    key: String,
}

impl<'a> Entry<'a> {
    /// The value, inserting `default` when absent.
    pub fn or_insert(self, default: Value) -> &'a mut Value {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(default),
        }
    }

    /// The value, inserting `f()` when absent.
    pub fn or_insert_with(self, f: impl FnOnce() -> Value) -> &'a mut Value {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(f()),
        }
    }

    /// The entry's key.
    pub fn key(&self) -> &str {
        match self {
            Entry::Occupied(o) => o.key(),
            Entry::Vacant(v) => &v.key,
        }
    }
}

impl<'a> OccupiedEntry<'a> {
    /// The key.
    pub fn key(&self) -> &str {
        self.map.entries.get(self.pos).map_or("", |(k, _)| k)
    }

    /// The value.
    pub fn get(&self) -> &Value {
        self.map
            .entries
            .get(self.pos)
            .map_or(&super::NULL, |(_, v)| v)
    }

    /// The value, mutable.
    pub fn get_mut(&mut self) -> &mut Value {
        let n = self.map.entries.len();
        // `pos` is always in range; the fallback keeps the code panic-free.
        let pos = self.pos.min(n.saturating_sub(1));
        &mut self.map.entries[pos].1
    }

    /// The value, mutable, for the map's lifetime.
    pub fn into_mut(self) -> &'a mut Value {
        let n = self.map.entries.len();
        let pos = self.pos.min(n.saturating_sub(1));
        &mut self.map.entries[pos].1
    }

    /// Replaces the value, returning the old one.
    pub fn insert(&mut self, v: Value) -> Value {
        std::mem::replace(self.get_mut(), v)
    }
}

impl<'a> VacantEntry<'a> {
    /// The key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Inserts the value, returning it mutable.
    pub fn insert(self, v: Value) -> &'a mut Value {
        let pos = self.map.push_new(self.key, v);
        let pos = pos.min(self.map.entries.len().saturating_sub(1));
        &mut self.map.entries[pos].1
    }
}
