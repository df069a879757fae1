//! Reusable pieces of the dashboard's pages.

mod campaign_header;
mod chart;
mod class_badge;
mod client_only;
mod diagnostic;
mod error_box;
mod filters;
mod navigation;
mod pager;
mod topbar;

pub use campaign_header::{CampaignHeader, Tab};
pub use chart::Charts;
pub use class_badge::ClassBadge;
pub use client_only::ClientOnly;
pub use diagnostic::DiagnosticText;
pub use error_box::ErrorBox;
pub use filters::ErrorFilters;
pub use navigation::{HydrationMark, go_to, reload};
pub use pager::Pager;
pub use topbar::{ForRole, TopBar};
