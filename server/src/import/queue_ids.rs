//! What an MTA log says about a message on one line and its results on
//! later ones: its Message-ID, by the MTA's own queue id (Postfix's
//! `cleanup` line, Exim's arrival line). Kept for at most a bounded number
//! of messages, the oldest let go first, so a crafted log cannot grow it
//! without end.

use std::collections::{HashMap, VecDeque};

/// Messages remembered at most: a busy MTA's messages in flight, many
/// times over.
pub const REMEMBERED: usize = 100_000;

/// Queue id to Message-ID, bounded.
#[derive(Debug)]
pub struct QueueIds {
    /// Queue id -> (arrival number, Message-ID).
    ids: HashMap<String, (u64, String)>,
    /// Arrivals in order, to let the oldest go; an entry whose number no
    /// longer matches `ids` (forgotten, or seen again) is stale.
    order: VecDeque<(u64, String)>,
    arrivals: u64,
    cap: usize,
}

impl Default for QueueIds {
    fn default() -> Self {
        Self::with_cap(REMEMBERED)
    }
}

impl QueueIds {
    /// Remembers at most `cap` messages.
    pub fn with_cap(cap: usize) -> Self {
        Self {
            ids: HashMap::new(),
            order: VecDeque::new(),
            arrivals: 0,
            cap: cap.max(1),
        }
    }

    /// Keeps a message's Message-ID, letting the oldest go first.
    pub fn remember(&mut self, queue_id: &str, message_id: &str) {
        while self.order.len() >= self.cap {
            let Some((number, old)) = self.order.pop_front() else {
                break;
            };
            if self.ids.get(&old).is_some_and(|(n, _)| *n == number) {
                self.ids.remove(&old);
            }
        }
        self.arrivals += 1;
        self.ids
            .insert(queue_id.to_owned(), (self.arrivals, message_id.to_owned()));
        self.order.push_back((self.arrivals, queue_id.to_owned()));
    }

    /// The Message-ID of a message, if remembered.
    pub fn get(&self, queue_id: &str) -> Option<&str> {
        self.ids.get(queue_id).map(|(_, id)| id.as_str())
    }

    /// How many messages are held (remembered, and stale order entries).
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.ids.len().max(self.order.len())
    }

    /// Lets a message go (it left the queue).
    pub fn forget(&mut self, queue_id: &str) {
        self.ids.remove(queue_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_are_let_go_past_the_bound() {
        let mut ids = QueueIds::with_cap(2);

        ids.remember("A1", "a@x");
        ids.remember("B2", "b@x");
        ids.remember("C3", "c@x");
        ids.forget("B2");

        assert_eq!(ids.get("A1"), None, "the oldest went");
        assert_eq!(ids.get("B2"), None, "forgotten");
        assert_eq!(ids.get("C3"), Some("c@x"));
    }
}
