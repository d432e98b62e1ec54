//! Policies: the catalogue (metadata of built-in and user checks), the regorus engine, Rust
//! builtins, and the `policy test` runner.

pub mod budget;
pub mod builtins;
pub mod engine;
pub mod facts;
pub mod index;
pub mod metadata;
pub mod metadata_block;
pub mod recursion;
pub mod regex;
pub mod registry;
pub mod rvm;
pub mod rvm_aggregate;
pub mod rvm_source;
pub mod targets;
pub mod testing;

pub use engine::PolicyEngine;
pub use registry::{Catalog, Check};
