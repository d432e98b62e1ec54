//! Parse events → span-carrying [`Node`]s: positions from byte offsets (one line rule with
//! [`crate::source`]), anchors and aliases (bounded, so an alias bomb is an error), merge keys
//! (`<<`), duplicate keys (an error, as in kubectl), nesting depth (bounded, so a hostile file
//! cannot overflow the stack of later recursive passes) and tags (kept for Compose's `!reset`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::libyaml::{Event, Parser, Style};
use super::resolve::{self, CORE_TAG};
use super::{Document, Entry, Extra, MAX_DEPTH, Node, NodeValue, Stream};
use crate::source::{Pos, Span, TextError};

/// Nodes that alias expansion and anchors may copy in a document beyond a fixed allowance, per
/// source node.
const ALIAS_EXPANSION_FACTOR: usize = 10;
const ALIAS_EXPANSION_ALLOWANCE: usize = 100_000;

/// Texts at least this large are parsed in pieces, one document run each, in parallel: a
/// single generated file of tens of megabytes otherwise kept one core busy for seconds.
const PARALLEL_BYTES: usize = 1 << 20;
/// The least size of a piece (pieces end where a document starts).
const PIECE_BYTES: usize = 1 << 18;

/// Parses a YAML (or JSON) stream; plain scalars are resolved by the YAML 1.2 core schema until
/// [`Node::resolve`] re-resolves them for the kind of document.
pub fn parse_stream(text: &str) -> Stream {
    let lines = Lines::new(text);
    if text.len() >= PARALLEL_BYTES
        && let Some(stream) = parse_in_pieces(text, &lines)
    {
        return stream;
    }
    parse_range(text, &lines, 0, text.len()).0
}

/// Parses a large text in pieces cut at lines that start a document (`---` at the start of a
/// line, which YAML forbids inside any scalar or collection), in parallel, and joins them.
/// `None` when the text cannot be cut that way (directives, which belong to the next
/// document) or a piece has a syntax error: the whole text is then parsed at once, so that
/// the error is exactly the one a single parse reports.
fn parse_in_pieces(text: &str, lines: &Lines) -> Option<Stream> {
    use rayon::prelude::*;
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b'%') || text.contains("\n%") || text.contains("\r%") {
        return None;
    }
    let mut cuts = vec![0];
    for &start in &lines.starts[1..] {
        let last = *cuts.last().unwrap_or(&0);
        if start - last >= PIECE_BYTES && starts_document(&bytes[start..]) {
            cuts.push(start);
        }
    }
    if cuts.len() < 2 {
        return None;
    }
    cuts.push(text.len());
    let pieces: Vec<(Stream, usize)> = cuts
        .par_windows(2)
        .map(|w| parse_range(text, lines, w[0], w[1]))
        .collect();
    let mut stream = Stream::default();
    let mut before = 0;
    for (piece, documents) in pieces {
        if piece.error.is_some() {
            return None;
        }
        stream
            .documents
            .extend(piece.documents.into_iter().map(|mut d| {
                d.index += before;
                d
            }));
        before += documents;
    }
    Some(stream)
}

/// A line that is a document start marker: `---` followed by a blank or the line's end.
fn starts_document(line: &[u8]) -> bool {
    line.starts_with(b"---") && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
}

