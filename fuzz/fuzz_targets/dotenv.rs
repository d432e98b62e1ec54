//! `.env` parsing (quotes, escapes, multi-line values, `${VAR}` references): asserts that
//! nothing panics or overflows the stack and that an error is located inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart::compose::dotenv::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = parse(text) {
        let lines = text.split('\n').count() as u32;
        assert!(e.pos.line >= 1 && e.pos.line <= lines.max(1), "{e:?} in {lines} lines");
        assert!(e.pos.col >= 1, "{e:?}");
    }
});
