//! Span-preserving YAML: a tree of [`Node`]s, each with its span, read the way the tools that
//! deploy a file read it.
//!
//! - [`libyaml`]: events from libyaml (`unsafe-libyaml`), the parser go-yaml ports, so rampart
//!   accepts what kubectl and docker compose accept (saphyr-parser rejected some such files).
//! - [`builder`]: events → nodes with spans, anchors, aliases, merge keys, duplicate keys and
//!   depth limits.
//! - [`resolve`]: plain scalars resolved per reader (YAML 1.2 core, kubectl's YAML 1.1, Compose's
//!   go-yaml v3); each plain scalar whose meaning depends on it keeps its source text.

use std::borrow::Cow;

use crate::source::{Span, TextError};

mod builder;
mod libyaml;
mod outline;
pub mod resolve;

pub use builder::parse_stream;
pub use outline::Outline;
pub use resolve::{Schema, plain_value, resolve_plain};

/// Deepest nesting of collections accepted in a document.
pub const MAX_DEPTH: usize = 512;

/// A YAML node with its source span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    /// Which file of a multi-file resource the node comes from: 0 is the resource's own file,
    /// `n` its `n`th extra file (Compose override and `extends` files). Always 0 for
    /// Kubernetes objects.
    pub origin: u32,
    /// The node's tag and source text, which few nodes have: boxed, so that a node takes 72
    /// bytes instead of 96 (the span trees are the larger part of what a run holds).
    pub extra: Option<Box<Extra>>,
    pub value: NodeValue,
}

/// What a few nodes have besides their value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extra {
    /// A non-core tag such as `!reset` (core tags like `!!str` are applied, not kept).
    pub tag: Option<Box<str>>,
    /// The source text of a plain scalar whose value depends on who reads it (`on`, `0644`,
    /// `1e3`): kept to resolve it again for the document's kind ([`Node::resolve`]) and to
    /// quote what the user wrote.
    pub raw: Option<Box<str>>,
}

impl Extra {
    /// A node's extra, boxed only when it has a tag or a source text.
    pub fn of(tag: Option<Box<str>>, raw: Option<Box<str>>) -> Option<Box<Extra>> {
        (tag.is_some() || raw.is_some()).then(|| Box::new(Extra { tag, raw }))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Box<str>),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Entry {
    /// The span of the whole entry, key through value.
    pub fn span(&self) -> Span {
        self.key.span.to(self.value.span)
    }
}

/// Strings up to this long are shared between the values of a worker's documents.
const INTERNED_LEN: usize = 32;
/// How many distinct strings a worker shares, at most.
const INTERNED_MAX: usize = 8192;

thread_local! {
    // foldhash (already built, through serde_json): SipHash made the lookups a
    // twentieth of loading. Seeded per process, and the map is bounded.
    static INTERNED: std::cell::RefCell<
        std::collections::HashMap<Box<str>, regorus::Value, foldhash::fast::RandomState>,
    > = Default::default();
}

/// A string value, shared with the equal ones a worker made before when short: keys and
/// values like `name`, `image`, `TCP` repeat in every manifest, and a string of its own each
/// time was a tenth of the memory a run holds. Bounded, so unique strings cannot grow it.
fn interned(s: &str) -> regorus::Value {
    if s.len() > INTERNED_LEN {
        return regorus::Value::String(s.into());
    }
    INTERNED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(v) = cache.get(s) {
            return v.clone();
        }
        let v = regorus::Value::String(s.into());
        if cache.len() < INTERNED_MAX {
            cache.insert(s.into(), v.clone());
        }
        v
    })
}

/// One segment of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(untagged)]
pub enum PathSeg {
    Key(std::sync::Arc<str>),
    Index(usize),
}

impl std::fmt::Display for PathSeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathSeg::Key(k) => f.write_str(k),
            PathSeg::Index(i) => write!(f, "{i}"),
        }
    }
}

/// Where a path landed in a document.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Located {
    /// The span of the deepest node found: a mapping entry (key through value) or a node.
    pub span: Span,
    /// The span of just the key (for entries) or the node's first line, for compact labels.
    pub head: Span,
    /// How many segments of the path exist in the document.
    pub depth: usize,
    /// The [`Node::origin`] of the node found.
    pub origin: u32,
}

