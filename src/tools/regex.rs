//! A small backtracking matcher for the ECMA-262 subset JSON Schema `pattern`s use in practice:
//! `^ $ . [..] [^..]`, ranges, `\d \w \s \D \W \S \b \B`, escapes, `* + ? {m} {m,} {m,n}` (and lazy
//! variants), `|`, capturing, non-capturing and named groups. Search semantics, like `RegExp.test`.
//! Unsupported syntax (lookarounds, back-references, flags, `\p{..}`) and runaway backtracking give
//! `None`, so the caller can skip the check rather than reject.

use std::cell::Cell;

const INF: usize = usize::MAX;
const STEP_LIMIT: u32 = 200_000;
const DEPTH_LIMIT: u32 = 600;
/// Deepest group nesting the parser follows; deeper patterns are declined (`None`) instead of
/// exhausting the stack (a Worker's wasm stack is far smaller than a native thread's).
const NEST_LIMIT: u32 = 64;

enum Node {
    Lit(char),
    Any,
    Class(Box<Class>),
    Start,
    End,
    Word(bool),
    Group(Vec<Vec<Node>>),
    Rep(Box<Node>, usize, usize, bool),
}

#[derive(Default)]
struct Class {
    ranges: Vec<(char, char)>,
    short: Vec<(char, bool)>,
    neg: bool,
}

enum Esc {
    Char(char),
    Short(char, bool),
    Word(bool),
}

/// `Some(matched)` for a supported pattern, `None` when the pattern is unsupported or too costly.
pub(crate) fn is_match(pattern: &str, text: &str) -> Option<bool> {
    let mut p = Parser {
        c: pattern.chars().collect(),
        i: 0,
        nest: 0,
    };
    let alts = p.alt()?;
    if p.i != p.c.len() {
        return None;
    }
    let prog = [Node::Group(alts)];
    let m = Matcher {
        t: text.chars().collect(),
        steps: Cell::new(0),
        depth: Cell::new(0),
    };
    for start in 0..=m.t.len() {
        if m.m(&prog, start, &mut |_| true) {
            return Some(true);
        }
        if m.steps.get() > STEP_LIMIT {
            return None;
        }
    }
    Some(false)
}

struct Parser {
    c: Vec<char>,
    i: usize,
    nest: u32,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.i += 1;
        c
    }

    fn alt(&mut self) -> Option<Vec<Vec<Node>>> {
        let mut alts = vec![self.seq()?];
        while self.peek() == Some('|') {
            self.i += 1;
            alts.push(self.seq()?);
        }
        Some(alts)
    }

    fn seq(&mut self) -> Option<Vec<Node>> {
        let mut v = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let a = self.atom()?;
            v.push(self.quant(a)?);
        }
        Some(v)
    }

    fn atom(&mut self) -> Option<Node> {
        Some(match self.next()? {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '(' => {
                if self.peek() == Some('?') {
                    self.i += 1;
                    match self.next()? {
                        ':' => {}
                        '<' if !matches!(self.peek(), Some('=' | '!')) => {
                            while self.next()? != '>' {}
                        }
                        _ => return None,
                    }
                }
                if self.nest >= NEST_LIMIT {
                    return None;
                }
                self.nest += 1;
                let a = self.alt()?;
                self.nest -= 1;
                if self.next()? != ')' {
                    return None;
                }
                Node::Group(a)
            }
            '[' => self.class()?,
            '\\' => match self.esc(false)? {
                Esc::Char(c) => Node::Lit(c),
                Esc::Short(k, n) => Node::Class(Box::new(Class {
                    short: vec![(k, n)],
                    ..Class::default()
                })),
                Esc::Word(b) => Node::Word(b),
            },
            '*' | '+' | '?' => return None,
            '{' => {
                self.i -= 1;
                if self.braces().is_some() {
                    return None;
                }
                self.i += 1;
                Node::Lit('{')
            }
            c => Node::Lit(c),
        })
    }

    fn quant(&mut self, a: Node) -> Option<Node> {
        let (min, max) = match self.peek() {
            Some(c @ ('*' | '+' | '?')) => {
                self.i += 1;
                match c {
                    '*' => (0, INF),
                    '+' => (1, INF),
                    _ => (0, 1),
                }
            }
            Some('{') => match self.braces() {
                Some(r) => r,
                None => return Some(a),
            },
            _ => return Some(a),
        };
        if matches!(a, Node::Start | Node::End | Node::Word(_)) {
            return None;
        }
        let lazy = self.peek() == Some('?');
        if lazy {
            self.i += 1;
        }
        Some(Node::Rep(Box::new(a), min, max, !lazy))
    }

    /// Parses `{m}`, `{m,}` or `{m,n}` at `self.i`; on success leaves `self.i` after `}`,
    /// on failure restores it.
    fn braces(&mut self) -> Option<(usize, usize)> {
        let save = self.i;
        self.i += 1;
        let r = self.braces_inner();
        if r.is_none() {
            self.i = save;
        }
        r
    }

    fn braces_inner(&mut self) -> Option<(usize, usize)> {
        let min = self.num()?;
        let max = if self.peek() == Some(',') {
            self.i += 1;
            if self.peek() == Some('}') {
                INF
            } else {
                self.num()?
            }
        } else {
            min
        };
        (self.next()? == '}' && max >= min).then_some((min, max))
    }

    fn num(&mut self) -> Option<usize> {
        let start = self.i;
        let mut n: usize = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = n
                .saturating_mul(10)
                .saturating_add(d as usize)
                .min(1_000_000);
            self.i += 1;
        }
        (self.i > start).then_some(n)
    }

    fn class(&mut self) -> Option<Node> {
        let mut cl = Class::default();
        if self.peek() == Some('^') {
            self.i += 1;
            cl.neg = true;
        }
        loop {
            let lo = match self.next()? {
                ']' => break,
                '\\' => match self.esc(true)? {
                    Esc::Char(c) => c,
                    Esc::Short(k, n) => {
                        cl.short.push((k, n));
                        continue;
                    }
                    Esc::Word(_) => return None,
                },
                c => c,
            };
            if self.peek() == Some('-') && self.c.get(self.i + 1).is_some_and(|&d| d != ']') {
                self.i += 1;
                let hi = match self.next()? {
                    '\\' => match self.esc(true)? {
                        Esc::Char(c) => c,
                        _ => return None,
                    },
                    c => c,
                };
                if hi < lo {
                    return None;
                }
                cl.ranges.push((lo, hi));
            } else {
                cl.ranges.push((lo, lo));
            }
        }
        Some(Node::Class(Box::new(cl)))
    }

    fn esc(&mut self, in_class: bool) -> Option<Esc> {
        let c = self.next()?;
        Some(Esc::Char(match c {
            'd' | 'w' | 's' => return Some(Esc::Short(c, false)),
            'D' | 'W' | 'S' => return Some(Esc::Short(c.to_ascii_lowercase(), true)),
            'b' if in_class => '\u{8}',
            'b' | 'B' => return Some(Esc::Word(c == 'b')),
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'f' => '\u{c}',
            'v' => '\u{b}',
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => '\0',
            'x' => self.hex(2)?,
            'u' => self.hex(4)?,
            c if c.is_ascii_alphanumeric() => return None,
            c => c,
        }))
    }

    fn hex(&mut self, n: usize) -> Option<char> {
        let s: String = self.c.get(self.i..self.i + n)?.iter().collect();
        self.i += n;
        char::from_u32(u32::from_str_radix(&s, 16).ok()?)
    }
}

