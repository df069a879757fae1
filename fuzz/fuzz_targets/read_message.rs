//! Any bytes into the bounce message reader: it must never panic, hang or
//! yield a record without a recipient.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for report in bounce::message::read(data) {
        for record in report.records {
            assert!(!record.recipient.is_empty());
        }
    }
});
