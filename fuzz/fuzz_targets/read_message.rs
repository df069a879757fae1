//! Any bytes into the bounce message reader: it must never panic, hang or
//! yield a record without a recipient, and never more than its caps allow.
#![no_main]

use bounce::message::{self, MAX_DIAGNOSTIC_BYTES, MAX_RECIPIENTS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for report in message::read(data) {
        assert!(report.records.len() <= MAX_RECIPIENTS);
        for record in report.records {
            assert!(!record.recipient.is_empty());
            assert!(record.diagnostic.len() <= MAX_DIAGNOSTIC_BYTES);
        }
    }
});
