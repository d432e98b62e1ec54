//! Source files as read from disk or stdin: decoded text, a line index, and positions.
//!
//! Positions are 1-based lines and 1-based columns counted in Unicode scalar values (what SARIF
//! calls `unicodeCodePoints`); the YAML parser counts characters, so byte offsets for miette are
//! derived here.

use std::path::{Path, PathBuf};

/// A position in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
    /// 0-based offset in characters from the start of the decoded text.
    pub offset: u32,
}

/// A half-open range of a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }

    /// A span that covers `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// Inputs larger than this are refused without being read: no manifest is that large, and the
/// limit bounds memory whatever is thrown at rampart.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads and decodes a file within [`MAX_INPUT_BYTES`]. The error carries the position of a
/// decoding problem when there is one.
pub fn read_file(path: &Path, name: String) -> Result<SourceFile, (Option<Pos>, String)> {
    let bytes = read_regular(path, MAX_INPUT_BYTES).map_err(|m| (None, m))?;
    SourceFile::decode(name, Some(path.to_path_buf()), bytes).map_err(|e| (Some(e.pos), e.message))
}

/// Reads the bytes of a regular file of at most `limit` bytes; every file rampart reads from
/// disk (inputs, walked files, `extends` targets, `.env`) comes through here.
///
/// A FIFO, a device or a socket (also behind a symlink, such as `x.yaml -> /dev/stdin`) would
/// block or never end: it is refused from its metadata before it is opened, and the file is
/// opened non-blocking and checked again on the open descriptor, so that swapping the file
/// between the two checks does not make rampart wait. `-` is the one way to read stdin.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read: {}", io_message(&e));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    refuse_special(&meta, limit)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    refuse_special(&meta, limit)?;
    // Sized from the metadata, one byte over so that the read that finds the end has room:
    // growing by doubling left a third of every input's text unused, for the whole run.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

fn refuse_special(meta: &std::fs::Metadata, limit: u64) -> Result<(), String> {
    if meta.is_dir() {
        return Err("cannot read: is a directory".into());
    }
    if !meta.is_file() {
        return Err(format!(
            "not a regular file (a {}): rampart reads only regular files; use `-` for standard input",
            special_kind(meta)
        ));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    Ok(())
}

fn too_large(len: u64, limit: u64) -> String {
    format!(
        "file is {} MiB, larger than the {} MiB rampart reads; split it or exclude it",
        len / (1024 * 1024),
        limit / (1024 * 1024)
    )
}

fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_socket() {
            return "socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "device";
        }
    }
    let _ = meta;
    "special file"
}

/// A decoded input file.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as it is shown to users: as given, or relative to the working directory.
    pub name: String,
    /// The path used to read the file (`None` for stdin).
    pub path: Option<PathBuf>,
    /// UTF-8 text without a byte-order mark.
    pub text: String,
    /// Byte offset of the start of every line ([`MAX_INPUT_BYTES`] fits in a `u32`: half the
    /// size of a `usize`, kept for every line of every input).
    line_starts: Box<[u32]>,
    /// Whether the text is pure ASCII, so that character and byte offsets agree.
    ascii: bool,
    /// Character offset of the start of every line, when it differs from the byte offset
    /// (the text is not ASCII).
    char_line_starts: Option<Box<[u32]>>,
}

/// A problem at a position of one text: a YAML syntax error, an undecodable byte, a malformed
/// `.env` line. It becomes a `Diagnostic` (a problem of a file) where the file is
/// known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    pub pos: Pos,
    pub message: String,
}

impl SourceFile {
    pub fn new(name: String, path: Option<PathBuf>, text: String) -> Self {
        let text = lone_cr_to_lf(text);
        let line_starts: Box<[u32]> = line_starts(text.as_bytes())
            .into_iter()
            .map(|s| s as u32)
            .collect();
        let ascii = text.is_ascii();
        let char_line_starts = (!ascii).then(|| {
            char_line_starts(&text, line_starts.iter().map(|&s| s as usize)).into_boxed_slice()
        });
        SourceFile {
            name,
            path,
            text,
            line_starts,
            ascii,
            char_line_starts,
        }
    }

    /// Frees the text once nothing will show it ([`crate::lint::Options::drop_text`]): the
    /// line starts stay, so [`SourceFile::pos_of_char`] does too; what reads the text (the
    /// human report) sees an empty one.
    pub fn drop_text(&mut self) {
        self.text = String::new();
    }

    /// The position of a character offset (what [`Pos::offset`] counts), as the YAML parser
    /// gives it.
    pub fn pos_of_char(&self, offset: u32) -> Pos {
        let starts = self
            .char_line_starts
            .as_deref()
            .unwrap_or(&self.line_starts);
        let line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        Pos {
            line: line as u32 + 1,
            col: offset.saturating_sub(starts[line]) + 1,
            offset,
        }
    }

