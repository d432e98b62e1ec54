//! Span-preserving YAML loader: `saphyr-parser` events → a tree of [`Node`]s, each with its span.
//!
//! Why this design: NOTES.md measured a small builder over `saphyr-parser` events at 42–46 MB/s
//! with a span for every node (keys included), against 27–43 MB/s for `serde_yaml` with no spans
//! at all and 31–45 MB/s for saphyr's own `MarkedYaml`. The builder also gives us control over
//! what saphyr leaves to the caller: aliases (bounded, so an alias bomb is an error), merge keys
//! (`<<`), duplicate keys (an error, as in `kubectl`), nesting depth (bounded, so a hostile file
//! cannot overflow the stack of later recursive passes) and tags (kept for Compose's `!reset`).
//!
//! Scalars are resolved with the YAML 1.2 core schema (`true`/`false` only, not 1.1's `yes`/`no`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use crate::source::{Pos, Span};

/// Deepest nesting of collections accepted in a document.
pub const MAX_DEPTH: usize = 512;
/// Nodes that alias expansion and anchors may copy in a document beyond a fixed allowance, per
/// source node.
const ALIAS_EXPANSION_FACTOR: usize = 10;
const ALIAS_EXPANSION_ALLOWANCE: usize = 100_000;

/// A YAML node with its source span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    /// Which file of a multi-file resource the node comes from: 0 is the resource's own file,
    /// `n` its `n`th extra file (Compose override and `extends` files). Always 0 for
    /// Kubernetes objects.
    pub origin: u32,
    /// A non-core tag such as `!reset` (core tags like `!!str` are applied, not kept).
    pub tag: Option<Box<str>>,
    pub value: NodeValue,
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

/// One segment of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(untagged)]
pub enum PathSeg {
    Key(String),
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

