//! Compose port normalisation: every short form (`"80"`, `"8080:80"`, `"127.0.0.1:8080:80"`,
//! `"[::1]:8080:80"`, `"::1:8080:80"`, ranges, `/udp`, integers) and the long syntax become one
//! [`Port`] per list entry, the shape policies read at `input.ports`.
//!
//! The short syntax is parsed the way Docker parses `-p` (`nat.ParsePortSpec`, which Compose
//! calls): the text is split at `:`, the last part is the container port (with an optional
//! `/protocol`), the one before it the host port, and everything before that the host IP — so
//! an unbracketed IPv6 address works when a host port follows it (`"::1:8080:80"`).
//! A part that holds an interpolation variable without a value (see
//! [`interpolate::UNKNOWN`](super::interpolate::UNKNOWN)) makes the binding unknown instead of
//! wrong: such a port is never reported as unbound or conflicting.

use std::net::IpAddr;

use regorus::Value;

use crate::compose::interpolate::UNKNOWN;
use crate::yaml::{Node, NodeValue, PathSeg};

/// How the host side of a port is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Publish {
    /// A host port (or a range mapped one to one onto a container range) is given.
    Fixed,
    /// A host port range with a single container port: Docker picks one free port of the range.
    Range,
    /// No host port: Docker picks any free port.
    Ephemeral,
    /// The host IP or port comes from an interpolation variable without a value.
    Unknown,
}

impl Publish {
    pub fn as_str(self) -> &'static str {
        match self {
            Publish::Fixed => "fixed",
            Publish::Range => "range",
            Publish::Ephemeral => "ephemeral",
            Publish::Unknown => "unknown",
        }
    }
}

/// One normalised entry of a service's `ports`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// Index of the entry in `ports`.
    pub index: usize,
    /// The host address without brackets, in canonical form (`0:0::1` → `::1`); `None` when none
    /// is given (every interface). An address that is not an IP is kept as written.
    pub host_ip: Option<String>,
    /// `"ipv4"` or `"ipv6"`; `None` when there is no host IP or it is not an IP address.
    pub host_ip_family: Option<&'static str>,
    pub publish: Publish,
    /// Host port range; `None` unless `publish` is `Fixed` or `Range`.
    pub published: Option<(u16, u16)>,
    /// Container port range; `None` when unknown.
    pub target: Option<(u16, u16)>,
    pub protocol: String,
    pub mode: String,
    pub name: Option<String>,
    pub app_protocol: Option<String>,
    pub long: bool,
}

/// A port entry that Compose would reject, with the path of the offending node below the entry
/// (`[]` for the entry itself, `["published"]` for a long-syntax field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortError {
    pub path: Vec<PathSeg>,
    pub message: String,
}

/// Normalises one entry of `ports` (the node as merged and interpolated).
pub fn normalise(index: usize, node: &Node) -> Result<Port, PortError> {
    let at = |path: &[&str], message: String| PortError {
        path: path.iter().map(|k| PathSeg::Key((*k).into())).collect(),
        message,
    };
    match &node.value {
        NodeValue::Int(i) => {
            let text = i.to_string();
            parse_short(&text)
                .map(|s| s.into_port(index))
                .map_err(|m| at(&[], m))
        }
        NodeValue::Str(s) => parse_short(s)
            .map(|s| s.into_port(index))
            .map_err(|m| at(&[], m)),
        NodeValue::Float(f) if f.fract() == 0.0 && (0.0..=65535.0).contains(f) => {
            parse_short(&(*f as u16).to_string())
                .map(|s| s.into_port(index))
                .map_err(|m| at(&[], m))
        }
        NodeValue::Float(f) => Err(at(&[], format!("`{f}` is not a port number"))),
        NodeValue::Map(_) => parse_long(index, node).map_err(|(k, m)| at(k.as_slice(), m)),
        _ => Err(at(
            &[],
            format!(
                "a port must be a number, a string or a mapping, not a {}",
                node.type_name()
            ),
        )),
    }
}

