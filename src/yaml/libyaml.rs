//! A safe event iterator over `unsafe-libyaml` (libyaml transpiled to Rust, the parser go-yaml
//! ports and so the one kubectl and Compose read manifests with). This is the only `unsafe` code
//! of the loader: the parser's lifetime, its input borrow and the copying of each event's data
//! out of libyaml's buffers before the event is freed.
//!
//! Marks are byte offsets into the text; lines and columns are computed by the caller from
//! them, with the one line rule of [`crate::source`].

use std::ffi::CStr;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

use unsafe_libyaml as unsafe_sys;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// One parse event, with its data copied out of libyaml.
#[derive(Debug)]
pub enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(Box<str>),
    Scalar {
        value: String,
        style: Style,
        anchor: Option<Box<str>>,
        tag: Option<Box<str>>,
    },
    SequenceStart {
        anchor: Option<Box<str>>,
        tag: Option<Box<str>>,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<Box<str>>,
        tag: Option<Box<str>>,
    },
    MappingEnd,
}

/// A syntax error: libyaml's problem, where it was found, and what was being parsed.
#[derive(Debug)]
pub struct Error {
    pub problem: String,
    pub at: usize,
    pub context: Option<(String, usize)>,
}

/// Events of a UTF-8 text, each with its start and end byte offsets.
pub struct Parser<'a> {
    // Boxed: libyaml keeps pointers into the parser state, which must not move.
    parser: Box<MaybeUninit<unsafe_sys::yaml_parser_t>>,
    done: bool,
    _input: PhantomData<&'a str>,
}

impl<'a> Parser<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut parser = Box::new(MaybeUninit::<unsafe_sys::yaml_parser_t>::uninit());
        // SAFETY: `yaml_parser_initialize` fills the whole struct (it only fails on allocation,
        // which aborts in the Rust port). The input is borrowed for `'a`, which outlives the
        // parser (PhantomData), and is valid UTF-8, which libyaml is told.
        unsafe {
            let p = parser.as_mut_ptr();
            if unsafe_sys::yaml_parser_initialize(p).fail {
                panic!("libyaml could not allocate its parser");
            }
            unsafe_sys::yaml_parser_set_encoding(p, unsafe_sys::YAML_UTF8_ENCODING);
            unsafe_sys::yaml_parser_set_input_string(p, text.as_ptr(), text.len() as u64);
        }
        Parser {
            parser,
            done: false,
            _input: PhantomData,
        }
    }

    /// The next event and its byte span; `None` after the stream's end or an error.
    pub fn next_event(&mut self) -> Option<Result<(Event, usize, usize), Error>> {
        if self.done {
            return None;
        }
        let mut event = MaybeUninit::<unsafe_sys::yaml_event_t>::uninit();
        // SAFETY: the parser was initialised in `new` and is not used after `Drop`. The event is
        // written by `yaml_parser_parse` on success, read only then, and deleted before return;
        // its strings are copied out before that.
        unsafe {
            let p = self.parser.as_mut_ptr();
            if unsafe_sys::yaml_parser_parse(p, event.as_mut_ptr()).fail {
                self.done = true;
                return Some(Err(error(&*p)));
            }
            let ev = &*event.as_ptr();
            let start = ev.start_mark.index as usize;
            let end = ev.end_mark.index as usize;
            let out = convert(ev);
            unsafe_sys::yaml_event_delete(event.as_mut_ptr());
            if matches!(out, Event::StreamEnd) {
                self.done = true;
            }
            Some(Ok((out, start, end)))
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, deleted once.
        unsafe { unsafe_sys::yaml_parser_delete(self.parser.as_mut_ptr()) }
    }
}

/// Copies a NUL-terminated libyaml string (null: none).
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated string that lives while this runs.
unsafe fn opt_str(ptr: *const u8) -> Option<Box<str>> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: per the contract above.
    let s = unsafe { CStr::from_ptr(ptr.cast()) };
    Some(s.to_string_lossy().into())
}

/// # Safety
/// `ev` is an event `yaml_parser_parse` just filled.
unsafe fn convert(ev: &unsafe_sys::yaml_event_t) -> Event {
    // SAFETY: each union field is read only for the event type that defines it.
    unsafe {
        match ev.type_ {
            unsafe_sys::YAML_STREAM_START_EVENT => Event::StreamStart,
            unsafe_sys::YAML_DOCUMENT_START_EVENT => Event::DocumentStart,
            unsafe_sys::YAML_DOCUMENT_END_EVENT => Event::DocumentEnd,
            unsafe_sys::YAML_ALIAS_EVENT => {
                Event::Alias(opt_str(ev.data.alias.anchor).unwrap_or_default())
            }
            unsafe_sys::YAML_SCALAR_EVENT => {
                let s = ev.data.scalar;
                let bytes = std::slice::from_raw_parts(s.value, s.length as usize);
                let style = match s.style {
                    unsafe_sys::YAML_SINGLE_QUOTED_SCALAR_STYLE => Style::SingleQuoted,
                    unsafe_sys::YAML_DOUBLE_QUOTED_SCALAR_STYLE => Style::DoubleQuoted,
                    unsafe_sys::YAML_LITERAL_SCALAR_STYLE => Style::Literal,
                    unsafe_sys::YAML_FOLDED_SCALAR_STYLE => Style::Folded,
                    _ => Style::Plain,
                };
                Event::Scalar {
                    value: String::from_utf8_lossy(bytes).into_owned(),
                    style,
                    anchor: opt_str(s.anchor),
                    tag: opt_str(s.tag),
                }
            }
            unsafe_sys::YAML_SEQUENCE_START_EVENT => Event::SequenceStart {
                anchor: opt_str(ev.data.sequence_start.anchor),
                tag: opt_str(ev.data.sequence_start.tag),
            },
            unsafe_sys::YAML_SEQUENCE_END_EVENT => Event::SequenceEnd,
            unsafe_sys::YAML_MAPPING_START_EVENT => Event::MappingStart {
                anchor: opt_str(ev.data.mapping_start.anchor),
                tag: opt_str(ev.data.mapping_start.tag),
            },
            unsafe_sys::YAML_MAPPING_END_EVENT => Event::MappingEnd,
            _ => Event::StreamEnd,
        }
    }
}

/// # Safety
/// `p` is a parser whose last `yaml_parser_parse` failed.
unsafe fn error(p: &unsafe_sys::yaml_parser_t) -> Error {
    // SAFETY: libyaml's problem and context are static C strings or null.
    unsafe {
        let text = |ptr: *const i8| {
            (!ptr.is_null()).then(|| CStr::from_ptr(ptr.cast()).to_string_lossy().into_owned())
        };
        let problem = text(p.problem).unwrap_or_else(|| "unknown YAML error".into());
        let context = text(p.context).map(|c| (c, p.context_mark.index as usize));
        // A reader error (an unreadable character) has no mark, only the byte offset.
        let at = if p.error == unsafe_sys::YAML_READER_ERROR {
            p.problem_offset as usize
        } else {
            p.problem_mark.index as usize
        };
        Error {
            problem,
            at,
            context,
        }
    }
}
