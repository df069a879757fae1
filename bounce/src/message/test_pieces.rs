//! Generated test input: a seeded pseudo-random pick among pieces, so that
//! the readers written by hand can be compared with what they replace on
//! many inputs that steer every branch, the same inputs on every run.

/// A linear congruential generator (Knuth's MMIX constants): plenty for
/// choosing test pieces, and no dependency.
pub(super) struct Pieces(u64);

impl Pieces {
    pub(super) fn seeded(seed: u64) -> Pieces {
        Pieces(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407))
    }

    /// One of `pieces`.
    pub(super) fn pick<'a>(&mut self, pieces: &[&'a str]) -> &'a str {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        pieces[(self.0 >> 33) as usize % pieces.len()]
    }
}
