//! Queries a visitor shapes stop at their deadline, on both backends, and
//! leave their connection fit for the next query.

use std::time::Duration;

use store::{StoreError, store_test};

/// Counts to a billion: minutes of work on either database.
const ENDLESS: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) \
                       SELECT COUNT(*) FROM n";

store_test!(
    a_query_past_its_deadline_is_stopped_and_the_pool_stays_usable,
    |store| {
        // Act
        let stopped = store
            .bounded_scalar_for_tests(ENDLESS, Duration::from_millis(200))
            .await;
        let mut after = Vec::new();
        // More queries than the pool has connections: each reuses one that ran
        // a stopped query, so a deadline left behind would show here.
        for _ in 0..20 {
            after.push(
                store
                    .bounded_scalar_for_tests("SELECT CAST(41 + 1 AS BIGINT)", Duration::from_secs(20))
                    .await,
            );
        }

        // Assert
        assert!(matches!(stopped, Err(StoreError::TooSlow)), "{stopped:?}");
        assert!(after.iter().all(|r| matches!(r, Ok(42))), "{after:?}");
        assert!(store.ping().await.is_ok());
    }
);
