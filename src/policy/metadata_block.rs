//! Where a policy file's `# METADATA` block is and its YAML text, read by the run
//! ([`super::metadata`]) and by `build.rs`, which turns the blocks of the built-in policies into
//! JSON once, at build time. No dependencies, so that the build script can include it.

/// The first `# METADATA` block of a Rego source: the 1-based line of its marker and the YAML
/// text of the comment lines that follow it (each without its `#` and one space).
pub fn block(source: &str) -> Option<(u32, String)> {
    let mut lines = source.lines().enumerate();
    let (start, _) = lines.find(|(_, l)| l.trim() == "# METADATA")?;
    let mut yaml = String::new();
    for (_, line) in lines {
        let Some(body) = line.trim_start().strip_prefix('#') else {
            break;
        };
        yaml.push_str(body.strip_prefix(' ').unwrap_or(body));
        yaml.push('\n');
    }
    Some((start as u32 + 1, yaml))
}
