//! The DataJump reference deployment: the as-written manifests keep their known findings as a
//! snapshot; the hardened ones must stay clean.

mod common;

use common::*;

#[test]
fn kubernetes_as_written_snapshot() {
    let ran = run(rampart().args([
        "check",
        "--format",
        "json",
        "fixtures/reference/kubernetes/as-written",
    ]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    insta::assert_snapshot!("kubernetes_as_written_json", ran.stdout);
    let human = run(rampart().args(["check", "fixtures/reference/kubernetes/as-written"]));
    insta::assert_snapshot!("kubernetes_as_written_human", human.stdout);
}