/// The parts of a short-syntax port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Short {
    pub host_ip: Option<String>,
    pub host_ip_family: Option<&'static str>,
    pub publish: Publish,
    pub published: Option<(u16, u16)>,
    pub target: Option<(u16, u16)>,
    pub protocol: String,
}

impl Short {
    fn into_port(self, index: usize) -> Port {
        Port {
            index,
            host_ip: self.host_ip,
            host_ip_family: self.host_ip_family,
            publish: self.publish,
            published: self.published,
            target: self.target,
            protocol: self.protocol,
            mode: "ingress".into(),
            name: None,
            app_protocol: None,
            long: false,
        }
    }
}

/// Parses `[[IP:][HOST_PORT[-END]]:]CONTAINER_PORT[-END][/PROTOCOL]`.
pub fn parse_short(text: &str) -> Result<Short, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let n = parts.len();
    let (ip, host, container) = match n {
        1 => ("", "", parts[0]),
        2 => ("", parts[0], parts[1]),
        _ => (
            &text[..text.len() - parts[n - 1].len() - parts[n - 2].len() - 2],
            parts[n - 2],
            parts[n - 1],
        ),
    };
    let (container, protocol) = match container.split_once('/') {
        None => (container, "tcp"),
        Some((port, proto)) => {
            let proto = proto.split('/').next().unwrap_or_default();
            (port, if proto.is_empty() { "tcp" } else { proto })
        }
    };
    let mut unknown = false;
    let protocol = if protocol.contains(UNKNOWN) {
        unknown = true;
        "tcp".to_string()
    } else {
        protocol_of(protocol)?
    };
    let (host_ip, host_ip_family) = if ip.is_empty() {
        (None, None)
    } else if ip.contains(UNKNOWN) {
        unknown = true;
        (Some(ip.replace(UNKNOWN, "")), None)
    } else {
        let (canonical, family) = ip_of(ip)?;
        (Some(canonical), Some(family))
    };
    if container.is_empty() {
        return Err(format!("no container port in `{text}`"));
    }
    let target = if container.contains(UNKNOWN) {
        unknown = true;
        None
    } else {
        let range = range_of(container).map_err(|e| format!("invalid container port: {e}"))?;
        if range.0 == 0 {
            return Err(format!(
                "invalid container port `{container}`: must be 1-65535"
            ));
        }
        Some(range)
    };
    let published = if host.is_empty() {
        None
    } else if host.contains(UNKNOWN) {
        unknown = true;
        None
    } else {
        Some(range_of(host).map_err(|e| format!("invalid host port: {e}"))?)
    };
    if let (Some(h), Some(c)) = (published, target) {
        if c.1 - c.0 != h.1 - h.0 && c.0 != c.1 {
            return Err(format!(
                "the host port range `{host}` and the container port range `{container}` have different lengths"
            ));
        }
    }
    let publish = publish_of(unknown, published, target);
    Ok(Short {
        host_ip,
        host_ip_family,
        publish,
        published: published.filter(|_| matches!(publish, Publish::Fixed | Publish::Range)),
        target,
        protocol,
    })
}

fn publish_of(unknown: bool, published: Option<(u16, u16)>, target: Option<(u16, u16)>) -> Publish {
    match (unknown, published) {
        (true, _) => Publish::Unknown,
        (false, None) | (false, Some((0, 0))) => Publish::Ephemeral,
        (false, Some((start, end))) => {
            let single_target = target.is_some_and(|t| t.0 == t.1);
            if start != end && single_target {
                Publish::Range
            } else {
                Publish::Fixed
            }
        }
    }
}

fn protocol_of(text: &str) -> Result<String, String> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "tcp" | "udp" | "sctp" => Ok(lower),
        _ => Err(format!(
            "invalid protocol `{text}` (expected tcp, udp or sctp)"
        )),
    }
}

