//! A resource's tree as the stages after loading need it: the span of every node and the text
//! of every mapping key, to place a finding at a path ([`Outline::locate`]) and a comment at
//! the node it stands before ([`Outline::extent`]), and nothing else.
//!
//! The [`Node`] tree a file is parsed into also holds every scalar and a vector per collection;
//! kept for the whole run, it was the larger part of what a run holds (a mapping entry took
//! 144 bytes, its vectors' spare capacity and two strings besides). An outline is one slice of
//! fixed-size slots in pre-order (a node, then its children, each followed by its own) and one
//! string of the keys' texts: about a third of that, and freed with two deallocations.

use super::{Located, Node, NodeValue, PathSeg, first_line};
use crate::source::Span;

/// The nodes of a tree in pre-order, with the key texts of mapping entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outline {
    slots: Box<[Slot]>,
    keys: Box<str>,
}

/// One node of an outline.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Slot {
    /// The node's span.
    span: Span,
    /// The span of its key, when it is the value of a mapping entry.
    key: Span,
    /// Where its key's text is in [`Outline::keys`]; `len == NO_KEY` when the node is not an
    /// entry's value or its key is not a scalar.
    key_start: u32,
    key_len: u32,
    /// Slots in its subtree, itself included: its next sibling is this many slots on.
    size: u32,
    /// The origin of its key when it is an entry's value, its own otherwise (what
    /// [`Located::origin`] reports for it).
    origin: u32,
    shape: Shape,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Map,
    Seq,
    Scalar,
}

const NO_KEY: u32 = u32::MAX;

impl Outline {
    /// The outline of a tree.
    pub fn new(root: &Node) -> Outline {
        let (count, _) = root.size();
        let mut builder = Builder {
            slots: Vec::with_capacity(count),
            keys: String::new(),
        };
        builder.push(root, None);
        Outline {
            slots: builder.slots.into_boxed_slice(),
            keys: builder.keys.into_boxed_str(),
        }
    }

    /// The span of the whole tree.
    pub fn span(&self) -> Span {
        self.slots.first().map_or_else(Span::default, |s| s.span)
    }

    /// Resolves a path of keys and indices to the deepest node that exists on the way, as
    /// [`Node::locate`] does on the tree the outline was made from.
    pub fn locate(&self, path: &[PathSeg]) -> Located {
        let Some(root) = self.slots.first() else {
            return Located {
                span: Span::default(),
                head: Span::default(),
                depth: 0,
                origin: 0,
            };
        };
        let mut at = 0;
        let mut found = Located {
            span: root.span,
            head: first_line(root.span),
            depth: 0,
            origin: root.origin,
        };
        for seg in path {
            let next = match (self.slots[at].shape, seg) {
                (Shape::Map, seg) => {
                    let want = seg.to_string();
                    self.children(at)
                        .find(|&c| self.key(c) == Some(want.as_str()))
                        .map(|c| {
                            let s = &self.slots[c];
                            (c, s.key.to(s.span), s.key)
                        })
                }
                (Shape::Seq, PathSeg::Index(i)) => self.children(at).nth(*i).map(|c| {
                    let span = self.slots[c].span;
                    (c, span, first_line(span))
                }),
                _ => None,
            };
            let Some((child, span, head)) = next else {
                break;
            };
            at = child;
            found = Located {
                span,
                head,
                depth: found.depth + 1,
                origin: self.slots[child].origin,
            };
        }
        found
    }

    /// The last line of the outermost node that starts on `line` (an entry counts from its
    /// key), when the tree has one.
    pub fn extent(&self, line: u32) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.extent_at(0, line)
    }

    fn extent_at(&self, at: usize, line: u32) -> Option<u32> {
        let s = &self.slots[at];
        if s.span.start.line > line || s.span.end.line < line {
            return None;
        }
        if s.span.start.line == line {
            return Some(s.span.end.line);
        }
        match s.shape {
            Shape::Map => self.children(at).find_map(|c| {
                let child = &self.slots[c];
                if child.key.start.line == line {
                    Some(child.span.end.line.max(child.key.end.line))
                } else {
                    self.extent_at(c, line)
                }
            }),
            Shape::Seq => self.children(at).find_map(|c| self.extent_at(c, line)),
            Shape::Scalar => None,
        }
    }

    /// The slots of a node's children, in order.
    fn children(&self, at: usize) -> impl Iterator<Item = usize> + '_ {
        let end = at + self.slots[at].size as usize;
        let mut next = at + 1;
        std::iter::from_fn(move || {
            (next < end).then(|| {
                let child = next;
                next += self.slots[child].size as usize;
                child
            })
        })
    }

    /// The text of the key a node is the value of.
    fn key(&self, at: usize) -> Option<&str> {
        let s = &self.slots[at];
        (s.key_len != NO_KEY)
            .then(|| &self.keys[s.key_start as usize..(s.key_start + s.key_len) as usize])
    }
}

struct Builder {
    slots: Vec<Slot>,
    keys: String,
}

impl Builder {
    fn push(&mut self, node: &Node, key: Option<&Node>) {
        let at = self.slots.len();
        let (key_span, key_start, key_len, origin) = match key {
            Some(k) => {
                let (start, len) = match k.key_text() {
                    Some(text) => {
                        let start = self.keys.len();
                        self.keys.push_str(&text);
                        (start as u32, text.len() as u32)
                    }
                    None => (0, NO_KEY),
                };
                (k.span, start, len, k.origin)
            }
            None => (Span::default(), 0, NO_KEY, node.origin),
        };
        let shape = match &node.value {
            NodeValue::Map(_) => Shape::Map,
            NodeValue::Seq(_) => Shape::Seq,
            _ => Shape::Scalar,
        };
        self.slots.push(Slot {
            span: node.span,
            key: key_span,
            key_start,
            key_len,
            size: 1,
            origin,
            shape,
        });
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
        self.slots[at].size = (self.slots.len() - at) as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn locates_every_path_as_the_tree_does() {
        let node = tree(TEXT);
        let outline = Outline::new(&node);
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
        ];
        for path in &paths {
            assert_eq!(outline.locate(path), node.locate(path), "{path:?}");
        }
        assert_eq!(outline.span(), node.span);
        // The deepest path found really is deep, so the comparison above is not trivial.
        assert_eq!(outline.locate(&paths[7]).depth, 6);
        assert_eq!(outline.locate(&paths[7]).span.start.line, 10);
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
        let node = tree(TEXT);
        let outline = Outline::new(&node);
        for line in 0..=15 {
            assert_eq!(
                outline.extent(line),
                tree_extent(&node, line),
                "line {line}"
            );
        }
        // The root starts on line 1; `image: nginx` is an entry of one line; a key inside a
        // container starts the `ports` entry; nothing is after the tree.
        assert_eq!(outline.extent(1), Some(13));
        assert_eq!(outline.extent(7), Some(7));
        assert!(outline.extent(9).is_some_and(|end| end >= 10));
        assert_eq!(outline.extent(15), None);
        assert_eq!(Outline::default().extent(1), None);
    }

    #[test]
    fn a_slot_stays_smaller_than_a_tree_node() {
        // A node of the tree is 72 bytes, an entry two of them, besides their allocations.
        assert!(std::mem::size_of::<Slot>() < std::mem::size_of::<Node>());
    }
}
