//! Claims on the IMAP mailboxes `bouncedesk mailbox` reads, so that several
//! servers sharing one database never read the same mailbox at once (two
//! readers would import the same messages and race to move them).
//!
//! A claim is a lock the database or the operating system lets go of when
//! its holder dies, as the demo load's is ([`Store::claim_demo_load`]; both
//! in [`crate::locks`]): on PostgreSQL a session advisory lock keyed by a
//! 64-bit FNV-1a hash of the mailbox's key; on SQLite an exclusive lock on
//! the file `DB.mailbox-<hash>.lock`. An in-memory SQLite database is one
//! process's alone, so its claims are always granted.
//!
//! Two keys with the same hash share a claim: one of them waits a round.

use crate::locks::Held;
use crate::{Result, Store};

/// The right to read one mailbox, held until it is dropped or
/// [released](MailboxClaim::release).
#[derive(Debug)]
pub struct MailboxClaim {
    lock: Held,
}

impl Store {
    /// Claims the mailbox named by `key` (`user@host:port/folder`) for this
    /// server: `None` while another server (or another claim in this one)
    /// holds it. Never waits.
    pub async fn claim_mailbox(&self, key: &str) -> Result<Option<MailboxClaim>> {
        let hash = fnv1a(key.as_bytes());
        let lock = self
            .try_lock(&format!("mailbox-{hash:016x}.lock"), advisory_key(hash))
            .await?;
        Ok(lock.map(|lock| MailboxClaim { lock }))
    }
}

impl MailboxClaim {
    /// Lets go of the claim now, closing its connection cleanly (dropping
    /// the claim lets go too, when the connection or file closes).
    pub async fn release(self) -> Result<()> {
        self.lock.release().await
    }
}

/// 64-bit FNV-1a: stable across builds and platforms (the std hasher is
/// not), so every server computes the same key.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The advisory lock key of a hash: its bits as PostgreSQL's bigint.
fn advisory_key(hash: u64) -> i64 {
    i64::from_ne_bytes(hash.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a_64() {
        // Reference values of the FNV-1a 64-bit test suite.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_key_keeps_every_bit() {
        assert_eq!(advisory_key(0), 0);
        assert_eq!(advisory_key(u64::MAX), -1);
        assert_eq!(advisory_key(0x8000_0000_0000_0000), i64::MIN);
    }
}
