//! Claims on the IMAP mailboxes `bouncedesk mailbox` reads, so that several
//! servers sharing one database never read the same mailbox at once (two
//! readers would import the same messages and race to move them).
//!
//! A claim is a lock the database or the operating system lets go of when
//! its holder dies, as the demo load's is ([`Store::claim_demo_load`]): on
//! PostgreSQL a session advisory lock on a connection of its own, keyed by a
//! 64-bit FNV-1a hash of the mailbox's key; on SQLite an exclusive lock on
//! a file next to the database (`DB.mailbox-<hash>.lock`, left in place:
//! removing it would let two servers lock two different files). An
//! in-memory SQLite database is one process's alone, so its claims are
//! always granted.
//!
//! Two keys with the same hash share a claim: one of them waits a round.

use crate::{Backend, Result, Store};

/// The right to read one mailbox, held until it is dropped or
/// [released](MailboxClaim::release).
#[derive(Debug)]
pub struct MailboxClaim {
    lock: Held,
}

#[derive(Debug)]
enum Held {
    /// The connection holding the advisory lock; closing it lets go.
    Advisory(sqlx::PgConnection),
    /// The locked file; closing it lets go.
    File(std::fs::File),
    /// An in-memory database: no other process can see it.
    Nothing,
}

impl Store {
    /// Claims the mailbox named by `key` (`user@host:port/folder`) for this
    /// server: `None` while another server (or another claim in this one)
    /// holds it. Never waits.
    pub async fn claim_mailbox(&self, key: &str) -> Result<Option<MailboxClaim>> {
        let hash = fnv1a(key.as_bytes());
        let lock = match &self.backend {
            Backend::Sqlite(pool) => {
                let file: String = sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                    .fetch_one(pool)
                    .await?;
                if file.is_empty() {
                    Some(Held::Nothing)
                } else {
                    let lock = std::fs::OpenOptions::new()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(format!("{file}.mailbox-{hash:016x}.lock"))?;
                    match lock.try_lock() {
                        Ok(()) => Some(Held::File(lock)),
                        Err(std::fs::TryLockError::WouldBlock) => None,
                        Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
                    }
                }
            }
            Backend::Postgres(pool) => {
                let mut conn = pool.acquire().await?.detach();
                let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(advisory_key(hash))
                    .fetch_one(&mut conn)
                    .await?;
                if got {
                    Some(Held::Advisory(conn))
                } else {
                    use sqlx::Connection;
                    conn.close().await?;
                    None
                }
            }
        };
        Ok(lock.map(|lock| MailboxClaim { lock }))
    }
}

impl MailboxClaim {
    /// Lets go of the claim now, closing its connection cleanly (dropping
    /// the claim lets go too, when the connection or file closes).
    pub async fn release(self) -> Result<()> {
        match self.lock {
            Held::Advisory(conn) => {
                use sqlx::Connection;
                conn.close().await?;
            }
            Held::File(file) => drop(file),
            Held::Nothing => {}
        }
        Ok(())
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
