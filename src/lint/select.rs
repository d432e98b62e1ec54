//! Which checks run, at which severity: the configuration's `checks` section, then the command
//! line (`--enable`, `--disable`, `--only`), which wins. Unknown ids are usage errors, located in
//! the configuration and with a "did you mean".

use super::{Fatal, Options};
use crate::finding::Severity;
use crate::policy::Catalog;

/// Applies the configured severities to the catalogue and says which checks are enabled,
/// index for index.
pub(super) fn configure(catalog: &mut Catalog, options: &Options) -> Result<Vec<bool>, Fatal> {
    for (id, severity) in &options.config.severity {
        match catalog.checks.iter_mut().find(|c| &c.id == id) {
            Some(check) => check.severity = *severity,
            None => {
                let at = options.config.locate("checks", "severity", id);
                return Err(Fatal::Usage(format!(
                    "{}: unknown check `{id}` in `checks.severity` (see `rampart checks`)",
                    at.unwrap_or_else(|| "config".into())
                )));
            }
        }
    }
    enabled_checks(catalog, options)
}

fn enabled_checks(catalog: &Catalog, options: &Options) -> Result<Vec<bool>, Fatal> {
    let config = &options.config;
    for (what, ids) in [("enable", &config.enable), ("disable", &config.disable)] {
        if let Some(id) = ids.iter().find(|id| catalog.check(id).is_none()) {
            let at = config.locate("checks", what, id);
            return Err(Fatal::Usage(format!(
                "{}: unknown check `{id}` in `checks.{what}` (see `rampart checks`)",
                at.unwrap_or_else(|| "config".into())
            )));
        }
    }
    for id in options.enable.iter().chain(&options.disable) {
        if catalog.check(id).is_none() {
            let hint = catalog
                .similar_id(id)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(Fatal::Usage(format!(
                "unknown check `{id}`{hint} (see `rampart checks` for the list)"
            )));
        }
    }
    // `--only` replaces the config's `checks.only`; each entry is a check id or a family.
    let (only, only_from) = if options.only.is_empty() {
        (&config.only, "in `checks.only`")
    } else {
        (&options.only, "for --only")
    };
    let is_family = |name: &str| catalog.checks.iter().any(|c| c.family == name);
    if let Some(name) = only
        .iter()
        .find(|n| catalog.check(n).is_none() && !is_family(n))
    {
        let mut families: Vec<&str> = catalog.checks.iter().map(|c| c.family.as_str()).collect();
        families.sort_unstable();
        families.dedup();
        let hint = catalog
            .checks
            .iter()
            .map(|c| c.id.as_str())
            .chain(families.iter().copied())
            .map(|known| (strsim::jaro_winkler(name, known), known))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, known)| format!("; did you mean `{known}`?"))
            .unwrap_or_default();
        return Err(Fatal::Usage(format!(
            "unknown check or family `{name}` {only_from}{hint} (families: {}; checks: see `rampart checks`)",
            families.join(", ")
        )));
    }
    let min_severity = config.min_severity.unwrap_or(Severity::Info);
    // The config first, then the command line, which wins.
    Ok(catalog
        .checks
        .iter()
        .map(|c| {
            if c.severity < min_severity {
                return false;
            }
            if !only.is_empty() {
                return only.iter().any(|n| *n == c.id || *n == c.family);
            }
            let mut on = true;
            for (ids, value) in [
                (&config.disable, false),
                (&config.enable, true),
                (&options.disable, false),
                (&options.enable, true),
            ] {
                if ids.contains(&c.id) {
                    on = value;
                }
            }
            on
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enabled_ids(options: &Options) -> Result<Vec<String>, String> {
        let mut catalog = Catalog::builtin().expect("built-in catalogue");
        let enabled = configure(&mut catalog, options).map_err(|e| e.to_string())?;
        Ok(catalog
            .checks
            .iter()
            .zip(enabled)
            .filter(|(_, on)| *on)
            .map(|(c, _)| c.id.clone())
            .collect())
    }

    #[test]
    fn the_command_line_wins_over_the_config() {
        let mut options = Options::default();
        options.config.disable = vec!["run-as-root".into(), "port-conflict".into()];
        options.enable = vec!["run-as-root".into()];
        let ids = enabled_ids(&options).unwrap();
        assert!(ids.contains(&"run-as-root".to_string()));
        assert!(!ids.contains(&"port-conflict".to_string()));
    }

    #[test]
    fn only_takes_ids_and_families_and_min_severity_filters() {
        let options = Options {
            only: vec!["security".into(), "port-conflict".into()],
            ..Options::default()
        };
        let ids = enabled_ids(&options).unwrap();
        assert!(ids.contains(&"run-as-root".to_string()));
        assert!(ids.contains(&"port-conflict".to_string()));
        assert!(!ids.contains(&"missing-cpu-limit".to_string()));

        let mut options = Options::default();
        options.config.min_severity = Some(Severity::High);
        let catalog = Catalog::builtin().unwrap();
        let ids = enabled_ids(&options).unwrap();
        for id in &ids {
            assert!(
                catalog.check(id).unwrap().severity >= Severity::High,
                "{id}"
            );
        }
        assert!(!ids.is_empty());
    }

    #[test]
    fn unknown_ids_are_usage_errors_with_a_suggestion() {
        let options = Options {
            disable: vec!["run-as-rot".into()],
            ..Options::default()
        };
        let e = enabled_ids(&options).unwrap_err();
        assert!(e.contains("did you mean `run-as-root`?"), "{e}");

        let options = Options {
            only: vec!["securty".into()],
            ..Options::default()
        };
        let e = enabled_ids(&options).unwrap_err();
        assert!(
            e.contains("unknown check or family `securty` for --only"),
            "{e}"
        );
        assert!(e.contains("did you mean `security`?"), "{e}");
    }

    #[test]
    fn configured_severities_apply_and_unknown_ones_are_errors() {
        let mut options = Options::default();
        options
            .config
            .severity
            .push(("run-as-root".into(), Severity::Low));
        let mut catalog = Catalog::builtin().unwrap();
        configure(&mut catalog, &options).unwrap();
        assert_eq!(
            catalog.check("run-as-root").unwrap().severity,
            Severity::Low
        );

        options.config.severity = vec![("no-such-check".into(), Severity::Low)];
        let e = configure(&mut catalog, &options).unwrap_err().to_string();
        assert!(
            e.contains("unknown check `no-such-check` in `checks.severity`"),
            "{e}"
        );
    }
}
