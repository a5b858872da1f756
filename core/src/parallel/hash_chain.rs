//! The content checksum of data cut into jobs for several threads: XXH32 cannot be split, so
//! the jobs are hashed one after the other, each by the worker that handled it, in stream
//! order.

use std::sync::{Condvar, Mutex};

use crate::xxh32::Xxh32;

/// What a batch does to the running content checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HashStep {
    /// The first batch of a frame: start a new checksum.
    Start,
    /// A later batch: continue it.
    Continue,
}

/// A content checksum passed from job to job in stream order: a worker waits for its job's
/// turn, hashes the job's data (still in its cache) and hands the turn on.
pub(super) struct HashChain {
    /// The next turn, and the checksum so far.
    state: Mutex<(usize, Xxh32)>,
    turn: Condvar,
}

impl Default for HashChain {
    fn default() -> Self {
        HashChain {
            state: Mutex::new((0, Xxh32::new(0))),
            turn: Condvar::new(),
        }
    }
}

impl HashChain {
    /// Wait for turn `turn`, apply `step` to `output` (a failed batch hashes nothing), pass on.
    pub(super) fn pass(&self, turn: usize, step: Option<HashStep>, output: Option<&[u8]>) {
        let Ok(mut g) = self.state.lock() else { return };
        while g.0 != turn {
            match self.turn.wait(g) {
                Ok(next) => g = next,
                Err(_) => return,
            }
        }
        match (step, output) {
            (Some(HashStep::Start), Some(out)) => {
                g.1 = Xxh32::new(0);
                g.1.update(out);
            }
            (Some(HashStep::Continue), Some(out)) => g.1.update(out),
            _ => {}
        }
        g.0 += 1;
        drop(g);
        self.turn.notify_all();
    }

    /// The checksum after every batch so far (the caller knows they are all done).
    pub(super) fn digest(&self) -> Option<u32> {
        self.state.lock().ok().map(|g| g.1.digest())
    }
}
