//! The bounce domain: where in the delivery process a message failed, what the
//! remote server answered, and what that means for the contact.
//!
//! Everything here is pure: no IO, no async, no database. Values from outside
//! (reply codes, status codes, addresses, query strings) are parsed into the
//! newtypes of this crate once, at the edge, and travel as such afterwards.
//! The crate compiles to wasm as well, so the browser speaks the same types.

pub mod account;
pub mod chart;
pub mod class;
#[cfg(feature = "classifier")]
pub mod classifier;
pub mod contact;
pub mod delivery;
pub mod email;
pub mod enhanced_status;
pub mod error;
pub mod export;
pub mod incident;
pub mod intake;
#[cfg(feature = "classifier")]
pub mod message;
#[cfg(feature = "classifier")]
mod nearby;
pub mod outcome;
pub mod policy;
pub mod query;
pub mod reason;
pub mod reply_code;
pub mod report;
#[cfg(feature = "classifier")]
mod rules;
pub mod selection;
#[cfg(feature = "classifier")]
mod sending_ip;
pub mod stage;
pub mod typo;

pub use class::BounceClass;
#[cfg(feature = "classifier")]
pub use classifier::{Evidence, MessageKind, Verdict, classify};
pub use contact::ContactStatus;
pub use email::EmailAddress;
pub use enhanced_status::EnhancedStatus;
pub use error::ParseError;
pub use outcome::Outcome;
pub use query::{CodeFilter, Cursor, ErrorFilter, ErrorQuery, PageDirection, PageRequest, parse_search};
pub use reason::{Category, Reason};
pub use reply_code::ReplyCode;
pub use report::{CampaignSummary, ErrorPage, ErrorRow, EventDetail};
pub use stage::Stage;
