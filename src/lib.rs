//! rampart: a policy-and-compliance linter for Kubernetes manifests and Docker Compose files.
//!
//! Data flows one way: paths ([`discover`]) → sources ([`source`]) → documents ([`yaml`]) →
//! resources ([`kubernetes`]) → findings ([`lint`], [`policy`]) → reports ([`report`]).

pub mod app;
pub mod cli;
pub mod compose;
pub mod config;
pub mod confine;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod finding;
pub mod kubernetes;
pub mod lint;
pub mod policy;
pub mod progress;
pub mod report;
pub mod resource;
pub mod source;
pub mod suppress;
pub mod units;
pub mod yaml;