    /// Resolves a path of keys and indices to the deepest node that exists on the way.
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
            NodeValue::Str(s) => Value::String(s.as_ref().into()),
            NodeValue::Seq(items) => {
                Value::from(items.iter().map(Node::to_value).collect::<Vec<_>>())
            }
            NodeValue::Map(entries) => {
                let mut map = std::collections::BTreeMap::new();
                for e in entries {
                    let key = e.key.key_text().map_or_else(
                        || Value::String(format!("{:?}", e.key.to_json()).into()),
                        |k| Value::String(k.as_ref().into()),
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
    fn size(&self) -> (usize, usize) {
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
fn first_line(span: Span) -> Span {
    if span.start.line == span.end.line {
        span
    } else {
        Span::new(span.start, span.start)
    }
}

/// A document of a YAML stream.
#[derive(Debug)]
pub struct Document {
    /// 0-based index in the stream.
    pub index: usize,
    pub root: Node,
}

/// A syntax or structure error, located.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// The documents of a stream up to the first error, and that error.
#[derive(Debug, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub error: Option<YamlError>,
}

/// Parses a YAML (or JSON) stream.
pub fn parse_stream(text: &str) -> Stream {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut stream = Stream::default();
    let mut cursor = Cursor::default();
    let lines = Lines::new(text);
    while let Some(event) = parser.next_event() {
        match event {
            Ok((event, ys)) => {
                let mut sp = lines.span(&ys);
                match &event {
                    Event::Scalar(
                        _,
                        style @ (ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted),
                        ..,
                    ) => {
                        if let Some(end) = cursor.quoted_end(text, sp.start, *style) {
                            sp.end = end;
                        }
                    }
                    // A flow collection's end event starts on its closing bracket, which belongs
                    // to the collection; a block collection's end event sits on the next token,
                    // which does not (its end is then left out: `Pos::default()`).
                    Event::SequenceEnd | Event::MappingEnd => {
                        sp.end = if matches!(cursor.char_at(text, sp.start), Some(']' | '}')) {
                            Pos {
                                line: sp.start.line,
                                col: sp.start.col + 1,
                                offset: sp.start.offset + 1,
                            }
                        } else {
                            Pos::default()
                        };
                    }
                    _ => {}
                }
                match builder.on_event(event, sp) {
                    Ok(Some(doc)) => {
                        if !doc.is_null() {
                            stream.documents.push(Document {
                                index: builder.doc_index - 1,
                                root: doc,
                            });
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        stream.error = Some(e);
                        break;
                    }
                }
            }
            Err(e) => {
                let m = e.marker();
                stream.error = Some(YamlError {
                    pos: lines.pos(m),
                    message: e.info().to_string(),
                });
                break;
            }
        }
    }
    stream
}

/// Where the lines of the text start, to give positions an offset that agrees with their line
/// and column. saphyr-parser's own `Marker::index` drifts: after a directive with non-ASCII text
/// (`%FOO é`) it counts bytes, not characters, for the rest of the stream, so offsets ran past
/// the end of the text and quoted scalars and flow collections lost their exact ends.
struct Lines {
    /// Character offset of the start of every line, with YAML's line breaks (`\n`, `\r\n`, and
    /// a lone `\r`), as saphyr-parser numbers lines.
    starts: Vec<u32>,
    chars: u32,
}

impl Lines {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut chars = 0u32;
        for (i, &b) in bytes.iter().enumerate() {
            // Every byte but UTF-8 continuation bytes starts a character.
            if b & 0xC0 != 0x80 {
                chars += 1;
            }
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(chars);
            }
        }
        Lines { starts, chars }
    }

    fn pos(&self, m: &saphyr_parser::Marker) -> Pos {
        let line = m.line().max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(self.chars);
        // Not past the line's end: a drifted column stays on its line.
        let end = self.starts.get(line).copied().unwrap_or(self.chars);
        let offset = (start as usize + m.col()).min(end as usize) as u32;
        Pos {
            line: line as u32,
            col: m.col() as u32 + 1,
            offset,
        }
    }

    fn span(&self, s: &YSpan) -> Span {
        Span::new(self.pos(&s.start), self.pos(&s.end))
    }
}

/// Walks the text forward to find where quoted scalars end: saphyr-parser ends their span after
/// the whitespace and comment that follow the closing quote, which would stretch a finding's
/// span over `# comments`.
#[derive(Default)]
struct Cursor {
    /// Character and byte offsets of the same place.
    chars: usize,
    bytes: usize,
}

impl Cursor {
    /// Moves to a character offset (forward; backward restarts from the top).
    fn seek(&mut self, text: &str, target: usize) -> Option<()> {
        if target < self.chars {
            *self = Cursor::default();
        }
        let mut rest = text[self.bytes..].chars();
        while self.chars < target {
            self.bytes += rest.next()?.len_utf8();
            self.chars += 1;
        }
        Some(())
    }

    fn char_at(&mut self, text: &str, at: Pos) -> Option<char> {
        self.seek(text, at.offset as usize)?;
        text[self.bytes..].chars().next()
    }

    fn quoted_end(&mut self, text: &str, start: Pos, style: ScalarStyle) -> Option<Pos> {
        self.seek(text, start.offset as usize)?;
        let quote = if style == ScalarStyle::SingleQuoted {
            '\''
        } else {
            '"'
        };
        let mut chars = text[self.bytes..].chars().peekable();
        if chars.next()? != quote {
            return None;
        }
        let (mut line, mut col, mut offset) = (start.line, start.col + 1, start.offset + 1);
        loop {
            let c = chars.next()?;
            offset += 1;
            let escaped = match c {
                '\\' if quote == '"' => chars.next(),
                '\'' if quote == '\'' && chars.peek() == Some(&'\'') => chars.next(),
                _ => None,
            };
            if let Some(e) = escaped {
                offset += 1;
                if e == '\n' {
                    line += 1;
                    col = 1;
                } else {
                    col += 2;
                }
                continue;
            }
            if c == '\n' {
                line += 1;
                col = 1;
                continue;
            }
            col += 1;
            if c == quote {
                return Some(Pos { line, col, offset });
            }
        }
    }
}

enum Frame {
    Seq {
        span: Span,
        anchor: usize,
        tag: Option<Box<str>>,
        items: Vec<Node>,
    },
    Map {
        span: Span,
        anchor: usize,
        tag: Option<Box<str>>,
        entries: Vec<Entry>,
        key: Option<Node>,
        merges: Vec<Node>,
    },
}

/// An anchored node, with what an alias to it adds to the document.
struct Anchored {
    node: Node,
    /// Its nodes, counted against the alias allowance.
    count: usize,
    /// How many collections deep it nests, counted against [`MAX_DEPTH`].
    height: usize,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    root: Option<Node>,
    doc_index: usize,
    /// Nodes built from the source so far in this document.
    nodes: usize,
    /// Nodes added by alias expansion so far in this document.
    expanded: usize,
}

impl Builder {
    fn on_event(&mut self, event: Event<'_>, sp: Span) -> Result<Option<Node>, YamlError> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.root = None;
                self.nodes = 0;
                self.expanded = 0;
                self.doc_index += 1;
            }
            Event::DocumentEnd => {
                return Ok(Some(self.root.take().unwrap_or(Node {
                    span: sp,
                    origin: 0,
                    tag: None,
                    value: NodeValue::Null,
                })));
            }
            Event::Alias(id) => {
                let Some(&Anchored { count, height, .. }) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        pos: sp.start,
                        message: "alias refers to an unknown anchor".into(),
                    });
                };
                // An alias puts a whole tree where it stands: nested aliases would otherwise
                // build a tree far deeper than the limit (and overflow the stack of the
                // recursive passes that follow) out of collections that each respect it.
                if self.stack.len() + height > MAX_DEPTH {
                    return Err(YamlError {
                        pos: sp.start,
                        message: format!(
                            "nesting deeper than {MAX_DEPTH} levels (through this alias)"
                        ),
                    });
                }
                self.copied(count, sp.start)?;
                let node = self.anchors[&id].node.clone();
                self.push_node(node, 0)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.nodes += 1;
                let (value, tag) = resolve_scalar(&text, style, tag.as_deref(), sp)?;
                self.push_node(
                    Node {
                        span: sp,
                        origin: 0,
                        tag,
                        value,
                    },
                    anchor,
                )?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.nodes += 1;
                self.check_depth(sp)?;
                self.stack.push(Frame::Seq {
                    span: sp,
                    anchor,
                    tag: custom_tag(tag.as_deref()),
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.nodes += 1;
                self.check_depth(sp)?;
                self.stack.push(Frame::Map {
                    span: sp,
                    anchor,
                    tag: custom_tag(tag.as_deref()),
                    entries: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                });
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq {
                    span,
                    anchor,
                    tag,
                    items,
                }) = self.stack.pop()
                else {
                    return Err(YamlError {
                        pos: sp.start,
                        message: "unbalanced sequence end".into(),
                    });
                };
                let end = items
                    .last()
                    .map_or(sp.end, |n| n.span.end)
                    .max(span.end)
                    .max(sp.end);
                let node = Node {
                    span: Span::new(span.start, end),
                    origin: 0,
                    tag,
                    value: NodeValue::Seq(items),
                };
                self.push_node(node, anchor)?;
            }
            Event::MappingEnd => {
                let Some(Frame::Map {
                    span,
                    anchor,
                    tag,
                    mut entries,
                    merges,
                    ..
                }) = self.stack.pop()
                else {
                    return Err(YamlError {
                        pos: sp.start,
                        message: "unbalanced mapping end".into(),
                    });
                };
                check_duplicates(&entries)?;
                let end = entries
                    .last()
                    .map_or(sp.end, |e| e.value.span.end)
                    .max(span.end)
                    .max(sp.end);
                apply_merges(&mut entries, merges)?;
                let node = Node {
                    span: Span::new(span.start, end),
                    origin: 0,
                    tag,
                    value: NodeValue::Map(entries),
                };
                self.push_node(node, anchor)?;
            }
        }
        Ok(None)
    }

    fn check_depth(&self, sp: Span) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                pos: sp.start,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        Ok(())
    }

    /// Counts `count` nodes copied by an alias or kept for an anchor against the document's
    /// allowance. Anchors count too: nested anchors each keep a copy of everything inside them,
    /// so 200 of them around a list multiply its size by 200 without a single alias.
    fn copied(&mut self, count: usize, at: Pos) -> Result<(), YamlError> {
        self.expanded += count;
        let allowed = ALIAS_EXPANSION_ALLOWANCE + ALIAS_EXPANSION_FACTOR * self.nodes;
        if self.expanded > allowed {
            return Err(YamlError {
                pos: at,
                message: format!(
                    "anchors and aliases copy {} nodes, more than the {allowed} allowed for a {}-node document (a YAML alias bomb?)",
                    self.expanded, self.nodes
                ),
            });
        }
        Ok(())
    }

    fn push_node(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            let (count, height) = node.size();
            self.copied(count, node.span.start)?;
            let anchored = Anchored {
                node: node.clone(),
                count,
                height,
            };
            self.anchors.insert(anchor, anchored);
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let is_merge =
                        k.tag.is_none() && k.as_str() == Some("<<") && is_plain_merge_key(&k);
                    if is_merge {
                        merges.push(node);
                    } else {
                        entries.push(Entry {
                            key: k,
                            value: node,
                        });
                    }
                }
            },
        }
        Ok(())
    }
}

