//! Bytes → the path a file takes through rampart: decoding (BOM, UTF-16, invalid UTF-8, NUL),
//! the span-preserving YAML loader (aliases, merge keys, nesting limits), Kubernetes
//! classification and the conversions policies and reports read. Asserts that nothing panics
//! and that every position handed out lies inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart::kubernetes::{Classified, classify};
use rampart::source::{Pos, SourceFile, Span};
use rampart::yaml::{Node, NodeValue, parse_stream};

fuzz_target!(|data: &[u8]| {
    let source = match SourceFile::decode("fuzz.yaml".into(), None, data.to_vec()) {
        Ok(source) => source,
        Err(e) => {
            assert!(e.pos.line >= 1 && e.pos.col >= 1, "decode error at {e:?}");
            return;
        }
    };
    let chars = source.text.chars().count();
    let stream = parse_stream(&source.text);
    if let Some(e) = &stream.error {
        check_pos(&source, chars, e.pos, "error");
    }
    for mut doc in stream.documents {
        walk(&source, chars, &doc.root, 0);
        doc.root.resolve(rampart::yaml::Schema::Kubernetes);
        doc.root.drop_null_entries();
        let _ = doc.root.to_json();
        let _ = doc.root.to_value();
        let (classified, errors) = classify(doc.root, "default");
        for (span, _) in &errors {
            check_span(&source, chars, *span);
        }
        match classified {
            Classified::Objects(objects) => {
                for o in objects {
                    check_span(&source, chars, o.node.span);
                    let _ = o.node.to_value();
                    let _ = o.node.locate(&[]);
                }
            }
            Classified::BadItem { span, .. } => check_span(&source, chars, span),
            Classified::NotKubernetes => {}
        }
    }
});

/// Checks the spans of a tree; `depth` also proves the nesting limit holds.
fn walk(source: &SourceFile, chars: usize, node: &Node, depth: usize) {
    assert!(
        depth <= rampart::yaml::MAX_DEPTH,
        "nesting {depth} beyond the limit"
    );
    check_span(source, chars, node.span);
    match &node.value {
        NodeValue::Seq(items) => {
            for item in items {
                walk(source, chars, item, depth + 1);
            }
        }
        NodeValue::Map(entries) => {
            for e in entries {
                walk(source, chars, &e.key, depth + 1);
                walk(source, chars, &e.value, depth + 1);
                check_span(source, chars, e.span());
            }
        }
        _ => {}
    }
}

fn check_span(source: &SourceFile, chars: usize, span: Span) {
    check_pos(source, chars, span.start, "start");
    check_pos(source, chars, span.end, "end");
    assert!(
        span.start.offset <= span.end.offset
            && (span.start.line, span.start.col) <= (span.end.line, span.end.col),
        "span ends before it starts: {span:?}"
    );
}

fn check_pos(source: &SourceFile, chars: usize, pos: Pos, what: &str) {
    assert!(
        pos.line >= 1 && pos.col >= 1,
        "{what} {pos:?} is not 1-based"
    );
    assert!(
        pos.offset as usize <= chars,
        "{what} {pos:?} is past the end ({chars} chars)"
    );
    // What the reports do with a position: it must land on a character of the text.
    let byte = source.byte_offset(pos);
    assert!(
        source.text.is_char_boundary(byte),
        "{what} {pos:?} → byte {byte}"
    );
}
