//! Boss of Apps: the server, its store, accounts, API, embedded UI and command line.
//!
//! No `unsafe` here: everything that needs it lives in the platform crate, behind safe
//! functions.
#![forbid(unsafe_code)]

pub mod actions;
pub mod apps;
pub mod auth;
pub mod cli;
pub mod client;
pub mod clock;
pub mod config;
pub mod db_admin;
pub mod desktop_setup;
pub mod error;
pub mod fleet;
pub mod glances;
pub mod http;
pub mod launches;
pub mod live;
pub mod logs;
pub mod managed;
pub mod metrics;
pub mod processes;
pub mod redact;
pub mod server;
pub mod sessions;
pub mod settings;
pub mod spool;
pub mod state;
pub mod store;
pub mod watchers;
pub mod web;
pub mod windows;
