//! A resource's tree as the stages after loading need it: the span of every node and the text
//! of every mapping key, to place a finding at a path ([`Outline::locate`]) and a comment at
//! the node it stands before ([`Outline::extent`]), and nothing else.
//!
//! The [`Node`] tree a file is parsed into also holds every scalar and a vector per collection;
//! kept for the whole run, it was the larger part of what a run holds (a mapping entry took
//! 144 bytes, its vectors' spare capacity and two strings besides). An outline is one slice of
//! 24-byte slots in pre-order (a node, then its children, each followed by its own) and one
//! buffer of the keys' texts: about a fifth of that, freed with two deallocations. A slot keeps
//! positions as character offsets ([`Pos::offset`]); their lines and columns are read again
//! from the file they are in ([`crate::source::SourceFile::pos_of_char`]) by the `pos` function
//! the queries take, which maps a node's origin and an offset to its position.

use super::{Located, Node, NodeValue, PathSeg, first_line};
use crate::source::{Pos, Span};

/// The nodes of a tree in pre-order, with the key texts of mapping entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outline {
    /// The root's span, kept whole: read for every resource.
    span: Span,
    slots: Box<[Slot]>,
    /// Each key's length (LEB128) and text.
    keys: Box<[u8]>,
    /// Which file of the resource each slot's node and key come from ([`Node::origin`]):
    /// `[node, key]` per slot, or empty when every node is from the resource's own file (every
    /// Kubernetes object; a Compose service without override or `extends` files).
    origins: Box<[[u32; 2]]>,
}

/// One node of an outline.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Slot {
    /// The node's span, as character offsets in the file of its origin.
    start: u32,
    end: u32,
    /// The span of its key, when it is the value of a mapping entry, in the file of the key's
    /// origin.
    key_start: u32,
    key_end: u32,
    /// Where its key is in [`Outline::keys`]; `NO_KEY` when the node is not
    /// an entry's value or its key is not a scalar.
    key: u32,
    /// Slots in its subtree, itself included (its next sibling is this many slots on), below
    /// [`SHAPE_SHIFT`]; its [`Shape`] above.
    size_shape: u32,
}

/// Where a slot's shape starts in [`Slot::size_shape`]: a file of [`MAX_INPUT_BYTES`] has
/// fewer than 2^30 nodes, at least two bytes each.
///
/// [`MAX_INPUT_BYTES`]: crate::source::MAX_INPUT_BYTES
const SHAPE_SHIFT: u32 = 30;

impl Slot {
    fn size(&self) -> usize {
        (self.size_shape & ((1 << SHAPE_SHIFT) - 1)) as usize
    }

    fn shape(&self) -> Shape {
        match self.size_shape >> SHAPE_SHIFT {
            0 => Shape::Map,
            1 => Shape::Seq,
            _ => Shape::Scalar,
        }
    }
}

/// Maps a node's origin and a character offset in that file to the position.
pub type PosOf<'a> = &'a dyn Fn(u32, u32) -> Pos;

/// The offset kept for a position that is not in the text (a span left without an end).
const NOWHERE: u32 = u32::MAX;

fn offset_of(pos: Pos) -> u32 {
    if pos == Pos::default() {
        NOWHERE
    } else {
        pos.offset
    }
}