    /// Decodes raw bytes: UTF-8 with or without BOM, or UTF-16 with a BOM. A NUL byte in
    /// what is not UTF-16 marks a binary file.
    pub fn decode(name: String, path: Option<PathBuf>, bytes: Vec<u8>) -> Result<Self, TextError> {
        let text = decode_text(bytes)?;
        Ok(SourceFile::new(name, path, text))
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: u32) -> usize {
        let idx = (line.max(1) as usize - 1).min(self.line_starts.len() - 1);
        self.line_starts[idx] as usize
    }

    /// Byte offset of the end of a 1-based line, without its line break.
    pub fn line_end(&self, line: u32) -> usize {
        let idx = line.max(1) as usize;
        if idx >= self.line_starts.len() {
            return self.text.len();
        }
        // The line break before the next line: `\n`, `\r\n` or `\r`.
        let next = self.line_starts[idx] as usize;
        let bytes = self.text.as_bytes();
        if next >= 2 && bytes[next - 1] == b'\n' && bytes[next - 2] == b'\r' {
            next - 2
        } else {
            next - 1
        }
    }

    /// Byte offset of a position (from its line and column).
    pub fn byte_offset(&self, pos: Pos) -> usize {
        self.byte_of_line_col(pos.line, pos.col)
    }

    /// Byte offset of a 1-based line and column (in characters), for positions that carry no
    /// offset, such as an input error's.
    pub fn byte_of_line_col(&self, line: u32, col: u32) -> usize {
        let start = self.line_start(line);
        let skip = col.saturating_sub(1) as usize;
        if self.ascii {
            return (start + skip).min(self.text.len());
        }
        match self.text[start..].char_indices().nth(skip) {
            Some((i, _)) => start + i,
            None => self.text.len(),
        }
    }

    /// The 1-based line and column of a byte offset.
    pub fn position_of_byte(&self, byte: usize) -> (u32, u32) {
        let byte = byte.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&(byte as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx] as usize;
        let col = self.text[start..byte].chars().count() + 1;
        (line_idx as u32 + 1, col as u32)
    }

    /// The position of a byte offset, with its character offset.
    pub fn pos_of_byte(&self, byte: usize) -> Pos {
        let (line, col) = self.position_of_byte(byte);
        let offset = if self.ascii {
            byte
        } else {
            self.text[..byte.min(self.text.len())].chars().count()
        };
        Pos {
            line,
            col,
            offset: offset as u32,
        }
    }

    /// Displayed path, for messages.
    pub fn display_path(&self) -> &Path {
        Path::new(&self.name)
    }
}

/// A lone `\r` ends a line (YAML's rule, libyaml's too), but terminals and miette's snippets
/// break lines only at `\n`: it becomes `\n`, which keeps every byte offset and what the YAML
/// means.
fn lone_cr_to_lf(text: String) -> String {
    if !text.as_bytes().contains(&b'\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    String::from_utf8(bytes).expect("replacing one ASCII byte by another keeps UTF-8")
}

/// Byte offset of the start of every line. The one line rule of every message rampart prints
/// (decoding errors, YAML errors, findings): a line ends at `\n`, `\r\n` or a lone `\r`, as
/// YAML (and so libyaml) counts lines.
pub fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
            starts.push(i + 1);
        }
    }
    starts
}

/// Character offset of the start of every line, from the lines' byte offsets
/// ([`line_starts`]): what positions count ([`Pos::offset`]) where the text is not ASCII.
pub fn char_line_starts(text: &str, starts: impl IntoIterator<Item = usize>) -> Vec<u32> {
    let mut chars = 0u32;
    let mut prev = 0;
    starts
        .into_iter()
        .map(|start| {
            chars += text[prev..start].chars().count() as u32;
            prev = start;
            chars
        })
        .collect()
}

