//! The Compose port parser: the input as a short-syntax string (`parse_short`), and as YAML whose
//! documents (or their items, for a sequence) go through `normalise`, so that integers, floats
//! and long-syntax mappings are exercised too. Asserts that nothing panics and that every port
//! that parses is consistent: ranges that start before they end, a container port of 1-65535,
//! a host range only for `fixed` and `range`, one to one when both sides are ranges.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart::compose::ports::{Port, Publish, Short, normalise, parse_short};
use rampart::yaml::parse_stream;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(short) = parse_short(text) {
        check_short(text, &short);
    }
    let stream = parse_stream(text);
    for doc in &stream.documents {
        let entries = match doc.root.as_seq() {
            Some(items) => items.iter().collect::<Vec<_>>(),
            None => vec![&doc.root],
        };
        for (index, node) in entries.into_iter().enumerate() {
            if let Ok(port) = normalise(index, node) {
                assert_eq!(port.index, index);
                check_port(text, &port);
                let _ = port.to_value();
            }
        }
    }
});

fn check_short(text: &str, s: &Short) {
    check(
        text,
        s.publish,
        s.published,
        s.target,
        &s.protocol,
        s.host_ip.as_deref(),
        s.host_ip_family,
    );
}

fn check_port(text: &str, p: &Port) {
    check(
        text,
        p.publish,
        p.published,
        p.target,
        &p.protocol,
        p.host_ip.as_deref(),
        p.host_ip_family,
    );
    assert!(
        matches!(p.mode.as_str(), "host" | "ingress"),
        "{text:?}: {p:?}"
    );
    if let (true, Some((a, b))) = (p.long, p.target) {
        assert_eq!(a, b, "{text:?}: a long-syntax target is one port: {p:?}");
    }
}

fn check(
    text: &str,
    publish: Publish,
    published: Option<(u16, u16)>,
    target: Option<(u16, u16)>,
    protocol: &str,
    host_ip: Option<&str>,
    family: Option<&str>,
) {
    let ctx = || format!("{text:?}: {publish:?} {published:?} {target:?}");
    if let Some((a, b)) = target {
        assert!(1 <= a && a <= b, "container range: {}", ctx());
    } else {
        assert_eq!(publish, Publish::Unknown, "no container port: {}", ctx());
    }
    match publish {
        Publish::Fixed | Publish::Range => {
            let (a, b) = published.unwrap_or_else(|| panic!("no host range: {}", ctx()));
            assert!(a <= b, "host range: {}", ctx());
            let (c, d) = target.unwrap_or_else(|| panic!("no container range: {}", ctx()));
            if publish == Publish::Range {
                assert!(
                    a < b && c == d,
                    "a range publish maps a range onto one port: {}",
                    ctx()
                );
            } else if c != d {
                assert_eq!(b - a, d - c, "one-to-one ranges: {}", ctx());
            }
        }
        Publish::Ephemeral | Publish::Unknown => {
            assert_eq!(
                published,
                None,
                "a host range without a host port: {}",
                ctx()
            );
        }
    }
    assert!(
        matches!(protocol, "tcp" | "udp" | "sctp"),
        "protocol: {}",
        ctx()
    );
    if family.is_some() {
        let ip = host_ip.unwrap_or_else(|| panic!("a family without an address: {}", ctx()));
        let parsed: std::net::IpAddr = ip.parse().expect("a canonical address");
        assert_eq!(
            family,
            Some(if parsed.is_ipv4() { "ipv4" } else { "ipv6" }),
            "{}",
            ctx()
        );
    }
}