/// `<<` written plainly (not quoted) is a merge key; the span tells plain from quoted, since a
/// quoted `"<<"` is four characters wide.
fn is_plain_merge_key(k: &Node) -> bool {
    k.span.end.offset.saturating_sub(k.span.start.offset) == 2
}

fn check_duplicates(entries: &[Entry]) -> Result<(), YamlError> {
    if entries.len() < 2 {
        return Ok(());
    }
    let mut seen: HashMap<Cow<'_, str>, Span> = HashMap::with_capacity(entries.len());
    for e in entries {
        let Some(k) = e.key.key_text() else { continue };
        if let Some(first) = seen.insert(k.clone(), e.key.span) {
            return Err(YamlError {
                pos: e.key.span.start,
                message: format!(
                    "duplicate key `{k}` (first defined at line {}, column {})",
                    first.start.line, first.start.col
                ),
            });
        }
    }
    Ok(())
}

/// Applies merge keys: keys of merged mappings are added when not already present; with a
/// sequence of mappings, earlier ones win.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) -> Result<(), YamlError> {
    if merges.is_empty() {
        return Ok(());
    }
    // The keys present so far, in a set: scanning the entries for each merged key made merging
    // a mapping of n keys take n² steps (minutes for 50 000 keys). `None` stands for every
    // key that is not a scalar, as the comparison of `key_text`s always had it.
    let mut present: HashSet<Option<String>> = entries
        .iter()
        .map(|e| e.key.key_text().map(Cow::into_owned))
        .collect();
    for merge in merges {
        let sources: Vec<Node> = match merge.value {
            NodeValue::Map(_) => vec![merge],
            NodeValue::Seq(items) => items,
            _ => {
                return Err(YamlError {
                    pos: merge.span.start,
                    message: "a merge key (`<<`) needs a mapping or a sequence of mappings".into(),
                });
            }
        };
        for source in sources {
            let NodeValue::Map(merged) = source.value else {
                return Err(YamlError {
                    pos: source.span.start,
                    message: "a merge key (`<<`) needs a mapping or a sequence of mappings".into(),
                });
            };
            for e in merged {
                if present.insert(e.key.key_text().map(Cow::into_owned)) {
                    entries.push(e);
                }
            }
        }
    }
    Ok(())
}

