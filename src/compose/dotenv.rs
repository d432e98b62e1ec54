//! The project's `.env` file, parsed as Compose parses it: `KEY=VALUE` (or `KEY: VALUE`) lines,
//! an optional `export ` prefix, `#` comments (whole lines, or after whitespace in an unquoted
//! value), single quotes (literal), double quotes (escapes such as `\n`, `\"`, and
//! interpolation, possibly over several lines), and `${VAR}` references to variables defined
//! earlier in the file.
//!
//! A reference to a variable the file does not define would come from the process environment
//! in Compose; rampart never reads it, so such a value is *unknown* (see
//! [`UNKNOWN`](super::interpolate::UNKNOWN)) rather than empty. A line without `=` (`KEY`
//! alone) takes its value from the process environment in Compose: here it defines nothing.

use crate::compose::interpolate::{Env, substitute};
use crate::source::{Pos, TextError};

/// Parses a `.env` file into interpolation variables.
pub fn parse(text: &str) -> Result<Env, TextError> {
    let mut env = Env::default();
    let mut p = Cursor {
        chars: text.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
    };
    loop {
        p.skip(|c| c.is_whitespace());
        let Some(c) = p.peek() else { break };
        if c == '#' {
            p.skip(|c| c != '\n');
            continue;
        }
        if p.starts_with("export") && p.at(6).is_some_and(|c| c == ' ' || c == '\t') {
            p.advance(6);
            p.skip(|c| c == ' ' || c == '\t');
        }
        let (line, col) = (p.line, p.col);
        let mut key = String::new();
        while let Some(c) = p.peek() {
            if c == '=' || c == ':' || c.is_whitespace() {
                break;
            }
            if !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
                return Err(p.error(format!("unexpected character `{c}` in variable name")));
            }
            key.push(c);
            p.advance(1);
        }
        if key.is_empty() {
            return Err(p.error("a line must start with a variable name".into()));
        }
        if key.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(TextError {
                pos: Pos {
                    line,
                    col,
                    offset: 0,
                },
                message: format!("variable name `{key}` starts with a digit"),
            });
        }
        p.skip(|c| c == ' ' || c == '\t');
        match p.peek() {
            None | Some('\n') | Some('\r') | Some('#') => {
                // `KEY` alone: Compose reads it from the process environment; not here.
                p.skip(|c| c != '\n');
                continue;
            }
            Some('=') | Some(':') => p.advance(1),
            Some(c) => {
                return Err(p.error(format!(
                    "unexpected character `{c}` after variable name `{key}` (expected `=`)"
                )));
            }
        }
        p.skip(|c| c == ' ' || c == '\t');
        let value = match p.peek() {
            Some('\'') => {
                p.advance(1);
                let mut v = String::new();
                loop {
                    match p.peek() {
                        None => {
                            return Err(p.error(format!("unterminated single quote in `{key}`")));
                        }
                        Some('\'') => {
                            p.advance(1);
                            break;
                        }
                        Some(c) => {
                            v.push(c);
                            p.advance(1);
                        }
                    }
                }
                p.skip(|c| c != '\n');
                v
            }
            Some('"') => {
                p.advance(1);
                let mut raw = String::new();
                loop {
                    match p.peek() {
                        None => {
                            return Err(p.error(format!("unterminated double quote in `{key}`")));
                        }
                        Some('"') => {
                            p.advance(1);
                            break;
                        }
                        Some('\\') => {
                            p.advance(1);
                            match p.peek() {
                                Some('n') => raw.push('\n'),
                                Some('r') => raw.push('\r'),
                                Some('t') => raw.push('\t'),
                                Some('$') => raw.push_str("$$"),
                                Some(c) => raw.push(c),
                                None => {}
                            }
                            p.advance(1);
                        }
                        Some(c) => {
                            raw.push(c);
                            p.advance(1);
                        }
                    }
                }
                p.skip(|c| c != '\n');
                expand(&raw, &env)
            }
            _ => {
                let mut raw = String::new();
                let mut prev_space = false;
                while let Some(c) = p.peek() {
                    if c == '\n' || (c == '#' && prev_space) {
                        break;
                    }
                    prev_space = c == ' ' || c == '\t';
                    raw.push(c);
                    p.advance(1);
                }
                p.skip(|c| c != '\n');
                expand(raw.trim(), &env)
            }
        };
        env.insert(key, value);
    }
    Ok(env)
}

