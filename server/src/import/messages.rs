//! Bounce messages as input: one message per file (`eml`), an mbox file
//! (`mbox`, read message by message so memory stays flat however large it
//! is) or a Maildir folder (`maildir`: the files in `new/` and `cur/`,
//! in name order). Each message goes through the bounce reader
//! ([`super::mailbox::items`]) and then the same batches as every format.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use super::{ImportReport, mailbox};

/// The largest message read, the reader's own cap
/// ([`bounce::message::MAX_MESSAGE_BYTES`]).
pub const MAX_MESSAGE: usize = bounce::message::MAX_MESSAGE_BYTES;

/// Where messages come from.
pub enum Messages<R> {
    /// The files of a Maildir (or any folder), in order.
    Files(std::vec::IntoIter<PathBuf>),
    /// An mbox stream (or one message: a stream with no `From ` line).
    Mbox { reader: R, line: Vec<u8>, state: MboxState },
}

/// One message read, or why it could not be.
pub type Message = Result<Vec<u8>, Unread>;

/// Why a message was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// Past [`MAX_MESSAGE`]: measured (`bytes`), never held.
    TooLarge { bytes: usize },
    /// The input could not be read.
    Failed(String),
}

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unread::TooLarge { .. } => write!(f, "a message larger than {MAX_MESSAGE} bytes"),
            Unread::Failed(why) => f.write_str(why),
        }
    }
}

impl<R: BufRead> Messages<R> {
    /// An mbox (or single message) read from `reader`.
    pub fn mbox(reader: R) -> Self {
        Messages::Mbox {
            reader,
            line: Vec::new(),
            state: MboxState::default(),
        }
    }

    /// The next message; `None` at the end.
    pub fn next_message(&mut self) -> Option<Message> {
        match self {
            Messages::Files(files) => files.next().map(|path| read_file(&path)),
            Messages::Mbox { reader, line, state } => next_in_mbox(reader, line, state),
        }
    }
}

/// The message files of a Maildir (`new/` then `cur/`), or of a plain
/// folder, sorted by name so that an import is repeatable.
pub fn maildir(dir: &Path) -> Result<Messages<std::io::Empty>, String> {
    let subdirs: Vec<PathBuf> = ["new", "cur"]
        .iter()
        .map(|d| dir.join(d))
        .filter(|d| d.is_dir())
        .collect();
    let folders = if subdirs.is_empty() {
        vec![dir.to_path_buf()]
    } else {
        subdirs
    };
    let mut files = Vec::new();
    for folder in folders {
        let entries = std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        files.extend(found);
    }
    Ok(Messages::Files(files.into_iter()))
}

fn read_file(path: &Path) -> Message {
    let failed = |e: &dyn std::fmt::Display| Unread::Failed(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| failed(&e))?;
    let mut bytes = Vec::new();
    file.take(MAX_MESSAGE as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| failed(&e))?;
    if bytes.len() > MAX_MESSAGE {
        return Err(failed(&format!("larger than {MAX_MESSAGE} bytes")));
    }
    Ok(bytes)
}

/// Where an mbox stream is.
#[derive(Default)]
pub struct MboxState {
    /// A line has been read.
    started: bool,
    /// The stream opened with a `From ` line: it is an mbox, and every
    /// `From ` line separates (see [`bounce::message::is_mbox_separator`]).
    in_mbox: bool,
    done: bool,
}