/// Parses `text[start..end]`, positions counted in the whole text; with the number of
/// documents the range holds (empty ones included).
fn parse_range(text: &str, lines: &Lines, start: usize, end: usize) -> (Stream, usize) {
    let mut builder = Builder::default();
    let mut parser = Parser::new(&text[start..end]);
    let mut stream = Stream::default();
    let lines = Locator::new(text, lines);
    while let Some(event) = parser.next_event() {
        match event {
            Ok((mut event, from, to)) => {
                let (from, to) = (from + start, to + start);
                clip_at_end_of_text(&mut event, text, from, to);
                let mut sp = Span::new(lines.pos(from), lines.pos(to));
                // A flow collection's end event starts on its closing bracket, which belongs
                // to the collection; a block collection's end event sits on the next token,
                // which does not (its end is then left out: `Pos::default()`).
                if matches!(event, Event::SequenceEnd | Event::MappingEnd)
                    && !matches!(text.as_bytes().get(from), Some(b']' | b'}'))
                {
                    sp.end = Pos::default();
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
                let at = e.at + start;
                let mut pos = lines.pos(at);
                let mut message = e.problem;
                if text.as_bytes().get(at) == Some(&b'\t') {
                    message = format!("a tab cannot indent YAML, use spaces ({message})");
                }
                match e.context {
                    // At the end of the text, the place to show is where the unclosed
                    // construct (a quoted scalar, a flow collection) starts.
                    Some((context, from)) if at >= text.len() => {
                        pos = lines.pos(from + start);
                        message = format!("{message} ({context} that starts here)");
                    }
                    Some((context, from)) => {
                        let p = lines.pos(from + start);
                        message =
                            format!("{message} ({context} at line {}, column {})", p.line, p.col);
                    }
                    None => {}
                }
                stream.error = Some(TextError { pos, message });
                break;
            }
        }
    }
    (stream, builder.doc_index)
}

/// A block scalar that ends the text without a final line break keeps its last line break in
/// go-yaml (so in kubectl and Compose), unless it strips it (`|-`); libyaml drops it.
fn clip_at_end_of_text(event: &mut Event, text: &str, start: usize, end: usize) {
    let Event::Scalar {
        value,
        style: Style::Literal | Style::Folded,
        ..
    } = event
    else {
        return;
    };
    if end < text.len() || value.is_empty() || value.ends_with('\n') || text.ends_with(['\n', '\r'])
    {
        return;
    }
    let header = text[start.min(text.len())..]
        .split(|c: char| c.is_whitespace() || c == '#')
        .next()
        .unwrap_or("");
    if !header.contains('-') {
        value.push('\n');
    }
}

/// Where the lines of a text start, in bytes and (for non-ASCII text) in characters: computed
/// once per text, shared by the pieces parsed in parallel.
struct Lines {
    starts: Vec<usize>,
    /// Character offset of each line start (`None` for ASCII text, where bytes are characters).
    char_starts: Option<Vec<u32>>,
}

impl Lines {
    fn new(text: &str) -> Self {
        let starts = crate::source::line_starts(text.as_bytes());
        let char_starts = (!text.is_ascii())
            .then(|| crate::source::char_line_starts(text, starts.iter().copied()));
        Lines {
            starts,
            char_starts,
        }
    }
}

/// Turns byte offsets into positions: lines by [`crate::source::line_starts`], columns and
/// offsets in characters.
struct Locator<'a> {
    text: &'a str,
    starts: &'a [usize],
    char_starts: Option<&'a [u32]>,
    /// The last position computed (line index, byte, column from 0): marks arrive mostly in
    /// order, so columns are counted from there. Counting from the line start each time made a
    /// long non-ASCII line (minified JSON) quadratic.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Locator<'a> {
    fn new(text: &'a str, lines: &'a Lines) -> Self {
        Locator {
            text,
            starts: &lines.starts,
            char_starts: lines.char_starts.as_deref(),
            last: std::cell::Cell::new((0, 0, 0)),
        }
    }

    fn pos(&self, byte: usize) -> Pos {
        let byte = byte.min(self.text.len());
        let (last_line, last_byte, last_col) = self.last.get();
        let in_last_line = self.starts[last_line] <= byte
            && self
                .starts
                .get(last_line + 1)
                .is_none_or(|&next| byte < next);
        let line = if in_last_line {
            last_line
        } else {
            match self.starts.binary_search(&byte) {
                Ok(i) => i,
                Err(i) => i - 1,
            }
        };
        let start = self.starts[line];
        let (col, offset) = match self.char_starts {
            None => (byte - start, byte),
            Some(chars) => {
                let count = |from: usize, to: usize| {
                    self.text
                        .get(from..to)
                        .map_or(to - from, |s| s.chars().count())
                };
                let col = if !in_last_line {
                    count(start, byte)
                } else if byte >= last_byte {
                    last_col + count(last_byte, byte)
                } else {
                    last_col - count(byte, last_byte)
                };
                (col, chars[line] as usize + col)
            }
        };
        self.last.set((line, byte, col));
        Pos {
            line: line as u32 + 1,
            col: col as u32 + 1,
            offset: offset as u32,
        }
    }
}