fn pos_at(pos: PosOf<'_>, origin: u32, offset: u32) -> Pos {
    if offset == NOWHERE {
        Pos::default()
    } else {
        pos(origin, offset)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Map = 0,
    Seq = 1,
    Scalar = 2,
}

const NO_KEY: u32 = u32::MAX;

impl Outline {
    /// The outline of a tree.
    pub fn new(root: &Node) -> Outline {
        let mut builder = Builder {
            slots: Vec::with_capacity(slot_count(root)),
            keys: Vec::new(),
            origins: Vec::new(),
        };
        builder.push(root, None);
        Outline {
            span: root.span,
            slots: builder.slots.into_boxed_slice(),
            keys: builder.keys.into_boxed_slice(),
            origins: builder.origins.into_boxed_slice(),
        }
    }

    /// The span of the whole tree.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Resolves a path of keys and indices to the deepest node that exists on the way, as
    /// [`Node::locate`] does on the tree the outline was made from.
    pub fn locate(&self, path: &[PathSeg], pos: PosOf<'_>) -> Located {
        let root = Located {
            span: self.span,
            head: first_line(self.span),
            depth: 0,
            origin: self.origin(0),
        };
        if self.slots.is_empty() {
            return root;
        }
        // The walk finds the slot; only its positions are read from the file, at the end.
        let (mut at, mut depth, mut entry) = (0, 0, false);
        for seg in path {
            let next = match (self.slots[at].shape(), seg) {
                (Shape::Map, seg) => {
                    let number;
                    let want = match seg {
                        PathSeg::Key(k) => &**k,
                        PathSeg::Index(i) => {
                            number = i.to_string();
                            number.as_str()
                        }
                    };
                    self.children(at)
                        .find(|&c| self.key(c) == Some(want.as_bytes()))
                        .map(|c| (c, true))
                }
                (Shape::Seq, PathSeg::Index(i)) => self.children(at).nth(*i).map(|c| (c, false)),
                _ => None,
            };
            let Some((child, is_entry)) = next else {
                break;
            };
            (at, depth, entry) = (child, depth + 1, is_entry);
        }
        if depth == 0 {
            return root;
        }
        let span = self.span_of(at, pos);
        if entry {
            let key = self.key_span(at, pos);
            Located {
                span: key.to(span),
                head: key,
                depth,
                origin: self.key_origin(at),
            }
        } else {
            Located {
                span,
                head: first_line(span),
                depth,
                origin: self.origin(at),
            }
        }
    }

    /// The origin of a slot's node (0 for an empty outline's root).
    fn origin(&self, at: usize) -> u32 {
        self.origins.get(at).map_or(0, |o| o[0])
    }

    /// The origin of a slot's key.
    fn key_origin(&self, at: usize) -> u32 {
        self.origins.get(at).map_or(0, |o| o[1])
    }

    /// The span of a slot's node.
    fn span_of(&self, at: usize, pos: PosOf<'_>) -> Span {
        let (s, origin) = (&self.slots[at], self.origin(at));
        Span::new(pos_at(pos, origin, s.start), pos_at(pos, origin, s.end))
    }

    /// The span of a slot's key.
    fn key_span(&self, at: usize, pos: PosOf<'_>) -> Span {
        let (s, origin) = (&self.slots[at], self.key_origin(at));
        Span::new(
            pos_at(pos, origin, s.key_start),
            pos_at(pos, origin, s.key_end),
        )
    }

    /// The last line of the outermost node that starts on `line` (an entry counts from its
    /// key), when the tree has one.
    pub fn extent(&self, line: u32, pos: PosOf<'_>) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.extent_at(0, line, pos)
    }

    fn extent_at(&self, at: usize, line: u32, pos: PosOf<'_>) -> Option<u32> {
        let span = self.span_of(at, pos);
        if span.start.line > line || span.end.line < line {
            return None;
        }
        if span.start.line == line {
            return Some(span.end.line);
        }
        match self.slots[at].shape() {
            Shape::Map => self.children(at).find_map(|c| {
                let key = self.key_span(c, pos);
                if key.start.line == line {
                    Some(self.span_of(c, pos).end.line.max(key.end.line))
                } else {
                    self.extent_at(c, line, pos)
                }
            }),
            Shape::Seq => self.children(at).find_map(|c| self.extent_at(c, line, pos)),
            Shape::Scalar => None,
        }
    }

    /// The slots of a node's children, in order.
    fn children(&self, at: usize) -> impl Iterator<Item = usize> + '_ {
        let end = at + self.slots[at].size();
        let mut next = at + 1;
        std::iter::from_fn(move || {
            (next < end).then(|| {
                let child = next;
                next += self.slots[child].size();
                child
            })
        })
    }

    /// The text of the key a node is the value of.
    fn key(&self, at: usize) -> Option<&[u8]> {
        let start = self.slots[at].key;
        if start == NO_KEY {
            return None;
        }
        let (mut len, mut shift, mut at) = (0usize, 0, start as usize);
        loop {
            let byte = self.keys[at];
            len |= usize::from(byte & 0x7f) << shift;
            at += 1;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        Some(&self.keys[at..at + len])
    }
}

/// How many slots a tree's outline has: a node each, keys not counted.
fn slot_count(node: &Node) -> usize {
    1 + match &node.value {
        NodeValue::Map(entries) => entries.iter().map(|e| slot_count(&e.value)).sum(),
        NodeValue::Seq(items) => items.iter().map(slot_count).sum(),
        _ => 0,
    }
}

struct Builder {
    slots: Vec<Slot>,
    keys: Vec<u8>,
    /// Empty until a node or key from another file than the resource's own is met; a slot
    /// each from then on.
    origins: Vec<[u32; 2]>,
}

impl Builder {
    fn push(&mut self, node: &Node, key: Option<&Node>) {
        let at = self.slots.len();
        let (key_span, key_at, key_origin) = match key {
            Some(k) => {
                let at = match k.key_text() {
                    Some(text) => {
                        let at = self.keys.len() as u32;
                        let mut len = text.len();
                        while len >= 0x80 {
                            self.keys.push((len & 0x7f) as u8 | 0x80);
                            len >>= 7;
                        }
                        self.keys.push(len as u8);
                        self.keys.extend_from_slice(text.as_bytes());
                        at
                    }
                    None => NO_KEY,
                };
                (k.span, at, k.origin)
            }
            None => (Span::default(), NO_KEY, 0),
        };
        let shape = match &node.value {
            NodeValue::Map(_) => Shape::Map,
            NodeValue::Seq(_) => Shape::Seq,
            _ => Shape::Scalar,
        };
        self.slots.push(Slot {
            start: offset_of(node.span.start),
            end: offset_of(node.span.end),
            key_start: offset_of(key_span.start),
            key_end: offset_of(key_span.end),
            key: key_at,
            size_shape: 0,
        });
        if node.origin != 0 || key_origin != 0 || !self.origins.is_empty() {
            self.origins.resize(self.slots.len() - 1, [0, 0]);
            self.origins.push([node.origin, key_origin]);
        }
        match &node.value {
            NodeValue::Map(entries) => {
                for e in entries {
                    self.push(&e.value, Some(&e.key));
                }
            }
            NodeValue::Seq(items) => {
                for item in items {
                    self.push(item, None);
                }
            }
            _ => {}
        }
        let size = (self.slots.len() - at) as u32;
        debug_assert!(size < 1 << SHAPE_SHIFT);
        self.slots[at].size_shape = size | (shape as u32) << SHAPE_SHIFT;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{NodeValue, parse_stream};

    fn tree(text: &str) -> Node {
        let stream = parse_stream(text);
        assert!(stream.error.is_none(), "{:?}", stream.error);
        stream.documents.into_iter().next().unwrap().root
    }

    fn key(k: &str) -> PathSeg {
        PathSeg::Key(k.into())
    }

    const TEXT: &str = "\
metadata:
  name: web
  labels: {app: web, 1: one}
spec:
  containers:
    - name: a
      image: nginx
    - name: b
      ports:
        - containerPort: 80
  ? [complex, key]
  : value
  last: [1, 2]
";

    /// The same tree with characters of several bytes before, inside and after keys and
    /// values, and on the lines of the nodes found.
    const WIDE: &str = "\
métadonnées: {«clé»: été}
metadata:
  name: wéb
  labels: {app: wéb, 1: ☃}
spec:
  containers:
    - name: ä
      image: nginx
    - name: b
      ports:
        - containerPort: 80 # ☃☃
  ? [complex, kéy]
  : value
  last: [1, 2]
";

    /// Both texts' trees, outlines and files.
    fn cases() -> Vec<(Node, Outline, SourceFile)> {
        [TEXT, WIDE]
            .into_iter()
            .map(|text| {
                let node = tree(text);
                let outline = Outline::new(&node);
                (
                    node,
                    outline,
                    SourceFile::new("t.yaml".into(), None, text.into()),
                )
            })
            .collect()
    }

    #[test]
    fn locates_every_path_as_the_tree_does() {
        let paths: Vec<Vec<PathSeg>> = vec![
            vec![],
            vec![key("metadata")],
            vec![key("metadata"), key("name")],
            vec![key("metadata"), key("labels"), key("app")],
            vec![key("metadata"), key("labels"), key("1")],
            vec![key("metadata"), key("labels"), PathSeg::Index(1)],
            vec![
                key("spec"),
                key("containers"),
                PathSeg::Index(1),
                key("ports"),
            ],
            vec![
                key("spec"),
                key("containers"),
                PathSeg::Index(1),
                key("ports"),
                PathSeg::Index(0),
                key("containerPort"),
            ],
            vec![key("spec"), key("containers"), PathSeg::Index(2), key("x")],
            vec![key("spec"), key("containers"), key("0")],
            vec![key("spec"), key("last"), PathSeg::Index(1)],
            vec![key("spec"), key("last"), PathSeg::Index(1), key("deeper")],
            vec![key("nope"), key("spec")],
            vec![key("metadata"), key("name"), key("below-a-scalar")],
            vec![key("métadonnées"), key("«clé»")],
        ];
        for (node, outline, file) in cases() {
            let pos = |_: u32, offset: u32| file.pos_of_char(offset);
            for path in &paths {
                assert_eq!(outline.locate(path, &pos), node.locate(path), "{path:?}");
            }
            assert_eq!(outline.span(), node.span);
            // The deepest path found really is deep, so the comparison is not trivial.
            let deep = outline.locate(&paths[7], &pos);
            assert_eq!(deep.depth, 6);
            assert!(
                deep.span.start.line >= 10 && deep.span.start.col == 11,
                "{deep:?}"
            );
        }
    }

    /// The extent as suppressions read it from the tree before outlines.
    fn tree_extent(node: &Node, line: u32) -> Option<u32> {
        if node.span.start.line > line || node.span.end.line < line {
            return None;
        }
        if node.span.start.line == line {
            return Some(node.span.end.line);
        }
        match &node.value {
            NodeValue::Map(entries) => entries.iter().find_map(|e| {
                if e.key.span.start.line == line {
                    Some(e.value.span.end.line.max(e.key.span.end.line))
                } else {
                    tree_extent(&e.value, line)
                }
            }),
            NodeValue::Seq(items) => items.iter().find_map(|n| tree_extent(n, line)),
            _ => None,
        }
    }

    #[test]
    fn finds_the_extent_of_the_node_starting_on_a_line_as_the_tree_does() {
        for (node, outline, file) in cases() {
            let pos = |_: u32, offset: u32| file.pos_of_char(offset);
            for line in 0..=16 {
                let extent = outline.extent(line, &pos);
                assert_eq!(extent, tree_extent(&node, line), "line {line}");
            }
        }
        // The root starts on line 1; `image: nginx` is an entry of one line; a key inside a
        // container starts the `ports` entry; nothing is after the tree.
        let (_, outline, file) = cases().remove(0);
        let pos = |_: u32, offset: u32| file.pos_of_char(offset);
        assert_eq!(outline.extent(1, &pos), Some(13));
        assert_eq!(outline.extent(7, &pos), Some(7));
        assert!(outline.extent(9, &pos).is_some_and(|end| end >= 10));
        assert_eq!(outline.extent(15, &pos), None);
        assert_eq!(Outline::default().extent(1, &pos), None);
    }

    #[test]
    fn a_slot_stays_24_bytes() {
        // A node of the tree is 72 bytes, an entry two of them, besides their allocations.
        assert_eq!(std::mem::size_of::<Slot>(), 24);
    }

    #[test]
    fn finds_keys_of_any_length() {
        // Lengths of one, two and three LEB128 bytes, and a key that is a prefix of another.
        let long = "k".repeat(200);
        let longer = "q".repeat(20_000);
        // A simple key is at most 1,024 characters: the longer one is an explicit key.
        let text = format!("{long}: 1\n? {longer}\n: 2\nk: 4\n'': 5\n");
        let node = tree(&text);
        let outline = Outline::new(&node);
        let file = SourceFile::new("t.yaml".into(), None, text.clone());
        let pos = |_: u32, offset: u32| file.pos_of_char(offset);
        for (k, line) in [(&*long, 1), (&*longer, 2), ("k", 4), ("", 5)] {
            let found = outline.locate(&[key(k)], &pos);
            assert_eq!(
                (found.depth, found.span.start.line),
                (1, line),
                "{}",
                k.len()
            );
        }
        assert_eq!(outline.locate(&[key("kk")], &pos).depth, 0);
    }

    #[test]
    fn keeps_the_origins_of_nodes_from_other_files() {
        let mut node = tree(TEXT);
        let outline = Outline::new(&node);
        assert!(outline.origins.is_empty());
        // An override file's value under the base file's key, as Compose merges them.
        let NodeValue::Map(entries) = &mut node.value else {
            panic!("a mapping")
        };
        entries[1].value.origin = 2;
        let NodeValue::Map(spec) = &mut entries[1].value.value else {
            panic!("a mapping")
        };
        spec[0].key.origin = 1;
        let outline = Outline::new(&node);
        let file = SourceFile::new("t.yaml".into(), None, TEXT.into());
        let seen = std::cell::RefCell::new(Vec::new());
        let pos = |origin: u32, offset: u32| {
            seen.borrow_mut().push(origin);
            file.pos_of_char(offset)
        };
        let path = [key("spec"), key("containers")];
        assert_eq!(outline.locate(&path, &pos), node.locate(&path));
        assert_eq!(outline.locate(&path, &pos).origin, 1);
        assert_eq!(outline.locate(&path[..1], &pos).origin, 0);
        assert!(seen.borrow().contains(&2), "{:?}", seen.borrow());
    }
}