/// The next message of an mbox: the lines up to the next `From ` line.
/// A message past [`MAX_MESSAGE`] is refused and the rest of it skipped;
/// lines are read in bounded pieces, so no line holds memory either.
fn next_in_mbox(reader: &mut impl BufRead, line: &mut Vec<u8>, state: &mut MboxState) -> Option<Message> {
    let MboxState { started, in_mbox, done } = state;
    if *done {
        return None;
    }
    let mut message: Vec<u8> = Vec::new();
    let mut too_large = false;
    let mut size = 0usize;
    loop {
        line.clear();
        let read = match reader.by_ref().take(64 * 1024).read_until(b'\n', line) {
            Ok(n) => n,
            Err(e) => {
                *done = true;
                return Some(Err(Unread::Failed(e.to_string())));
            }
        };
        if !*started {
            *in_mbox = line.starts_with(b"From ");
        }
        let separator = read > 0
            && (message.is_empty() || message.ends_with(b"\n"))
            && bounce::message::is_mbox_separator(line, *in_mbox);
        if read == 0 || (separator && *started && !message.is_empty()) {
            *done = read == 0;
            if too_large {
                return Some(Err(Unread::TooLarge { bytes: size }));
            }
            if message.iter().all(u8::is_ascii_whitespace) {
                if *done {
                    return None;
                }
                *started = true;
                continue;
            }
            return Some(Ok(message));
        }
        if separator {
            // The first separator line, or one after an empty message.
            *started = true;
            continue;
        }
        *started = true;
        size = size.saturating_add(line.len());
        if message.len() + line.len() > MAX_MESSAGE {
            too_large = true;
            message.clear();
            message.push(b'\n');
        } else if !too_large {
            message.extend_from_slice(line);
        }
    }
}

/// Imports one input of bounce messages, adding to `report`.
pub async fn import(
    store: &store::Store,
    mut messages: Messages<impl BufRead>,
    name: &str,
    campaign: Option<i64>,
    report: &mut ImportReport,
) -> Result<(), crate::ServerError> {
    let mut batcher = super::Batcher::new(campaign);
    let place = format!("{name} message");
    let mut index = 0;
    while let Some(message) = messages.next_message() {
        index += 1;
        report.lines += 1;
        let items = match message {
            Ok(bytes) => mailbox::items(&bytes),
            Err(why) => vec![Err(why.to_string())],
        };
        batcher.take(items, report, &place, index);
        batcher.store_when_full(store, report).await?;
    }
    batcher.finish(store, report).await
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;

    fn all(input: &[u8]) -> Vec<Message> {
        let mut messages = Messages::mbox(BufReader::new(input));
        std::iter::from_fn(|| messages.next_message()).collect()
    }

    #[test]
    fn an_mbox_is_split_at_its_from_lines() {
        let mbox = b"From MAILER-DAEMON Mon Nov 30 10:00:01 2026\nSubject: one\n\nbody\n\
                     From MAILER-DAEMON Mon Nov 30 10:00:02 2026\nSubject: two\n\n>From the quoted line\n";

        let messages = all(mbox);

        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].as_deref(), Ok(&b"Subject: one\n\nbody\n"[..]));
        assert_eq!(
            messages[1].as_deref(),
            Ok(&b"Subject: two\n\n>From the quoted line\n"[..])
        );
    }

    #[test]
    fn a_single_message_without_a_from_line_is_one_message() {
        let messages = all(b"Subject: only\n\nbody\n");

        assert_eq!(messages.len(), 1);
        assert!(all(b"").is_empty());
        assert!(all(b"\n\n").is_empty());
    }

    #[test]
    fn a_single_message_whose_prose_starts_a_line_with_from_is_not_cut() {
        // Arrange: one message, not an mbox: its first line is a header.
        let message = b"From: Hanne <hanne@example.no>\nSubject: Out of Office\n\n\
                        Thank you.\nFrom 1 December to 8 December I am away.\n";

        // Act
        let messages = all(message);

        // Assert
        assert_eq!(messages, [Ok(message.to_vec())]);
    }

    #[test]
    fn an_oversized_message_is_refused_and_the_next_one_read() {
        let mut mbox = b"From a\nSubject: big\n\n".to_vec();
        let line = vec![b'x'; 1000];
        for _ in 0..(MAX_MESSAGE / 1000 + 2) {
            mbox.extend_from_slice(&line);
            mbox.push(b'\n');
        }
        mbox.extend_from_slice(b"From b\nSubject: small\n\nok\n");

        let messages = all(&mbox);

        assert_eq!(messages.len(), 2);
        assert!(
            messages[0]
                .as_ref()
                .is_err_and(|e| e.to_string().contains("larger than"))
        );
        assert_eq!(messages[1].as_deref(), Ok(&b"Subject: small\n\nok\n"[..]));
    }
}