fn decode_text(bytes: Vec<u8>) -> Result<String, TextError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return decode_utf16(&bytes);
    }
    let bytes = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes[3..].to_vec()
    } else {
        bytes
    };
    if let Some(nul) = memchr::memchr(0, &bytes) {
        let (line, col) = line_col_of(&bytes, nul);
        return Err(TextError {
            pos: Pos {
                line,
                col,
                offset: 0,
            },
            message: "binary file (contains a NUL byte); not YAML or JSON".into(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let (line, col) = line_col_of(bytes, at);
        TextError {
            pos: Pos {
                line,
                col,
                offset: 0,
            },
            message: format!("invalid UTF-8 (byte 0x{:02x})", bytes[at]),
        }
    })
}

fn decode_utf16(bytes: &[u8]) -> Result<String, TextError> {
    let little = bytes[0] == 0xFF;
    let body = &bytes[2..];
    if body.len() % 2 != 0 {
        return Err(TextError {
            pos: Pos {
                line: 1,
                col: 1,
                offset: 0,
            },
            message: "truncated UTF-16 text (odd number of bytes)".into(),
        });
    }
    let units = body.chunks_exact(2).map(|c| {
        if little {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let mut text = String::with_capacity(body.len() / 2);
    for (i, ch) in char::decode_utf16(units).enumerate() {
        match ch {
            Ok(c) => text.push(c),
            Err(_) => {
                let (line, col) = line_col_of(text.as_bytes(), text.len());
                return Err(TextError {
                    pos: Pos {
                        line,
                        col,
                        offset: 0,
                    },
                    message: format!("invalid UTF-16 (unpaired surrogate at code unit {i})"),
                });
            }
        }
    }
    Ok(text)
}

/// Line and column of a byte offset in bytes that may not be valid UTF-8 past `at`.
fn line_col_of(bytes: &[u8], at: usize) -> (u32, u32) {
    let before = &bytes[..at.min(bytes.len())];
    // A `\r` last in `before` may be the first half of a `\r\n`: its line starts after both.
    let starts = line_starts(before);
    let mut line = starts.len();
    let mut line_start = *starts.last().unwrap_or(&0);
    if before.last() == Some(&b'\r') && bytes.get(before.len()) == Some(&b'\n') {
        line -= 1;
        line_start = starts[line - 1];
    }
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line as u32, col as u32)
}

/// An I/O error message without the "(os error N)" suffix.
pub fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_indexes_lines() {
        let f =
            SourceFile::decode("a".into(), None, b"\xEF\xBB\xBFa: 1\r\nb: 2\n".to_vec()).unwrap();
        assert_eq!(f.text, "a: 1\r\nb: 2\n");
        assert_eq!(f.line_count(), 3);
        assert_eq!(&f.text[f.line_start(2)..f.line_end(2)], "b: 2");
        assert_eq!(&f.text[f.line_start(1)..f.line_end(1)], "a: 1");
    }

    #[test]
    fn line_starts_are_where_yaml_starts_lines() {
        // Byte by byte: a line ends at `\n`, at `\r\n`, or at a lone `\r`.
        fn expected(bytes: &[u8]) -> Vec<usize> {
            let mut starts = vec![0];
            for (i, &b) in bytes.iter().enumerate() {
                if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                    starts.push(i + 1);
                }
            }
            starts
        }
        // Every text of up to 7 bytes over `a`, `\n` and `\r`, and a long one.
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..7 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, Vec::len))
                .flat_map(|t| {
                    [b'a', b'\n', b'\r'].map(|b| {
                        let mut t = t.clone();
                        t.push(b);
                        t
                    })
                })
                .collect();
            texts.extend(longer);
        }
        assert_eq!(texts.len(), (0..=7).map(|n| 3usize.pow(n)).sum::<usize>());
        texts.push(b"key: value\r\n\r\n\rx\n".repeat(100));
        for text in texts {
            assert_eq!(line_starts(&text), expected(&text), "{text:?}");
        }
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let f = SourceFile::decode("a".into(), None, b"a: 1\rb: 2\r\nc: \xff".to_vec());
        let e = f.unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (3, 4));
        let f = SourceFile::decode("a".into(), None, b"a: 1\rb: 2\r\nc: 3\r".to_vec()).unwrap();
        assert_eq!(f.text, "a: 1\nb: 2\r\nc: 3\n");
        assert_eq!(f.line_count(), 4);
        assert_eq!(&f.text[f.line_start(2)..f.line_end(2)], "b: 2");
        assert_eq!(f.position_of_byte(f.text.find('c').unwrap()), (3, 1));
    }

    #[test]
    fn decodes_utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "kind: Pod\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let f = SourceFile::decode("a".into(), None, bytes).unwrap();
        assert_eq!(f.text, "kind: Pod\n");
    }

    #[test]
    fn rejects_binary_and_bad_utf8_with_a_location() {
        let e = SourceFile::decode("a".into(), None, b"a: 1\nb: \x00".to_vec()).unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (2, 4));
        let e = SourceFile::decode("a".into(), None, b"a: 1\nbc: \xff".to_vec()).unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (2, 5));
        assert!(e.message.contains("invalid UTF-8"));
    }

    #[test]
    fn byte_offsets_count_characters() {
        let f = SourceFile::new("a".into(), None, "é: 1\nname: ü x\n".into());
        let pos = Pos {
            line: 2,
            col: 9,
            offset: 13,
        };
        assert_eq!(&f.text[f.byte_offset(pos)..], "x\n");
        assert_eq!(f.position_of_byte(f.byte_offset(pos)), (2, 9));
    }
}