fn custom_tag(tag: Option<&saphyr_parser::Tag>) -> Option<Box<str>> {
    let tag = tag?;
    if tag.is_yaml_core_schema() {
        None
    } else {
        Some(tag.to_string().into())
    }
}

fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
    sp: Span,
) -> Result<(NodeValue, Option<Box<str>>), YamlError> {
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() {
            let value = match tag.suffix.as_str() {
                "str" => NodeValue::Str(text.into()),
                "null" => NodeValue::Null,
                "bool" => parse_bool(text)
                    .map(NodeValue::Bool)
                    .ok_or_else(|| bad(sp, "bool", text))?,
                "int" => parse_int(text)
                    .map(NodeValue::Int)
                    .ok_or_else(|| bad(sp, "int", text))?,
                "float" => parse_float(text)
                    .or_else(|| parse_int(text).map(|i| i as f64))
                    .map(NodeValue::Float)
                    .ok_or_else(|| bad(sp, "float", text))?,
                _ => plain_value(text),
            };
            return Ok((value, None));
        }
        let custom = Some(tag.to_string().into_boxed_str());
        let value = if style == ScalarStyle::Plain {
            plain_value(text)
        } else {
            NodeValue::Str(text.into())
        };
        return Ok((value, custom));
    }
    if style == ScalarStyle::Plain {
        Ok((plain_value(text), None))
    } else {
        Ok((NodeValue::Str(text.into()), None))
    }
}