struct Matcher {
    t: Vec<char>,
    steps: Cell<u32>,
    depth: Cell<u32>,
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn short(k: char, c: char) -> bool {
    match k {
        'd' => c.is_ascii_digit(),
        'w' => is_word(c),
        _ => c.is_whitespace() || c == '\u{feff}',
    }
}

impl Matcher {
    fn one(&self, n: &Node, c: char) -> Option<bool> {
        Some(match n {
            Node::Lit(l) => *l == c,
            Node::Any => !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'),
            Node::Class(cl) => {
                let hit = cl.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
                    || cl.short.iter().any(|&(k, n)| short(k, c) != n);
                hit != cl.neg
            }
            _ => return None,
        })
    }

    fn at(&self, pos: usize) -> Option<char> {
        self.t.get(pos).copied()
    }

    fn m(&self, seq: &[Node], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        let s = self.steps.get() + 1;
        self.steps.set(s);
        if s > STEP_LIMIT || self.depth.get() > DEPTH_LIMIT {
            self.steps.set(STEP_LIMIT + 1);
            return false;
        }
        self.depth.set(self.depth.get() + 1);
        let r = self.step(seq, pos, k);
        self.depth.set(self.depth.get() - 1);
        r
    }

    fn step(&self, seq: &[Node], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        let Some((n, rest)) = seq.split_first() else {
            return k(pos);
        };
        match n {
            Node::Start => pos == 0 && self.m(rest, pos, k),
            Node::End => pos == self.t.len() && self.m(rest, pos, k),
            Node::Word(b) => {
                let w = |p: Option<char>| p.is_some_and(is_word);
                let before = pos.checked_sub(1).and_then(|p| self.at(p));
                (w(before) != w(self.at(pos))) == *b && self.m(rest, pos, k)
            }
            Node::Group(alts) => alts
                .iter()
                .any(|a| self.m(a, pos, &mut |p| self.m(rest, p, k))),
            Node::Rep(a, min, max, greedy) => {
                if self.one(a, ' ').is_none() {
                    return self.rep(a, (*min, *max, *greedy), 0, pos, rest, k);
                }
                let mut n = 0;
                while n < *max && self.at(pos + n).and_then(|c| self.one(a, c)) == Some(true) {
                    n += 1;
                }
                if n < *min {
                    return false;
                }
                if *greedy {
                    (*min..=n).rev().any(|j| self.m(rest, pos + j, k))
                } else {
                    (*min..=n).any(|j| self.m(rest, pos + j, k))
                }
            }
            single => {
                self.at(pos).and_then(|c| self.one(single, c)) == Some(true)
                    && self.m(rest, pos + 1, k)
            }
        }
    }