enum Frame {
    Seq {
        span: Span,
        anchor: Option<Box<str>>,
        tag: Option<Box<str>>,
        /// Where its items start in [`Builder::items`].
        start: usize,
    },
    Map {
        span: Span,
        anchor: Option<Box<str>>,
        tag: Option<Box<str>>,
        /// Where its entries start in [`Builder::entries`].
        start: usize,
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
    /// The items of the open sequences, innermost last: a finished sequence takes its own
    /// into a vector of exactly their number (growing each by pushing left up to half of
    /// every vector unused, the larger part of the memory a run holds).
    items: Vec<Node>,
    /// The entries of the open mappings, the same way.
    entries: Vec<Entry>,
    anchors: HashMap<Box<str>, Anchored>,
    root: Option<Node>,
    doc_index: usize,
    /// Nodes built from the source so far in this document.
    nodes: usize,
    /// Nodes added by alias expansion so far in this document.
    expanded: usize,
}

impl Builder {
    fn on_event(&mut self, event: Event, sp: Span) -> Result<Option<Node>, TextError> {
        match event {
            Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart => {
                self.anchors.clear();
                self.items.clear();
                self.entries.clear();
                self.root = None;
                self.nodes = 0;
                self.expanded = 0;
                self.doc_index += 1;
            }
            Event::DocumentEnd => {
                return Ok(Some(self.root.take().unwrap_or(Node::new(
                    sp,
                    0,
                    NodeValue::Null,
                ))));
            }
            Event::Alias(name) => {
                let Some(&Anchored { count, height, .. }) = self.anchors.get(&name) else {
                    return Err(TextError {
                        pos: sp.start,
                        message: format!("alias `*{name}` refers to an unknown anchor"),
                    });
                };
                // An alias puts a whole tree where it stands: nested aliases would otherwise
                // build a tree far deeper than the limit (and overflow the stack of the
                // recursive passes that follow) out of collections that each respect it.
                if self.stack.len() + height > MAX_DEPTH {
                    return Err(TextError {
                        pos: sp.start,
                        message: format!(
                            "nesting deeper than {MAX_DEPTH} levels (through this alias)"
                        ),
                    });
                }
                self.copied(count, sp.start)?;
                let node = self.anchors[&name].node.clone();
                self.push_node(node, None)?;
            }
            Event::Scalar {
                value,
                style,
                anchor,
                tag,
            } => {
                self.nodes += 1;
                let (value, tag, raw) = resolve_scalar(value, style, tag, sp)?;
                self.push_node(
                    Node {
                        span: sp,
                        origin: 0,
                        extra: Extra::of(tag, raw),
                        value,
                    },
                    anchor,
                )?;
            }
            Event::SequenceStart { anchor, tag } => {
                self.nodes += 1;
                self.check_depth(sp)?;
                self.stack.push(Frame::Seq {
                    span: sp,
                    anchor,
                    tag: custom_tag(tag),
                    start: self.items.len(),
                });
            }
            Event::MappingStart { anchor, tag } => {
                self.nodes += 1;
                self.check_depth(sp)?;
                self.stack.push(Frame::Map {
                    span: sp,
                    anchor,
                    tag: custom_tag(tag),
                    start: self.entries.len(),
                    key: None,
                    merges: Vec::new(),
                });
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq {
                    span,
                    anchor,
                    tag,
                    start,
                }) = self.stack.pop()
                else {
                    return Err(TextError {
                        pos: sp.start,
                        message: "unbalanced sequence end".into(),
                    });
                };
                let items: Vec<Node> = self.items.drain(start..).collect();
                let end = items
                    .last()
                    .map_or(sp.end, |n| n.span.end)
                    .max(span.end)
                    .max(sp.end);
                let node = Node {
                    span: Span::new(span.start, end),
                    origin: 0,
                    extra: Extra::of(tag, None),
                    value: NodeValue::Seq(items),
                };
                self.push_node(node, anchor)?;
            }
            Event::MappingEnd => {
                let Some(Frame::Map {
                    span,
                    anchor,
                    tag,
                    start,
                    merges,
                    ..
                }) = self.stack.pop()
                else {
                    return Err(TextError {
                        pos: sp.start,
                        message: "unbalanced mapping end".into(),
                    });
                };
                let mut entries: Vec<Entry> = self.entries.drain(start..).collect();
                check_duplicates(&entries)?;
                let end = entries
                    .last()
                    .map_or(sp.end, |e| e.value.span.end.max(e.key.span.end))
                    .max(span.end)
                    .max(sp.end);
                apply_merges(&mut entries, merges)?;
                let node = Node {
                    span: Span::new(span.start, end),
                    origin: 0,
                    extra: Extra::of(tag, None),
                    value: NodeValue::Map(entries),
                };
                self.push_node(node, anchor)?;
            }
        }
        Ok(None)
    }