impl Node {
    /// A node without tag or source text.
    pub fn new(span: Span, origin: u32, value: NodeValue) -> Node {
        Node {
            span,
            origin,
            extra: None,
            value,
        }
    }

    /// Its non-core tag ([`Extra::tag`]).
    pub fn tag(&self) -> Option<&str> {
        self.extra.as_ref()?.tag.as_deref()
    }

    /// Its source text, for a plain scalar whose value depends on the reader ([`Extra::raw`]).
    pub fn raw(&self) -> Option<&str> {
        self.extra.as_ref()?.raw.as_deref()
    }

    /// Drops its tag (a Compose merge tag once applied).
    pub fn clear_tag(&mut self) {
        if let Some(extra) = &mut self.extra {
            extra.tag = None;
            if extra.raw.is_none() {
                self.extra = None;
            }
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, NodeValue::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            NodeValue::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?
            .iter()
            .find(|e| e.key.key_text().as_deref() == Some(key))
    }

    /// The text of a scalar as a mapping key (numbers and booleans in their canonical form).
    pub fn key_text(&self) -> Option<Cow<'_, str>> {
        Some(match &self.value {
            NodeValue::Str(s) => Cow::Borrowed(&**s),
            NodeValue::Int(i) => Cow::Owned(i.to_string()),
            NodeValue::Float(f) => Cow::Owned(f.to_string()),
            NodeValue::Bool(b) => Cow::Owned(b.to_string()),
            NodeValue::Null => Cow::Borrowed("null"),
            _ => return None,
        })
    }

    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "boolean",
            NodeValue::Int(_) | NodeValue::Float(_) => "number",
            NodeValue::Str(_) => "string",
            NodeValue::Seq(_) => "sequence",
            NodeValue::Map(_) => "mapping",
        }
    }

    /// Resolves a path of keys and indices to the deepest node that exists on the way. Runs
    /// use the resource's [`Outline::locate`]; this is what it is tested against.
    #[cfg(test)]
    pub fn locate(&self, path: &[PathSeg]) -> Located {
        let mut node = self;
        let mut found = Located {
            span: self.span,
            head: first_line(self.span),
            depth: 0,
            origin: self.origin,
        };
        for seg in path {
            let next = match (&node.value, seg) {
                (NodeValue::Map(entries), seg) => {
                    let want = seg.to_string();
                    entries
                        .iter()
                        .find(|e| e.key.key_text().as_deref() == Some(want.as_str()))
                        .map(|e| (&e.value, e.span(), e.key.span, e.key.origin))
                }
                (NodeValue::Seq(items), PathSeg::Index(i)) => items
                    .get(*i)
                    .map(|n| (n, n.span, first_line(n.span), n.origin)),
                _ => None,
            };
            match next {
                Some((child, span, head, origin)) => {
                    node = child;
                    found = Located {
                        span,
                        head,
                        depth: found.depth + 1,
                        origin,
                    };
                }
                None => break,
            }
        }
        found
    }

    /// Converts the tree to a regorus value (mapping keys become strings, as Kubernetes and
    /// Compose read them).
    pub fn to_value(&self) -> regorus::Value {
        use regorus::Value;
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::from(*b),
            NodeValue::Int(i) => Value::from(*i),
            NodeValue::Float(f) => Value::from(*f),
            NodeValue::Str(s) => interned(s),
            NodeValue::Seq(items) => {
                Value::from(items.iter().map(Node::to_value).collect::<Vec<_>>())
            }
            NodeValue::Map(entries) => {
                let mut map = std::collections::BTreeMap::new();
                for e in entries {
                    let key = e.key.key_text().map_or_else(
                        || Value::String(format!("{:?}", e.key.to_json()).into()),
                        |k| interned(&k),
                    );
                    map.insert(key, e.value.to_value());
                }
                Value::from(map)
            }
        }
    }

    /// Converts the tree to JSON (used by tests and the JSON report).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Int(i) => Value::from(*i),
            NodeValue::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            NodeValue::Str(s) => Value::String(s.to_string()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| {
                        let k = e
                            .key
                            .key_text()
                            .map_or_else(|| e.key.to_json().to_string(), |k| k.into_owned());
                        (k, e.value.to_json())
                    })
                    .collect(),
            ),
        }
    }

    /// How many nodes the tree has, and how many collections deep it nests.
    pub(crate) fn size(&self) -> (usize, usize) {
        let add = |(count, height): (usize, usize), child: &Node| {
            let (c, h) = child.size();
            (count + c, height.max(h + 1))
        };
        match &self.value {
            NodeValue::Seq(items) => items.iter().fold((1, 1), add),
            NodeValue::Map(entries) => entries
                .iter()
                .flat_map(|e| [&e.key, &e.value])
                .fold((1, 1), add),
            _ => (1, 0),
        }
    }
}

