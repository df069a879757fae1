//! Property test: whatever bytes arrive, reading them never panics and every
//! record it yields is well formed. Inputs are real bounces from the corpus,
//! cut short at random points, with random bytes flipped, plus pure noise;
//! the generator is seeded, so a failure reproduces.

mod common;

use bounce::message;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn corpus_files(test: &str) -> Option<Vec<Vec<u8>>> {
    let dir = common::corpus_dir(test)?.join("messages");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files.push(bytes);
            }
        }
    }
    Some(files)
}

fn check(input: &[u8]) {
    for report in message::read(input) {
        for record in report.records {
            assert!(!record.recipient.is_empty(), "a record without a recipient");
            assert!(
                record.diagnostic.len() <= input.len() + 2048,
                "a diagnostic longer than its input"
            );
        }
    }
}

#[test]
fn truncated_and_mangled_bounces_never_panic() {
    let Some(files) = corpus_files("truncated_and_mangled_bounces_never_panic") else {
        return;
    };
    let mut rng = ChaCha8Rng::seed_from_u64(20261125);

    for _ in 0..3_000 {
        let original = &files[rng.random_range(0..files.len())];
        let mut input = original[..rng.random_range(0..=original.len())].to_vec();
        for _ in 0..rng.random_range(0..8) {
            if input.is_empty() {
                break;
            }
            let at = rng.random_range(0..input.len());
            input[at] = rng.random();
        }

        check(&input);
    }
}

#[test]
fn random_noise_and_hostile_structures_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let hostile: &[&[u8]] = &[
        b"Content-Type: multipart/report; boundary=\"\"\n\n--\n--\n",
        b"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a\n",
        b"Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nContent-Type: message/rfc822\n\n",
        b"Final-Recipient: rfc822;\nStatus: 9.9.9\nDiagnostic-Code: smtp; 999 9.9.9.9.9\n",
        b"From \nFrom \nFrom \n",
        b"Content-Transfer-Encoding: base64\n\n====\xff\xfe",
        b"Subject: =?utf-8?B?////?=\nFrom: <@>\n\n<@>: 550",
    ];
    for input in hostile {
        check(input);
    }
    for _ in 0..2_000 {
        let len = rng.random_range(0..2_048);
        let input: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        check(&input);
    }
    // Deep MIME nesting and one huge line.
    let mut nested = Vec::new();
    for i in 0..5_000 {
        nested.extend_from_slice(format!("Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n").as_bytes());
    }
    check(&nested);
    let mut long_line = b"Subject: x\n\n<a@b.c>: ".to_vec();
    long_line.extend(std::iter::repeat_n(b'5', 1_000_000));
    check(&long_line);
}