    fn check_depth(&self, sp: Span) -> Result<(), TextError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(TextError {
                pos: sp.start,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        Ok(())
    }

    /// Counts `count` nodes copied by an alias or kept for an anchor against the document's
    /// allowance. Anchors count too: nested anchors each keep a copy of everything inside them,
    /// so 200 of them around a list multiply its size by 200 without a single alias.
    fn copied(&mut self, count: usize, at: Pos) -> Result<(), TextError> {
        self.expanded += count;
        let allowed = ALIAS_EXPANSION_ALLOWANCE + ALIAS_EXPANSION_FACTOR * self.nodes;
        if self.expanded > allowed {
            return Err(TextError {
                pos: at,
                message: format!(
                    "anchors and aliases copy {} nodes, more than the {allowed} allowed for a {}-node document (a YAML alias bomb?)",
                    self.expanded, self.nodes
                ),
            });
        }
        Ok(())
    }

    fn push_node(&mut self, mut node: Node, anchor: Option<Box<str>>) -> Result<(), TextError> {
        if let Some(anchor) = anchor {
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
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map { key, merges, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    // `key:` with nothing after it: libyaml puts the empty value where the next
                    // token starts (often the next line); it belongs at the end of its key.
                    if node.is_null() && node.span.start == node.span.end && node.raw().is_some() {
                        node.span = Span::new(k.span.end, k.span.end);
                    }
                    let is_merge =
                        k.tag().is_none() && k.as_str() == Some("<<") && is_plain_merge_key(&k);
                    if is_merge {
                        merges.push(node);
                    } else {
                        self.entries.push(Entry {
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

/// Mappings up to this size are searched for duplicate keys pair by pair, without hashing.
const SMALL_MAP: usize = 16;

fn check_duplicates(entries: &[Entry]) -> Result<(), TextError> {
    if entries.len() < 2 {
        return Ok(());
    }
    let duplicate = |e: &Entry, first: &Entry, k: &str| TextError {
        pos: e.key.span.start,
        message: format!(
            "duplicate key `{k}` (first defined at line {}, column {})",
            first.key.span.start.line, first.key.span.start.col
        ),
    };
    if entries.len() <= SMALL_MAP {
        // Most mappings are small, and most keys strings: compared in place, they cost no
        // allocation and no hash (hashing them was 1% of a run).
        for (i, e) in entries.iter().enumerate() {
            let Some(k) = e.key.key_text() else { continue };
            if let Some(first) = entries[..i]
                .iter()
                .find(|f| f.key.key_text().as_deref() == Some(&*k))
            {
                return Err(duplicate(e, first, &k));
            }
        }
        return Ok(());
    }
    let mut seen: HashMap<Cow<'_, str>, usize> = HashMap::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let Some(k) = e.key.key_text() else { continue };
        if let Some(first) = seen.insert(k.clone(), i) {
            return Err(duplicate(e, &entries[first], &k));
        }
    }
    Ok(())
}

/// Applies merge keys: keys of merged mappings are added when not already present; with a
/// sequence of mappings, earlier ones win.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) -> Result<(), TextError> {
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
                return Err(TextError {
                    pos: merge.span.start,
                    message: "a merge key (`<<`) needs a mapping or a sequence of mappings".into(),
                });
            }
        };
        for source in sources {
            let NodeValue::Map(merged) = source.value else {
                return Err(TextError {
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

/// A tag worth keeping on the node: anything but the core schema's `tag:yaml.org,2002:…`.
fn custom_tag(tag: Option<Box<str>>) -> Option<Box<str>> {
    tag.filter(|t| !t.starts_with(CORE_TAG) && &**t != "!")
}

type Resolved = (NodeValue, Option<Box<str>>, Option<Box<str>>);

/// A scalar's value, its custom tag and, for a plain scalar whose value depends on the schema,
/// its source text.
fn resolve_scalar(
    text: String,
    style: Style,
    tag: Option<Box<str>>,
    sp: Span,
) -> Result<Resolved, TextError> {
    if let Some(suffix) = tag.as_deref().and_then(|t| t.strip_prefix(CORE_TAG)) {
        let value = match suffix {
            "str" => NodeValue::Str(text.into()),
            "null" => NodeValue::Null,
            "bool" => resolve::parse_bool(&text)
                .map(NodeValue::Bool)
                .ok_or_else(|| bad(sp, "bool", &text))?,
            "int" => resolve::parse_int(&text)
                .map(NodeValue::Int)
                .ok_or_else(|| bad(sp, "int", &text))?,
            "float" => resolve::parse_float(&text)
                .or_else(|| resolve::parse_int(&text).map(|i| i as f64))
                .map(NodeValue::Float)
                .ok_or_else(|| bad(sp, "float", &text))?,
            _ => resolve::plain_value(&text),
        };
        return Ok((value, None, None));
    }
    // `!` alone is the non-specific tag: a quoted or plain string.
    let non_specific = tag.as_deref() == Some("!");
    let custom = custom_tag(tag);
    if style != Style::Plain || non_specific {
        return Ok((NodeValue::Str(text.into()), custom, None));
    }
    let value = resolve::plain_value(&text);
    let raw = resolve::schema_dependent(&text, &value).then(|| text.into_boxed_str());
    Ok((value, custom, raw))
}

fn bad(sp: Span, ty: &str, text: &str) -> TextError {
    TextError {
        pos: sp.start,
        message: format!("`{text}` is not a valid !!{ty}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream of `n` documents of the shapes that could parse differently when cut: block
    /// scalars at a document's end, empty documents, `...` ends, comments, anchors,
    /// non-ASCII text (columns in characters) and CR LF line breaks.
    fn stream_of(n: usize) -> String {
        let mut text = String::from("# leading comment\n");
        for i in 0..n {
            match i % 5 {
                0 => text.push_str(&format!(
                    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"é-{i}\"\ndata:\n  script: |\n    echo ü\n\n"
                )),
                1 => text.push_str("---\n# an empty document\n"),
                2 => text.push_str(&format!(
                    "--- &a\nkind: Pod\nmetadata: {{name: p{i}, labels: &l {{app: x}}}}\nspec: {{x: *l}}\n...\n"
                )),
                3 => text.push_str(&format!("---\r\nkind: Service\r\nmetadata:\r\n  name: s{i}\r\n")),
                _ => text.push_str(&format!("--- {{kind: Secret, metadata: {{name: k{i}}}}}\n")),
            }
        }
        text
    }

    fn whole(text: &str) -> Stream {
        parse_range(text, &Lines::new(text), 0, text.len()).0
    }

    #[test]
    fn a_large_stream_parses_in_pieces_as_in_one() {
        let text = stream_of(40_000);
        assert!(text.len() > 2 * PARALLEL_BYTES);
        let lines = Lines::new(&text);
        let pieces = parse_in_pieces(&text, &lines).expect("cut into pieces");
        let one = whole(&text);
        assert!(one.error.is_none());
        assert_eq!(pieces.documents.len(), one.documents.len());
        assert_eq!(pieces.documents, one.documents);
        assert_eq!(parse_stream(&text).documents, one.documents);
    }

    #[test]
    fn a_syntax_error_in_a_large_stream_is_the_one_a_single_parse_reports() {
        let mut text = stream_of(20_000);
        text.push_str("---\nkind: Pod\nmetadata: {name: [\n---\nkind: Pod\n");
        text.push_str(&stream_of(20_000));
        let one = whole(&text);
        let error = one.error.as_ref().expect("a syntax error");
        let parsed = parse_stream(&text);
        assert_eq!(parsed.error.as_ref(), Some(error));
        assert_eq!(parsed.documents, one.documents);
    }

    #[test]
    fn directives_keep_a_large_stream_whole() {
        let text = format!("%YAML 1.1\n{}", stream_of(40_000));
        assert!(parse_in_pieces(&text, &Lines::new(&text)).is_none());
    }
}