/// The first line of a span (the whole span when it fits on one line).
pub(crate) fn first_line(span: Span) -> Span {
    if span.start.line == span.end.line {
        span
    } else {
        Span::new(span.start, span.start)
    }
}

/// A document of a YAML stream.
#[derive(Debug, PartialEq)]
pub struct Document {
    /// 0-based index in the stream.
    pub index: usize,
    pub root: Node,
}

/// The documents of a stream up to the first error, and that error.
#[derive(Debug, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub error: Option<TextError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_stays_small() {
        // Every YAML node of every input is held until the reports are written: 24 more
        // bytes a node were 20 MB more for 10,000 manifests.
        assert!(
            std::mem::size_of::<Node>() <= 72,
            "{}",
            std::mem::size_of::<Node>()
        );
    }

    fn one(text: &str) -> Node {
        let s = parse_stream(text);
        assert!(s.error.is_none(), "{:?}", s.error);
        s.documents.into_iter().next().unwrap().root
    }

    fn path(p: &[&str]) -> Vec<PathSeg> {
        p.iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => PathSeg::Index(i),
                Err(_) => PathSeg::Key((*s).into()),
            })
            .collect()
    }

    #[test]
    fn resolves_core_schema_scalars() {
        let n =
            one("a: 1\nb: 1.5\nc: true\nd: ~\ne: '1'\nf: 1e3\ng: yes\nh: 0x1F\ni: -2\nj: 08080\n");
        assert_eq!(
            n.to_json(),
            serde_json::json!({"a":1,"b":1.5,"c":true,"d":null,"e":"1","f":1000.0,"g":"yes","h":31,"i":-2,"j":8080})
        );
    }

    #[test]
    fn integers_take_only_digits_after_their_sign_and_prefix() {
        assert_eq!(plain_value("-0x1F"), NodeValue::Int(-31));
        assert_eq!(
            plain_value("-9223372036854775808"),
            NodeValue::Int(i64::MIN)
        );
        // `from_str_radix` would take the inner sign; negating its `i64::MIN` overflowed.
        for text in ["-0x-8000000000000000", "0x+5", "0o-7", "+-1"] {
            assert_eq!(plain_value(text), NodeValue::Str(text.into()), "{text}");
        }
        assert_eq!(
            plain_value("9223372036854775808"),
            NodeValue::Float(9223372036854775808.0)
        );
    }

    #[test]
    fn locates_entries_and_items() {
        let text = "spec:\n  containers:\n    - name: api\n      image: x\n    - name: b\n";
        let n = one(text);
        let at = n.locate(&path(&["spec", "containers", "1", "name"]));
        assert_eq!((at.span.start.line, at.span.start.col), (5, 7));
        assert_eq!(at.depth, 4);
        // A missing field resolves to the nearest existing node: the list item.
        let at = n.locate(&path(&["spec", "containers", "0", "livenessProbe"]));
        assert_eq!((at.span.start.line, at.span.start.col), (3, 7));
        assert_eq!(at.depth, 3);
        assert_eq!((at.span.end.line, at.span.end.col), (4, 15));
    }

    #[test]
    fn merges_and_aliases() {
        let n = one("base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: 3\nlist: [*b]\n");
        assert_eq!(
            n.to_json(),
            serde_json::json!({"base":{"x":1,"y":2},"obj":{"y":3,"x":1},"list":[{"x":1,"y":2}]})
        );
        let quoted = one("\"<<\": 1\n");
        assert_eq!(quoted.to_json(), serde_json::json!({"<<": 1}));
    }

    #[test]
    fn alias_bomb_is_an_error() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                [prev.as_str(); 10].join(", ")
            ));
        }
        let s = parse_stream(&text);
        let e = s.error.expect("bomb must fail");
        assert!(e.message.contains("alias"), "{}", e.message);
    }

    #[test]
    fn nested_anchors_count_as_copies() {
        // No alias at all: each of the 100 anchors keeps its own copy of the 20 000 items.
        let text = format!(
            "a: {}{}{}\n",
            (0..100).map(|i| format!("&a{i} [")).collect::<String>(),
            vec!["x"; 20_000].join(", "),
            "]".repeat(100)
        );
        let e = parse_stream(&text).error.expect("must fail");
        assert!(e.message.contains("alias bomb"), "{}", e.message);
        // A few anchors around the same list are fine.
        let text = format!("a: &a [&b [&c [{}]]]\n", vec!["x"; 20_000].join(", "));
        assert!(parse_stream(&text).error.is_none());
    }

    #[test]
    fn merging_a_large_mapping_keeps_every_key_once() {
        let keys: Vec<String> = (0..20_000).map(|i| format!("k{i}: {i}")).collect();
        let text = format!(
            "a: &a {{{}}}\nb:\n  <<: [*a, {{k0: x, z: 1}}]\n  k1: own\n",
            keys.join(", ")
        );
        let n = one(&text);
        let b = n.get("b").unwrap().as_map().unwrap();
        assert_eq!(b.len(), 20_001);
        assert_eq!(n.get("b").unwrap().get("k0").unwrap().to_json(), 0);
        assert_eq!(n.get("b").unwrap().get("k1").unwrap().as_str(), Some("own"));
        assert_eq!(n.get("b").unwrap().get("z").unwrap().to_json(), 1);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse_stream(&text).error.expect("too deep");
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion"),
            "{}",
            e.message
        );
    }

    #[test]
    fn aliases_cannot_nest_deeper_than_the_limit() {
        let nest = |inner: &str| format!("{}{inner}{}", "[".repeat(200), "]".repeat(200));
        // 400 levels through one alias are fine; 600 through two are not.
        let text = format!("a: &a {}\nb: &b {}\n", nest("x"), nest("*a"));
        assert!(parse_stream(&text).error.is_none());
        let text = format!("{text}c: {}\n", nest("*b"));
        let e = parse_stream(&text).error.expect("too deep");
        assert!(e.message.contains("nesting deeper"), "{}", e.message);
        assert_eq!((e.pos.line, e.pos.col), (3, 204));
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let e = parse_stream("a: 1\nb: 2\na: 3\n").error.unwrap();
        assert_eq!((e.pos.line, e.pos.col), (3, 1));
        // Small mappings are searched pair by pair, larger ones through a hash map: both
        // report the first repeated key against the key's first line, and read `1` and `"1"`
        // as one key.
        for filler in [2, 30] {
            let mut text: String = (0..filler).map(|i| format!("k{i}: 0\n")).collect();
            text = format!("1: a\n{text}x: b\n\"1\": c\nx: d\n");
            let e = parse_stream(&text).error.unwrap();
            assert_eq!(e.pos.line, filler + 3, "{filler}");
            assert!(
                e.message
                    .contains("duplicate key `1` (first defined at line 1, column 1)"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn multi_document_streams_keep_their_index() {
        let s = parse_stream("a: 1\n---\n---\nb: 2\n");
        let idx: Vec<_> = s.documents.iter().map(|d| d.index).collect();
        assert_eq!(idx, vec![0, 2]);
    }

    #[test]
    fn syntax_errors_are_located() {
        let s = parse_stream("a: 1\n---\nb: \"unclosed\n");
        assert_eq!(s.documents.len(), 1);
        assert!(s.error.is_some());
    }

    #[test]
    fn json_and_crlf_parse() {
        let n = one("{\n\t\"kind\": \"Pod\",\r\n\t\"n\": [1, 2]\r\n}\r\n");
        assert_eq!(n.to_json(), serde_json::json!({"kind":"Pod","n":[1,2]}));
    }

    #[test]
    fn quoted_scalars_end_at_their_closing_quote() {
        let text =
            "a: \"x\\\"y\" # c\nb: 'it''s'   \nc:\n  - \"ü\"  # d\n  - \"two\n    lines\" # e\n";
        let n = one(text);
        let end = |n: &Node| (n.span.end.line, n.span.end.col, n.span.end.offset);
        assert_eq!(n.get("a").unwrap().as_str(), Some("x\"y"));
        assert_eq!(end(n.get("a").unwrap()), (1, 10, 9));
        assert_eq!(end(n.get("b").unwrap()), (2, 11, 24));
        let items = n.get("c").unwrap().as_seq().unwrap();
        assert_eq!(end(&items[0]), (4, 8, 38));
        assert_eq!(end(&items[1]), (6, 11, 63));
    }

    #[test]
    fn offsets_agree_with_lines_after_a_non_ascii_directive() {
        // Offsets count characters although libyaml's marks count bytes.
        let text = "%YAML 1.1 # éé\n---\na: \"x\"  # c\nb: [1]\n";
        let n = one(text);
        let chars: Vec<char> = text.chars().collect();
        let a = n.get("a").unwrap().span;
        assert_eq!((a.start.line, a.start.col, a.start.offset), (3, 4, 22));
        assert_eq!(chars[a.start.offset as usize], '"');
        assert_eq!((a.end.line, a.end.col), (3, 7));
        let b = n.get("b").unwrap().span;
        assert_eq!((b.end.line, b.end.col), (4, 7));
        assert_eq!(chars[b.end.offset as usize - 1], ']');
        let e = parse_stream("%Yé").error.expect("no document");
        assert!(e.pos.offset <= 3, "{:?}", e.pos);
    }

    #[test]
    fn flow_collections_end_after_their_bracket() {
        let n = one("a: [1, 2]  # c\nb: {x: 1}\nc:\n  - 1\n");
        let end = |k: &str| {
            let s = n.get(k).unwrap().span;
            (s.end.line, s.end.col)
        };
        assert_eq!(end("a"), (1, 10));
        assert_eq!(end("b"), (2, 10));
        assert_eq!(end("c"), (4, 6));
    }

    #[test]
    fn block_scalars_ending_the_text_keep_their_line_break_as_go_yaml_does() {
        // What kubectl prints for each (libyaml alone drops the last line break).
        for (text, want) in [
            ("a: |\n  x\n  y", "x\ny\n"),
            ("a: |-\n  x", "x"),
            ("a: >\n  x\n  y", "x y\n"),
            ("a: |+\n  x", "x\n"),
        ] {
            assert_eq!(one(text).get("a").unwrap().as_str(), Some(want), "{text:?}");
        }
    }

    #[test]
    fn a_long_non_ascii_line_is_located_in_linear_time() {
        // Minified JSON: 200 000 scalars on one line. Counting each column from the line start
        // took minutes.
        let items = vec!["\"é\""; 200_000].join(",");
        let text = format!("{{\"a\": [{items}], \"b\": \"ü\"}}");
        let n = one(&text);
        let b = n.get("b").unwrap().span;
        // `"ü"}` ends the text.
        let at = text.chars().count() as u32 - 4;
        assert_eq!((b.start.line, b.start.col, b.start.offset), (1, at + 1, at));
        let last = n.get("a").unwrap().as_seq().unwrap().last().unwrap().span;
        assert_eq!(last.start.col, 8 + 4 * 199_999);
    }

    #[test]
    fn custom_tags_are_kept() {
        let n = one("ports: !reset []\nx: !override [1]\n");
        assert_eq!(n.get("ports").unwrap().tag(), Some("!reset"));
        assert_eq!(n.get("x").unwrap().tag(), Some("!override"));
    }
}