    fn rep(
        &self,
        a: &Node,
        q: (usize, usize, bool),
        count: usize,
        pos: usize,
        rest: &[Node],
        k: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        let (min, max, greedy) = q;
        if !greedy && count >= min && self.m(rest, pos, k) {
            return true;
        }
        if count < max
            && self.m(std::slice::from_ref(a), pos, &mut |p| {
                (p != pos || count < min) && self.rep(a, q, count + 1, p, rest, k)
            })
        {
            return true;
        }
        greedy && count >= min && self.m(rest, pos, k)
    }
}

#[cfg(test)]
mod tests {
    use super::is_match;

    #[test]
    fn table() {
        let cases: &[(&str, &str, Option<bool>)] = &[
            ("^[a-z]+$", "abc", Some(true)),
            ("^[a-z]+$", "abC", Some(false)),
            ("b", "abc", Some(true)),
            ("^\\d{3}-\\d{4}$", "555-1234", Some(true)),
            ("^\\d{3}-\\d{4}$", "555-12345", Some(false)),
            ("^(ab|cd)*$", "abcdab", Some(true)),
            ("^(ab|cd)*$", "abcda", Some(false)),
            ("^a.*?b$", "axxb", Some(true)),
            ("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", "a@b.co", Some(true)),
            ("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", "a b@c.d", Some(false)),
            ("^[A-Za-z0-9_-]+$", "GMAIL_SEND-1", Some(true)),
            ("^(?:x{2,3})$", "xxxx", Some(false)),
            ("^(?:x{2,3})$", "xxx", Some(true)),
            ("^a{2,}$", "aaaaa", Some(true)),
            ("a{,3}", "a{,3}", Some(true)),
            ("\\bfoo\\b", "a foo b", Some(true)),
            ("\\bfoo\\b", "afoob", Some(false)),
            ("^(?<y>\\d{4})-\\d\\d$", "2024-01", Some(true)),
            ("^\\w+\\.\\W$", "ab.!", Some(true)),
            ("^[\\d.]+$", "1.5", Some(true)),
            ("^$", "", Some(true)),
            ("^(a|)+$", "aaa", Some(true)),
            (
                "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$",
                "john.doe+x@mail.example.org",
                Some(true),
            ),
            (
                "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$",
                "john@localhost",
                Some(false),
            ),
            ("^\\+?[1-9]\\d{1,14}$", "+14155552671", Some(true)),
            ("^\\+?[1-9]\\d{1,14}$", "014155552671", Some(false)),
            ("^https?://", "http://x", Some(true)),
            ("^https?://", "ftp://x", Some(false)),
            (
                "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                "123e4567-e89b-12d3-a456-426614174000",
                Some(true),
            ),
            ("^#[0-9A-Fa-f]{6}$", "#00ffAA", Some(true)),
            ("^\\S+$", "a b", Some(false)),
            ("^[\\w\\-]+/[^/]+$", "owner-1/repo.name", Some(true)),
            ("^\\/api\\/v\\d$", "/api/v3", Some(true)),
            ("^[\\u0041-\\x5A]+$", "ABZ", Some(true)),
            ("colou?r", "my color", Some(true)),
            ("^(?:\\d+,)*\\d+$", "1,22,333", Some(true)),
            ("^a+?$", "aaa", Some(true)),
            ("^.$", "\n", Some(false)),
            ("^(?!\\s*$).+", "x", None),
            ("(?=a)", "a", None),
            ("\\1", "a", None),
            ("\\p{L}", "a", None),
            ("(", "a", None),
            ("[a-", "a", None),
            ("*a", "a", None),
            (
                "^(a+)+$",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
                None,
            ),
        ];
        for (p, t, want) in cases {
            assert_eq!(is_match(p, t), *want, "pattern {p} on {t}");
        }
    }

    #[test]
    fn deep_group_nesting_is_declined_not_overflowed() {
        let deep = format!("{}a{}", "(?:".repeat(20_000), ")".repeat(20_000));
        assert_eq!(is_match(&deep, "a"), None);
        assert_eq!(is_match(&"(".repeat(100_000), "a"), None);
        let ok = format!("^{}a{}$", "(".repeat(60), ")".repeat(60));
        assert_eq!(is_match(&ok, "a"), Some(true));
    }

    #[test]
    fn long_text_does_not_overflow() {
        let t = "a".repeat(200_000);
        assert_eq!(is_match("^a*$", &t), Some(true));
        assert_eq!(is_match("^[a-z]+b$", &t[..1000]), Some(false));
        assert_eq!(is_match("^(a)*$", &t), None);
    }
}
