//! Locks the database or the operating system lets go of when their holder
//! dies, shared by the demo load's claim ([`Store::claim_demo_load`]) and
//! the mailbox claims ([`Store::claim_mailbox`]): on PostgreSQL a session
//! advisory lock on a connection of its own; on SQLite an exclusive lock on
//! a file next to the database (left in place: removing it would let two
//! servers lock two different files). An in-memory SQLite database is one
//! process's alone, so its locks are always granted.

use crate::{Backend, Result, Store};

/// A lock held until it is dropped or [released](Held::release).
#[derive(Debug)]
pub(crate) enum Held {
    /// The connection holding the advisory lock; closing it lets go.
    Advisory(sqlx::PgConnection),
    /// The locked file; closing it lets go.
    File(std::fs::File),
    /// An in-memory database: no other process can see it.
    Nothing,
}

impl Store {
    /// Takes the lock `advisory_key` (PostgreSQL) or the one on the file
    /// `DB.{file_suffix}` (SQLite): `None` while someone else holds it.
    /// Never waits.
    pub(crate) async fn try_lock(&self, file_suffix: &str, advisory_key: i64) -> Result<Option<Held>> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let file: String = sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                    .fetch_one(pool)
                    .await?;
                if file.is_empty() {
                    return Ok(Some(Held::Nothing));
                }
                let lock = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(format!("{file}.{file_suffix}"))?;
                match lock.try_lock() {
                    Ok(()) => Ok(Some(Held::File(lock))),
                    Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                    Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
                }
            }
            Backend::Postgres(pool) => {
                let mut conn = pool.acquire().await?.detach();
                let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(advisory_key)
                    .fetch_one(&mut conn)
                    .await?;
                if got {
                    Ok(Some(Held::Advisory(conn)))
                } else {
                    use sqlx::Connection;
                    conn.close().await?;
                    Ok(None)
                }
            }
        }
    }
}

impl Held {
    /// Lets go now, closing the advisory lock's connection cleanly
    /// (dropping the lock lets go too, when the connection or file closes).
    pub(crate) async fn release(self) -> Result<()> {
        match self {
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