/// A host IP as written (IPv6 possibly in brackets) → canonical text and family.
fn ip_of(text: &str) -> Result<(String, &'static str), String> {
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => Ok((a.to_string(), "ipv4")),
        Ok(IpAddr::V6(a)) => Ok((a.to_string(), "ipv6")),
        _ => Err(format!("invalid host IP address `{text}`")),
    }
}

/// `8080` or `8000-8010`, each 0-65535, start ≤ end.
fn range_of(text: &str) -> Result<(u16, u16), String> {
    let number = |s: &str| -> Result<u16, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{text}` is not a port number or range"));
        }
        s.parse::<u16>()
            .map_err(|_| format!("`{s}` is out of range (0-65535)"))
    };
    match text.split_once('-') {
        None => {
            let p = number(text)?;
            Ok((p, p))
        }
        Some((a, b)) => {
            let (a, b) = (number(a)?, number(b)?);
            if b < a {
                return Err(format!("`{text}` ends before it starts"));
            }
            Ok((a, b))
        }
    }
}

/// Long syntax: `{target, published, host_ip, protocol, mode, name, app_protocol}`.
fn parse_long(index: usize, node: &Node) -> Result<Port, (Vec<&'static str>, String)> {
    let text = |key: &'static str| -> Result<Option<String>, (Vec<&'static str>, String)> {
        match node.get(key).map(|n| &n.value) {
            None | Some(NodeValue::Null) => Ok(None),
            Some(NodeValue::Str(s)) => Ok(Some(s.to_string())),
            Some(NodeValue::Int(i)) => Ok(Some(i.to_string())),
            Some(_) => Err((vec![key], format!("`{key}` must be a string or a number"))),
        }
    };
    let mut unknown = false;
    let target = match text("target")? {
        None => return Err((vec![], "a long-syntax port needs a `target`".into())),
        Some(t) if t.contains(UNKNOWN) => {
            unknown = true;
            None
        }
        Some(t) => {
            let r = range_of(&t).map_err(|e| (vec!["target"], format!("invalid `target`: {e}")))?;
            if r.0 != r.1 {
                return Err((
                    vec!["target"],
                    format!("`target` must be one port, not `{t}`"),
                ));
            }
            if r.0 == 0 {
                return Err((vec!["target"], "`target` must be 1-65535".into()));
            }
            Some(r)
        }
    };
    let published = match text("published")? {
        None => None,
        Some(p) if p.contains(UNKNOWN) => {
            unknown = true;
            None
        }
        Some(p) if p.is_empty() => None,
        Some(p) => Some(
            range_of(&p).map_err(|e| (vec!["published"], format!("invalid `published`: {e}")))?,
        ),
    };
    let (host_ip, host_ip_family) = match text("host_ip")? {
        None => (None, None),
        Some(ip) if ip.contains(UNKNOWN) => {
            unknown = true;
            (Some(ip.replace(UNKNOWN, "")), None)
        }
        Some(ip) if ip.is_empty() => (None, None),
        Some(ip) => {
            let (canonical, family) = ip_of(&ip).map_err(|e| (vec!["host_ip"], e))?;
            (Some(canonical), Some(family))
        }
    };
    let protocol = match text("protocol")? {
        None => "tcp".to_string(),
        Some(p) if p.contains(UNKNOWN) => {
            unknown = true;
            "tcp".to_string()
        }
        Some(p) => protocol_of(&p).map_err(|e| (vec!["protocol"], e))?,
    };
    let mode = match text("mode")? {
        None => "ingress".to_string(),
        Some(m) if m.contains(UNKNOWN) => "ingress".to_string(),
        Some(m) if m == "host" || m == "ingress" => m,
        Some(m) => {
            return Err((
                vec!["mode"],
                format!("invalid `mode` `{m}` (expected host or ingress)"),
            ));
        }
    };
    let publish = publish_of(unknown, published, target);
    let strip = |s: Option<String>| s.map(|s| s.replace(UNKNOWN, ""));
    Ok(Port {
        index,
        host_ip,
        host_ip_family,
        publish,
        published: published.filter(|_| matches!(publish, Publish::Fixed | Publish::Range)),
        target,
        protocol,
        mode,
        name: strip(text("name")?),
        app_protocol: strip(text("app_protocol")?),
        long: true,
    })
}

/// Keys of a port's policy view, allocated once: every entry of every service has them.
static KEYS: std::sync::LazyLock<[Value; 13]> = std::sync::LazyLock::new(|| {
    [
        "path",
        "host_ip",
        "host_ip_family",
        "publish",
        "published_start",
        "published_end",
        "target_start",
        "target_end",
        "protocol",
        "mode",
        "name",
        "app_protocol",
        "syntax",
    ]
    .map(Value::from)
});

impl Port {
    /// The policy view of the entry (CONTRIBUTING.md, "Compose policies").
    pub fn to_value(&self) -> Value {
        let opt_str = |s: &Option<String>| match s {
            Some(s) => Value::from(s.as_str()),
            None => Value::Null,
        };
        let bound = |r: Option<(u16, u16)>, end: bool| match r {
            Some((a, b)) => Value::from(if end { b } else { a } as u64),
            None => Value::Null,
        };
        let path = Value::from(vec![KEYS_PORTS.clone(), Value::from(self.index as u64)]);
        let values = [
            path,
            opt_str(&self.host_ip),
            self.host_ip_family.map_or(Value::Null, Value::from),
            Value::from(self.publish.as_str()),
            bound(self.published, false),
            bound(self.published, true),
            bound(self.target, false),
            bound(self.target, true),
            Value::from(self.protocol.as_str()),
            Value::from(self.mode.as_str()),
            opt_str(&self.name),
            opt_str(&self.app_protocol),
            Value::from(if self.long { "long" } else { "short" }),
        ];
        let map: std::collections::BTreeMap<Value, Value> =
            KEYS.iter().cloned().zip(values).collect();
        Value::from(map)
    }
}

static KEYS_PORTS: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| Value::from("ports"));

#[cfg(test)]
mod tests {
    use super::*;

    type Expect = (
        Option<&'static str>,
        Option<&'static str>,
        Publish,
        Option<(u16, u16)>,
        Option<(u16, u16)>,
        &'static str,
    );

    #[test]
    fn short_syntax_table() {
        use Publish::*;
        let u = UNKNOWN;
        let cases: Vec<(String, Expect)> = vec![
            (
                "80".into(),
                (None, None, Ephemeral, None, Some((80, 80)), "tcp"),
            ),
            (
                "8080:80".into(),
                (None, None, Fixed, Some((8080, 8080)), Some((80, 80)), "tcp"),
            ),
            (
                "8080:80/udp".into(),
                (None, None, Fixed, Some((8080, 8080)), Some((80, 80)), "udp"),
            ),
            (
                "8080:80/UDP".into(),
                (None, None, Fixed, Some((8080, 8080)), Some((80, 80)), "udp"),
            ),
            (
                "53:53/sctp".into(),
                (None, None, Fixed, Some((53, 53)), Some((53, 53)), "sctp"),
            ),
            (
                "80/".into(),
                (None, None, Ephemeral, None, Some((80, 80)), "tcp"),
            ),
            (
                "127.0.0.1:8080:80".into(),
                (
                    Some("127.0.0.1"),
                    Some("ipv4"),
                    Fixed,
                    Some((8080, 8080)),
                    Some((80, 80)),
                    "tcp",
                ),
            ),
            (
                "127.0.0.1::80".into(),
                (
                    Some("127.0.0.1"),
                    Some("ipv4"),
                    Ephemeral,
                    None,
                    Some((80, 80)),
                    "tcp",
                ),
            ),
            (
                "0.0.0.0:8080:80".into(),
                (
                    Some("0.0.0.0"),
                    Some("ipv4"),
                    Fixed,
                    Some((8080, 8080)),
                    Some((80, 80)),
                    "tcp",
                ),
            ),
            (
                "[::1]:8080:80".into(),
                (
                    Some("::1"),
                    Some("ipv6"),
                    Fixed,
                    Some((8080, 8080)),
                    Some((80, 80)),
                    "tcp",
                ),
            ),
            (
                "::1:8080:80".into(),
                (
                    Some("::1"),
                    Some("ipv6"),
                    Fixed,
                    Some((8080, 8080)),
                    Some((80, 80)),
                    "tcp",
                ),
            ),
            (
                "[::]:8080:80/udp".into(),
                (
                    Some("::"),
                    Some("ipv6"),
                    Fixed,
                    Some((8080, 8080)),
                    Some((80, 80)),
                    "udp",
                ),
            ),
            (
                "[127.0.0.1]:8080:80".into(),
                (
                    Some("127.0.0.1"),
                    Some("ipv4"),
                    Fixed,
                    Some((8080, 8080)),
                    Some((80, 80)),
                    "tcp",
                ),
            ),
            (
                "[0:0::1]::80".into(),
                (
                    Some("::1"),
                    Some("ipv6"),
                    Ephemeral,
                    None,
                    Some((80, 80)),
                    "tcp",
                ),
            ),
            (
                "8000-8010:8000-8010".into(),
                (
                    None,
                    None,
                    Fixed,
                    Some((8000, 8010)),
                    Some((8000, 8010)),
                    "tcp",
                ),
            ),
            (
                "8000-8010:80".into(),
                (None, None, Range, Some((8000, 8010)), Some((80, 80)), "tcp"),
            ),
            (
                "8000-8010".into(),
                (None, None, Ephemeral, None, Some((8000, 8010)), "tcp"),
            ),
            (
                "127.0.0.1:5000-5001:5000-5001/udp".into(),
                (
                    Some("127.0.0.1"),
                    Some("ipv4"),
                    Fixed,
                    Some((5000, 5001)),
                    Some((5000, 5001)),
                    "udp",
                ),
            ),
            (
                "0:80".into(),
                (None, None, Ephemeral, None, Some((80, 80)), "tcp"),
            ),
            (
                "08080:080".into(),
                (None, None, Fixed, Some((8080, 8080)), Some((80, 80)), "tcp"),
            ),
            (
                format!("{u}:80"),
                (None, None, Unknown, None, Some((80, 80)), "tcp"),
            ),
            (
                format!("{u}:8080:80"),
                (Some(""), None, Unknown, None, Some((80, 80)), "tcp"),
            ),
            (format!("{u}"), (None, None, Unknown, None, None, "tcp")),
            (
                format!("8080:80/{u}"),
                (None, None, Unknown, None, Some((80, 80)), "tcp"),
            ),
        ];
        for (text, (ip, family, publish, published, target, proto)) in cases {
            let got = parse_short(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(got.host_ip.as_deref(), ip, "{text:?} host_ip");
            assert_eq!(got.host_ip_family, family, "{text:?} family");
            assert_eq!(got.publish, publish, "{text:?} publish");
            assert_eq!(got.published, published, "{text:?} published");
            assert_eq!(got.target, target, "{text:?} target");
            assert_eq!(got.protocol, proto, "{text:?} protocol");
        }
    }

    #[test]
    fn short_syntax_errors() {
        let cases = [
            ("", "no container port"),
            ("8080:", "no container port"),
            ("8080:80/icmp", "invalid protocol"),
            ("70000:80", "out of range"),
            ("8080:0", "must be 1-65535"),
            ("8080:http", "not a port number"),
            ("8010-8000:80", "ends before it starts"),
            ("8000-8010:8000-8005", "different lengths"),
            ("localhost:8080:80", "invalid host IP"),
            ("::8080:80", "invalid host IP"),
            ("1.2.3:8080:80", "invalid host IP"),
            ("8080:80:tcp", "invalid host IP"),
            ("-1:80", "not a port number"),
        ];
        for (text, want) in cases {
            let err = parse_short(text).expect_err(text);
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    fn node(yaml: &str) -> Node {
        crate::yaml::parse_stream(yaml).documents.remove(0).root
    }

    #[test]
    fn integers_and_long_syntax() {
        let p = normalise(0, &node("8080")).unwrap();
        assert_eq!(
            (p.publish, p.target),
            (Publish::Ephemeral, Some((8080, 8080)))
        );

        let p = normalise(3, &node("{target: 80, published: 8080, host_ip: 127.0.0.1, protocol: udp, mode: host, name: web, app_protocol: http}")).unwrap();
        assert_eq!(p.index, 3);
        assert_eq!(p.host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(p.published, Some((8080, 8080)));
        assert_eq!((p.protocol.as_str(), p.mode.as_str()), ("udp", "host"));
        assert_eq!(
            (p.name.as_deref(), p.app_protocol.as_deref()),
            (Some("web"), Some("http"))
        );
        assert!(p.long);

        let p = normalise(0, &node("{target: '80', published: '8000-8010'}")).unwrap();
        assert_eq!(
            (p.publish, p.published),
            (Publish::Range, Some((8000, 8010)))
        );
        let p = normalise(0, &node("{target: 80}")).unwrap();
        assert_eq!(p.publish, Publish::Ephemeral);
        let p = normalise(0, &node("{target: 80, published: 8080, host_ip: '::'}")).unwrap();
        assert_eq!(
            (p.host_ip.as_deref(), p.host_ip_family),
            (Some("::"), Some("ipv6"))
        );
        let p = normalise(0, &node(&format!("{{target: 80, published: '{UNKNOWN}'}}"))).unwrap();
        assert_eq!((p.publish, p.published), (Publish::Unknown, None));
    }

    #[test]
    fn long_syntax_errors_point_at_the_field() {
        let cases = [
            ("{published: 8080}", vec![], "needs a `target`"),
            ("{target: 80-81}", vec!["target"], "one port"),
            (
                "{target: 80, published: x}",
                vec!["published"],
                "invalid `published`",
            ),
            (
                "{target: 80, host_ip: nowhere}",
                vec!["host_ip"],
                "invalid host IP",
            ),
            (
                "{target: 80, protocol: icmp}",
                vec!["protocol"],
                "invalid protocol",
            ),
            ("{target: 80, mode: swarm}", vec!["mode"], "invalid `mode`"),
            ("{target: [80]}", vec!["target"], "string or a number"),
        ];
        for (yaml, path, want) in cases {
            let e = normalise(0, &node(yaml)).expect_err(yaml);
            let want_path: Vec<PathSeg> = path.iter().map(|k| PathSeg::Key((*k).into())).collect();
            assert_eq!(e.path, want_path, "{yaml}");
            assert!(e.message.contains(want), "{yaml}: {}", e.message);
        }
        let e = normalise(0, &node("true")).unwrap_err();
        assert!(e.message.contains("boolean"), "{}", e.message);
        let e = normalise(0, &node("80.5")).unwrap_err();
        assert!(e.message.contains("not a port number"), "{}", e.message);
        let p = normalise(0, &node("80.0")).unwrap();
        assert_eq!(p.target, Some((80, 80)));
    }

    #[test]
    fn policy_view() {
        let p = normalise(1, &node("'127.0.0.1:8080:80/udp'")).unwrap();
        let v = p.to_value();
        let json: serde_json::Value = serde_json::from_str(&v.to_json_str().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "path": ["ports", 1], "host_ip": "127.0.0.1", "host_ip_family": "ipv4",
                "publish": "fixed", "published_start": 8080, "published_end": 8080,
                "target_start": 80, "target_end": 80, "protocol": "udp", "mode": "ingress",
                "name": null, "app_protocol": null, "syntax": "short"
            })
        );
    }
}