/// Interpolates a value with the variables defined so far; a missing one is unknown.
fn expand(raw: &str, env: &Env) -> String {
    if !raw.contains('$') {
        return raw.to_string();
    }
    // Problems in `.env` references are not reported: a missing variable would come from the
    // shell in Compose, and is simply unknown here.
    substitute(raw, env, &mut Vec::new())
}

struct Cursor {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
}

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn at(&self, n: usize) -> Option<char> {
        self.chars.get(self.i + n).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(n, c)| self.at(n) == Some(c))
    }

    fn advance(&mut self, n: usize) {
        for _ in 0..n {
            if let Some(c) = self.peek() {
                if c == '\n' {
                    self.line += 1;
                    self.col = 1;
                } else {
                    self.col += 1;
                }
                self.i += 1;
            }
        }
    }

    fn skip(&mut self, while_: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&while_) {
            self.advance(1);
        }
    }

    fn error(&self, message: String) -> TextError {
        TextError {
            pos: Pos {
                line: self.line,
                col: self.col,
                offset: 0,
            },
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::interpolate::UNKNOWN;

    #[test]
    fn parses_compose_dotenv_syntax() {
        let text = "# comment\n\
            PORT=8080\n\
            export HOST=127.0.0.1\n\
            SPACED = with spaces  # trailing comment\n\
            HASH=a#b\n\
            SINGLE='${PORT} # kept'\n\
            DOUBLE=\"line\\nnext ${PORT} \\$PORT\"\n\
            MULTI=\"a\n\
            b\"\n\
            REF=${HOST}:${PORT}\n\
            DEFAULTED=${MISSING:-x}\n\
            YAML: style\n\
            EMPTY=\n\
            CRLF=v\r\n\
            ALONE\n\
            dotted.key-1=ok\n";
        let env = parse(text).unwrap();
        let get = |k: &str| env.get(k).map(|v| v.replace(UNKNOWN, "<?>"));
        assert_eq!(get("PORT").as_deref(), Some("8080"));
        assert_eq!(get("HOST").as_deref(), Some("127.0.0.1"));
        assert_eq!(get("SPACED").as_deref(), Some("with spaces"));
        assert_eq!(get("HASH").as_deref(), Some("a#b"));
        assert_eq!(get("SINGLE").as_deref(), Some("${PORT} # kept"));
        assert_eq!(get("DOUBLE").as_deref(), Some("line\nnext 8080 $PORT"));
        assert_eq!(get("MULTI").as_deref(), Some("a\nb"));
        assert_eq!(get("REF").as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(get("DEFAULTED").as_deref(), Some("x"));
        assert_eq!(get("YAML").as_deref(), Some("style"));
        assert_eq!(get("EMPTY").as_deref(), Some(""));
        assert_eq!(get("CRLF").as_deref(), Some("v"));
        assert_eq!(get("ALONE"), None);
        assert_eq!(get("dotted.key-1").as_deref(), Some("ok"));
    }

    #[test]
    fn references_to_the_process_environment_are_unknown() {
        let env = parse("A=${SHELL_ONLY}\n").unwrap();
        assert!(env.get("A").unwrap().contains(UNKNOWN));
    }

    #[test]
    fn malformed_lines_are_located() {
        let e = parse("A=1\nB C=2\n").unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (2, 3), "{}", e.message);
        let e = parse("A=1\n  $B=2\n").unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (2, 3));
        assert!(e.message.contains("`$`"), "{}", e.message);
        let e = parse("A='open\n").unwrap_err();
        assert!(e.message.contains("unterminated"), "{}", e.message);
        let e = parse("1A=x\n").unwrap_err();
        assert!(e.message.contains("digit"), "{}", e.message);
    }
}
