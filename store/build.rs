//! `sqlx::migrate!` embeds the migration files when the crate compiles, but
//! cargo does not know they are inputs: without this, a migration added or
//! edited is missing from the binary until something else changes.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
