//! Reusable pieces of the dashboard's pages.

mod campaign_header;
mod class_badge;
mod diagnostic;
mod error_box;
mod filters;
mod pager;

pub use campaign_header::{CampaignHeader, Tab};
pub use class_badge::ClassBadge;
pub use diagnostic::DiagnosticText;
pub use error_box::ErrorBox;
pub use filters::ErrorFilters;
pub use pager::Pager;
