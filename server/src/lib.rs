//! The `bouncedesk` binary's library: command line, HTTP router, demo data
//! and benchmarks. `main.rs` only parses arguments and calls in here, so the
//! HTTP tests drive exactly the router the binary serves.

pub mod admin;
pub mod api;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod charts;
pub mod classify;
pub mod cli;
pub mod demo;
pub mod error;
pub mod follow_ups;
pub mod guards;
pub mod headers;
pub mod import;
pub mod intake;
pub mod mailbox;
pub mod openapi;
pub mod renders;
pub mod router;
pub mod select;
pub mod shutdown;
pub mod sns_certs;
pub mod uploads;
pub mod users;

pub use error::ServerError;
pub use router::{HttpSettings, leptos_options, router, router_with};