fn bad(sp: Span, ty: &str, text: &str) -> YamlError {
    YamlError {
        pos: sp.start,
        message: format!("`{text}` is not a valid !!{ty}"),
    }
}

/// YAML 1.2 core schema resolution of a plain scalar.
pub fn plain_value(text: &str) -> NodeValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        _ => {}
    }
    if let Some(b) = parse_bool(text) {
        return NodeValue::Bool(b);
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        if let Some(i) = parse_int(text) {
            return NodeValue::Int(i);
        }
        if let Some(f) = parse_float(text) {
            return NodeValue::Float(f);
        }
    }
    NodeValue::Str(text.into())
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(oct) = digits.strip_prefix("0o") {
        (8, oct)
    } else if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else {
        (10, digits)
    };
    // `from_str_radix` takes a sign of its own: `-0x-8000000000000000` would read as
    // `i64::MIN` and overflow when negated. Only digits may follow the prefix.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

fn parse_float(text: &str) -> Option<f64> {
    let unsigned = text.trim_start_matches(['-', '+']);
    match unsigned {
        ".inf" | ".Inf" | ".INF" => {
            return Some(if text.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        ".nan" | ".NaN" | ".NAN" if unsigned.len() == text.len() => return Some(f64::NAN),
        _ => {}
    }
    // The core schema's float pattern: digits, an optional fraction, an optional exponent.
    let bytes = unsigned.as_bytes();
    let mut i = 0;
    let int_digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != bytes.len() || text.len() - unsigned.len() > 1 {
        return None;
    }
    text.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let s = parse_stream(text);
        assert!(s.error.is_none(), "{:?}", s.error);
        s.documents.into_iter().next().unwrap().root
    }

    fn path(p: &[&str]) -> Vec<PathSeg> {
        p.iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => PathSeg::Index(i),
                Err(_) => PathSeg::Key(s.to_string()),
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
        // saphyr-parser counts the bytes of `é` as characters: its offsets ran past the end.
        let text = "%FOO éé\n---\na: \"x\"  # c\nb: [1]\n";
        let n = one(text);
        let chars: Vec<char> = text.chars().collect();
        let a = n.get("a").unwrap().span;
        assert_eq!((a.start.line, a.start.col, a.start.offset), (3, 4, 15));
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
    fn custom_tags_are_kept() {
        let n = one("ports: !reset []\nx: !override [1]\n");
        assert_eq!(n.get("ports").unwrap().tag.as_deref(), Some("!reset"));
        assert_eq!(n.get("x").unwrap().tag.as_deref(), Some("!override"));
    }
}
