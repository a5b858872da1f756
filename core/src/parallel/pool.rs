//! The one work pool of the parallel paths: jobs go in in stream order, run on worker threads,
//! and their results come out in the same order, with a bounded number in flight.
//!
//! Compression (chunks of input), indexed decompression (runs of restart points) and stream
//! decompression (batches of handed-out blocks) all run on [`OrderedPool`]. Work that must see
//! the jobs in order — a content checksum running through the chunks, a frame's size and
//! checksum running through the batches — passes a [`Baton`] from job to job.
//!
//! A pool of `threads` threads ([`OrderedPool::new`]) starts `threads` workers that run the
//! jobs; the calling thread reads the input, makes the jobs and delivers the results (writes
//! the output), and sleeps while it waits for a result or for room. Its own work is small
//! beside the jobs' (reading and writing, against compressing), so the workers keep the cores
//! busy and the calling thread takes what is left. (An earlier design had the calling thread
//! run a measured share of the jobs itself, `threads - 1` workers beside it: it left a core
//! idle at the start, before the calling thread had a result to measure, and whenever the job
//! the calling thread was running held up the results behind it. On this project's 2-core
//! benchmark machine, 2 threads ÷ the ceiling of two 1-thread jobs at once, same quiet run,
//! `cargo run -p lz4framed-bench --release --bin report`: compression 0.84 -> 0.94, indexed
//! decompression 0.88 -> 0.92, stream decompression into a `Vec` about the same, 0.81-0.85.)
//!
//! Stream decompression, whose jobs (decoding a batch) cost little more than the calling
//! thread's copy of their output, runs on a pool the calling thread helps
//! ([`OrderedPool::helped`]): `threads - 1` workers, and the calling thread runs a job itself,
//! instead of queueing it, whenever a worker already has one waiting — no measured share, so
//! no idle start, and the workers are never without a job while it runs one. With a worker
//! per core beside it, the calling thread is one thread more than there are cores: woken by a
//! result while both cores decode, it waits for a core, and a worker it wakes waits behind the
//! other worker (the second worker started its first batch 0.2 to 2.7 ms after it was queued,
//! in calls of 17 ms; the workers waited for jobs 2 to 9 ms per call).
//! With one thread no worker is started: each job runs on the calling thread when it is
//! submitted, so the serial path is the same code.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex};
use std::thread;
use std::thread::Scope;

use crossbeam_channel::{bounded, unbounded, Receiver, Select, Sender};

/// Items in flight per worker: its job, the one queued behind it, and results done out of
/// order waiting for an older one — enough that a worker finding its next job is the rule,
/// also while the calling thread is busy writing or descheduled.
const IN_FLIGHT_PER_THREAD: usize = 3;

/// Jobs queued per worker in a pool the calling thread helps ([`OrderedPool::helped`]): the
/// calling thread runs a job itself when every worker has this many waiting, so that a worker
/// finishing its job while the calling thread runs one finds the next. (One rather than two:
/// with two, the calling thread ran too few batches and the worker, which also runs the
/// checks parked behind its batches, held everything up; stream decompression on 2 threads
/// ÷ its ceiling measured 0.79 with two, 0.86-0.89 with one, `par_cost`, medians of 7-10
/// interleaved runs.)
const HELPED_QUEUE: usize = 1;

/// What an [`OrderedPool`] runs: one kind of job, with per-thread state.
pub(crate) trait Work: Sync {
    /// A job, handed to a worker thread.
    type Job: Send;
    /// A job's result; the caller may also put results of its own in the stream
    /// ([`OrderedPool::ready`]).
    type Output: Send;
    /// Per-thread scratch (buffers, compressor state), made on the thread that uses it (its
    /// buffers then come from that thread's allocator arena: spreading the buffers over the
    /// threads' arenas keeps each arena small enough that the allocator keeps its memory for
    /// the next call rather than returning it to the system, to be faulted in again).
    type State;

    /// A fresh per-thread state.
    fn state(&self) -> Self::State;

    /// Run one job.
    fn run(&self, state: &mut Self::State, job: Self::Job) -> Self::Output;

    /// The pool stops before every job's result was delivered (an error, or the caller gave
    /// up): wake whatever waits for a job that will not run ([`Baton::cancel`]).
    fn cancel(&self) {}
}

/// Jobs in, results out in the order the jobs went in; at most `limit` jobs (and results of
/// the caller's own, [`OrderedPool::ready`]) in flight.
pub(crate) struct OrderedPool<'env, W: Work> {
    work: &'env W,
    /// `None` when no worker runs (one thread): jobs run on the calling thread.
    jobs: Option<Sender<(usize, W::Job)>>,
    /// Workers' results; `Err`: the job panicked (the payload, resumed on the calling thread).
    results: Receiver<(usize, thread::Result<W::Output>)>,
    /// Results that arrived before the ones ahead of them.
    waiting: BTreeMap<usize, W::Output>,
    /// The calling thread's state, for jobs run in place.
    local: Option<W::State>,
    submitted: usize,
    delivered: usize,
    limit: usize,
    /// The calling thread runs a job itself when the workers have a full queue
    /// ([`OrderedPool::helped`]).
    helps: bool,
}

impl<'env, W: Work> OrderedPool<'env, W> {
    /// A pool of `threads` workers in `scope` (none when `threads` ≤ 1: jobs then run on the
    /// calling thread), with at most [`IN_FLIGHT_PER_THREAD`] `× threads` items in flight.
    pub(crate) fn new<'scope>(
        scope: &'scope Scope<'scope, 'env>,
        work: &'env W,
        threads: usize,
    ) -> Self
    where
        W::Job: 'env,
        W::Output: 'env,
    {
        // One job queued per worker keeps each worker fed while the caller does the rest.
        let workers = if threads > 1 { threads } else { 0 };
        Self::start(scope, work, workers, workers, false)
    }

    /// A pool of `threads` threads counting the calling thread: `threads - 1` workers, and
    /// the calling thread, besides making the jobs and delivering the results, runs a job
    /// itself whenever the workers already have [`HELPED_QUEUE`] jobs each waiting
    /// ([`OrderedPool::submit_or_run`]). At most [`IN_FLIGHT_PER_THREAD`] `× threads` items
    /// in flight.
    ///
    /// For jobs that cost little more than the calling thread's own work on their results
    /// (decoding, against copying the output): as many threads as cores then share the work,
    /// never one more (see the module's documentation).
    pub(crate) fn helped<'scope>(
        scope: &'scope Scope<'scope, 'env>,
        work: &'env W,
        threads: usize,
    ) -> Self
    where
        W::Job: 'env,
        W::Output: 'env,
    {
        let workers = threads.saturating_sub(1);
        Self::start(scope, work, workers, HELPED_QUEUE * workers, true)
    }

    /// A pool of `wanted` workers fed by a queue of `queue` jobs; `helps`: the calling thread
    /// also runs jobs ([`OrderedPool::helped`]).
    fn start<'scope>(
        scope: &'scope Scope<'scope, 'env>,
        work: &'env W,
        wanted: usize,
        queue: usize,
        helps: bool,
    ) -> Self
    where
        W::Job: 'env,
        W::Output: 'env,
    {
        let (result_tx, results) = unbounded();
        let mut workers = 0;
        let jobs = (wanted > 0).then(|| {
            let (job_tx, job_rx) = bounded::<(usize, W::Job)>(queue.max(1));
            for _ in 0..wanted {
                let (job_rx, result_tx) = (job_rx.clone(), result_tx.clone());
                let spawned = std::thread::Builder::new()
                    .name("lz4framed-worker".into())
                    .spawn_scoped(scope, move || {
                        let mut state = work.state();
                        for (seq, job) in job_rx {
                            // A panic goes to the calling thread as this job's result (it
                            // waits for it; the other workers keep the channel open), and
                            // wakes the jobs waiting for this one's turn. This worker stops:
                            // its state may be broken.
                            let out = catch_unwind(AssertUnwindSafe(|| work.run(&mut state, job)));
                            let failed = out.is_err();
                            if failed {
                                work.cancel();
                            }
                            if result_tx.send((seq, out)).is_err() || failed {
                                break;
                            }
                        }
                    });
                // The system refuses more threads (a limit, no memory): work with those it
                // gave, or on the calling thread when it gave none.
                if spawned.is_err() {
                    break;
                }
                workers += 1;
            }
            job_tx
        });
        // Threads running jobs: the workers started, and the calling thread when it helps.
        let runners = workers + usize::from(helps);
        OrderedPool {
            work,
            jobs: jobs.filter(|_| workers > 0),
            results,
            waiting: BTreeMap::new(),
            local: None,
            submitted: 0,
            delivered: 0,
            limit: IN_FLIGHT_PER_THREAD * runners.max(1),
            helps,
        }
    }

    /// [`OrderedPool::submit`], or, in a pool the calling thread helps
    /// ([`OrderedPool::helped`]) whose job queue is full, [`OrderedPool::run_here`].
    pub(crate) fn submit_or_run<E>(
        &mut self,
        job: W::Job,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.helps && self.jobs.as_ref().is_some_and(|j| j.is_full()) {
            self.make_room(deliver)?;
            self.run_here(job, deliver)
        } else {
            self.submit(job, deliver)
        }
    }

    /// Items submitted and not yet delivered.
    pub(crate) fn in_flight(&self) -> usize {
        self.submitted - self.delivered
    }

    /// Submit a job: queued for a worker, waiting for room in the queue while delivering
    /// finished results in order (run on the calling thread when the pool has no workers).
    /// Waits, delivering results, while the pool is full.
    pub(crate) fn submit<E>(
        &mut self,
        job: W::Job,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        self.make_room(deliver)?;
        let seq = self.submitted;
        self.submitted += 1;
        let mut job = Some(job);
        if let Some(jobs) = self.jobs.clone() {
            let mut msg = job.take().map(|j| (seq, j));
            while let Some(m) = msg.take() {
                // Wait for room in the queue or for a result, whichever comes first.
                let mut sel = Select::new();
                let send = sel.send(&jobs);
                let recv = sel.recv(&self.results);
                let op = sel.select();
                if op.index() == send {
                    if let Err(e) = op.send(&jobs, m) {
                        // Only after a panic: every worker has stopped.
                        job = Some(e.into_inner().1);
                    }
                } else {
                    debug_assert_eq!(op.index(), recv);
                    let r = op.recv(&self.results);
                    self.arrived(r);
                    self.deliver_ready(deliver)?;
                    msg = Some(m);
                }
            }
        }
        if let Some(job) = job {
            let out = self.local_run(job);
            self.waiting.insert(seq, out);
        }
        self.deliver_ready(deliver)
    }

    /// Run a job on the calling thread, its result taking its place in the order (for small
    /// jobs, where handing over to a worker costs more than it saves).
    pub(crate) fn run_here<E>(
        &mut self,
        job: W::Job,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        let out = self.local_run(job);
        self.ready(out, deliver)
    }

    fn local_run(&mut self, job: W::Job) -> W::Output {
        let work = self.work;
        let state = self.local.get_or_insert_with(|| work.state());
        work.run(state, job)
    }

    /// Put a result made by the caller in the stream, after everything submitted so far.
    pub(crate) fn ready<E>(
        &mut self,
        out: W::Output,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        self.make_room(deliver)?;
        self.waiting.insert(self.submitted, out);
        self.submitted += 1;
        self.deliver_ready(deliver)
    }

    /// Deliver every result still in flight, in order.
    pub(crate) fn finish<E>(
        &mut self,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        while self.delivered < self.submitted {
            self.receive_one(deliver)?;
        }
        Ok(())
    }

    fn make_room<E>(
        &mut self,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        while self.in_flight() >= self.limit {
            self.receive_one(deliver)?;
        }
        Ok(())
    }

    /// Wait for one result (unless the next one in order is here already), then deliver what
    /// is ready.
    fn receive_one<E>(
        &mut self,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        if !self.waiting.contains_key(&self.delivered) {
            let r = self.results.recv();
            self.arrived(r);
        }
        self.deliver_ready(deliver)
    }

    /// File a worker's result.
    fn arrived(
        &mut self,
        r: Result<(usize, thread::Result<W::Output>), crossbeam_channel::RecvError>,
    ) {
        match r {
            Ok((seq, Ok(out))) => {
                self.waiting.insert(seq, out);
            }
            // The job panicked: so does the calling thread (the pool's drop cancels the rest).
            Ok((_, Err(payload))) => resume_unwind(payload),
            // Unreachable while the pool holds its job sender: workers outlive it.
            Err(_) => panic!("lz4framed: a worker thread of the pool stopped"),
        }
    }

    fn deliver_ready<E>(
        &mut self,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        while let Some(out) = self.waiting.remove(&self.delivered) {
            self.delivered += 1;
            deliver(out)?;
        }
        Ok(())
    }
}

impl<W: Work> Drop for OrderedPool<'_, W> {
    fn drop(&mut self) {
        if self.delivered < self.submitted {
            self.work.cancel();
        }
        // Dropping the job sender lets the workers finish; the scope joins them.
    }
}

/// A value passed from job to job in stream order: each job takes its turn (numbered from 0,
/// in the order the jobs were made), updates the value and passes it on — a content checksum
/// running through chunks, say. A job either waits for its turn ([`Baton::take_turn`]) or,
/// when its turn has not come yet, leaves its update to be run by the thread that passes the
/// turn before it on ([`Baton::take_turn_or_park`]): then no thread ever waits for a job that
/// was slower than its own, and the updates still run in turn order, one at a time.
pub(crate) struct Baton<'a, T> {
    state: Mutex<BatonState<'a, T>>,
    turn: Condvar,
}

/// An update left for the thread that passes the turn before it on.
pub(crate) type Parked<'a, T> = Box<dyn FnOnce(&mut T) + Send + 'a>;

struct BatonState<'a, T> {
    /// The turn to run next.
    next: usize,
    /// `None` while a thread runs turn `next` (and the parked turns after it) outside the
    /// lock, so that a job parking its update meanwhile does not wait for it.
    value: Option<T>,
    /// Updates of turns after `next`, by turn.
    parked: BTreeMap<usize, Parked<'a, T>>,
    cancelled: bool,
}

impl<'a, T> Baton<'a, T> {
    /// A baton holding `value`, at turn 0.
    pub(crate) fn new(value: T) -> Self {
        Baton {
            state: Mutex::new(BatonState {
                next: 0,
                value: Some(value),
                parked: BTreeMap::new(),
                cancelled: false,
            }),
            turn: Condvar::new(),
        }
    }

    /// Wait for turn `turn`, apply `f` to the value, pass the turn on (running the updates
    /// parked for the turns right after it). `None` when the baton was cancelled (a job before
    /// this one will never run).
    pub(crate) fn take_turn<U>(&self, turn: usize, f: impl FnOnce(&mut T) -> U) -> Option<U> {
        let mut g = self.state.lock().ok()?;
        let mut value = loop {
            if g.cancelled {
                return None;
            }
            if g.next == turn {
                if let Some(v) = g.value.take() {
                    break v;
                }
            }
            g = self.turn.wait(g).ok()?;
        };
        drop(g);
        let r = f(&mut value);
        self.pass_on(value);
        Some(r)
    }

    /// Run `f` on the value now if turn `turn` has come (then pass the turn on, running the
    /// updates parked for the turns right after it); otherwise leave it, to be run by the
    /// thread that passes turn `turn - 1` on, and return at once. After a cancel, `f` is
    /// dropped without running.
    pub(crate) fn take_turn_or_park(&self, turn: usize, f: Parked<'a, T>) {
        let Ok(mut g) = self.state.lock() else {
            return;
        };
        if g.cancelled {
            return;
        }
        let value = if g.next == turn { g.value.take() } else { None };
        let Some(mut value) = value else {
            g.parked.insert(turn, f);
            return;
        };
        drop(g);
        f(&mut value);
        self.pass_on(value);
    }

    /// The turn run on `value` is done: run the parked turns that follow it, then put the value
    /// back for the next turn and wake whoever waits for it.
    fn pass_on(&self, mut value: T) {
        let Ok(mut g) = self.state.lock() else {
            return;
        };
        g.next += 1;
        loop {
            let next = g.next;
            let Some(f) = g.parked.remove(&next) else {
                break;
            };
            drop(g);
            f(&mut value);
            let Ok(again) = self.state.lock() else {
                return;
            };
            g = again;
            g.next += 1;
        }
        g.value = Some(value);
        drop(g);
        self.turn.notify_all();
    }

    /// Wake every waiter for good and drop the parked updates: later turns return `None`.
    pub(crate) fn cancel(&self) {
        let parked = match self.state.lock() {
            Ok(mut g) => {
                g.cancelled = true;
                std::mem::take(&mut g.parked)
            }
            Err(_) => BTreeMap::new(),
        };
        self.turn.notify_all();
        drop(parked);
    }

    /// The value after every turn so far (the caller knows they are all done); `None` if
    /// cancelled.
    #[cfg(test)]
    pub(crate) fn into_value(self) -> Option<T> {
        let s = self.state.into_inner().ok()?;
        if s.cancelled {
            None
        } else {
            s.value
        }
    }
}

/// Buffers handed back and forth between workers and the writing thread, so that their pages
/// are faulted in (and zeroed) once.
#[derive(Default)]
pub(crate) struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    /// A free buffer (empty if none is free); its content is scratch.
    pub(crate) fn take(&self) -> Vec<u8> {
        self.free
            .lock()
            .ok()
            .and_then(|mut f| f.pop())
            .unwrap_or_default()
    }

    /// Give a buffer back (kept only while fewer than 64 are free).
    pub(crate) fn give(&self, buf: Vec<u8>) {
        if let Ok(mut f) = self.free.lock() {
            if f.len() < 64 {
                f.push(buf);
            }
        }
    }

    /// An empty pool (`const`: for one that lives in a `static`).
    pub(crate) const fn new() -> Self {
        BufferPool {
            free: Mutex::new(Vec::new()),
        }
    }

    /// Moves this pool's free buffers into `to` until `to` holds `max` free ones (never more
    /// than 64); the buffers left over are freed.
    pub(crate) fn move_into(&self, to: &BufferPool, max: usize) {
        let moved = match self.free.lock() {
            Ok(mut f) => std::mem::take(&mut *f),
            Err(_) => return,
        };
        if let Ok(mut t) = to.free.lock() {
            let room = max.min(64).saturating_sub(t.len());
            t.extend(moved.into_iter().take(room));
        }
    }

    /// Drops every free buffer; returns the bytes of memory they held.
    pub(crate) fn clear(&self) -> usize {
        let freed = match self.free.lock() {
            Ok(mut f) => std::mem::take(&mut *f),
            Err(_) => return 0,
        };
        freed.iter().map(Vec::capacity).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Squares numbers slowly and out of order; sums them through a baton in order.
    struct Squares {
        baton: Baton<'static, u64>,
    }

    impl Work for Squares {
        type Job = (usize, u64);
        type Output = (u64, u64);
        type State = ();
        fn state(&self) {}
        fn run(&self, _: &mut (), (turn, n): (usize, u64)) -> (u64, u64) {
            if n % 3 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            let sum = self.baton.take_turn(turn, |s| {
                *s += n;
                *s
            });
            (n * n, sum.unwrap_or(u64::MAX))
        }
        fn cancel(&self) {
            self.baton.cancel();
        }
    }

    #[test]
    fn results_come_out_in_order_on_any_thread_count() {
        for threads in [1, 2, 3, 8] {
            let work = Squares {
                baton: Baton::new(0),
            };
            let mut got = Vec::new();
            std::thread::scope(|s| {
                let mut pool = OrderedPool::new(s, &work, threads);
                let mut deliver = |r: (u64, u64)| -> Result<(), ()> {
                    got.push(r);
                    Ok(())
                };
                let mut turn = 0;
                for n in 0..100u64 {
                    if n % 10 == 5 {
                        pool.ready((u64::MAX, 0), &mut deliver).unwrap();
                    } else {
                        pool.submit((turn, n), &mut deliver).unwrap();
                        turn += 1;
                    }
                    assert!(pool.in_flight() <= IN_FLIGHT_PER_THREAD * threads.max(1));
                }
                pool.finish(&mut deliver).unwrap();
            });
            let mut sum = 0;
            let want: Vec<(u64, u64)> = (0..100u64)
                .map(|n| {
                    if n % 10 == 5 {
                        (u64::MAX, 0)
                    } else {
                        sum += n;
                        (n * n, sum)
                    }
                })
                .collect();
            assert_eq!(got, want, "{threads} threads");
            assert_eq!(work.baton.into_value(), Some(sum));
        }
    }

    #[test]
    fn stopping_early_neither_hangs_nor_loses_the_error() {
        for threads in [1, 2, 3] {
            let work = Squares {
                baton: Baton::new(0),
            };
            let mut delivered = Vec::new();
            let r = std::thread::scope(|s| {
                let mut pool = OrderedPool::new(s, &work, threads);
                let mut deliver = |(sq, _): (u64, u64)| {
                    delivered.push(sq);
                    if sq == 49 {
                        Err(7)
                    } else {
                        Ok(())
                    }
                };
                for n in 0..20u64 {
                    pool.submit((n as usize, n), &mut deliver)?;
                }
                pool.finish(&mut deliver)
            });
            assert_eq!(r, Err(7), "{threads} threads");
            // Everything before the failed result was delivered, in order, and nothing after.
            assert_eq!(delivered, (0..8u64).map(|n| n * n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_cancelled_baton_wakes_whoever_waits_for_a_turn_that_never_comes() {
        let baton = Baton::new(0u32);
        std::thread::scope(|s| {
            // Turn 0 never comes: the waiter for turn 1 is woken by the cancel, with None.
            let waiter = s.spawn(|| baton.take_turn(1, |v| *v += 1));
            std::thread::sleep(std::time::Duration::from_millis(20));
            baton.cancel();
            assert_eq!(waiter.join().unwrap(), None);
        });
        assert_eq!(baton.take_turn(0, |v| *v), None);
        assert_eq!(baton.into_value(), None);
    }

    #[test]
    fn parked_turns_run_in_order_on_the_thread_that_passes_the_turn_on() {
        let baton = Baton::new(Vec::new());
        // Turn 0 has not come: turns 1 to 4 are parked, nothing runs.
        for t in (1..5).rev() {
            baton.take_turn_or_park(t, Box::new(move |v: &mut Vec<usize>| v.push(t)));
        }
        // Taking turn 0 runs it, then the parked turns after it, in order.
        assert_eq!(
            baton.take_turn(0, |v| {
                v.push(0);
                v.len()
            }),
            Some(1)
        );
        assert_eq!(baton.take_turn(5, |v| v.clone()), Some(vec![0, 1, 2, 3, 4]));
        // A turn that has come runs at once.
        baton.take_turn_or_park(6, Box::new(|v: &mut Vec<usize>| v.push(6)));
        assert_eq!(baton.into_value(), Some(vec![0, 1, 2, 3, 4, 6]));
    }

    #[test]
    fn turns_taken_or_parked_from_many_threads_run_once_each_in_order() {
        for threads in [2, 3, 8] {
            let baton = Baton::new(Vec::new());
            let next = std::sync::atomic::AtomicUsize::new(0);
            std::thread::scope(|s| {
                for k in 0..threads {
                    let (baton, next) = (&baton, &next);
                    s.spawn(move || loop {
                        let t = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if t >= 200 {
                            break;
                        }
                        if t % 7 == k % 7 {
                            std::thread::sleep(std::time::Duration::from_micros(200));
                        }
                        if t % 5 == 0 {
                            assert!(baton.take_turn(t, |v: &mut Vec<usize>| v.push(t)).is_some());
                        } else {
                            baton.take_turn_or_park(
                                t,
                                Box::new(move |v: &mut Vec<usize>| v.push(t)),
                            );
                        }
                    });
                }
            });
            assert_eq!(
                baton.into_value(),
                Some((0..200).collect::<Vec<_>>()),
                "{threads} threads"
            );
        }
    }

    #[test]
    fn a_cancel_drops_the_parked_turns_without_running_them() {
        let baton = Baton::new(0u32);
        let (tx, rx) = crossbeam_channel::bounded::<u32>(1);
        baton.take_turn_or_park(
            1,
            Box::new(move |v: &mut u32| {
                let _ = tx.send(*v);
            }),
        );
        baton.cancel();
        // Dropped: the receiver sees its sender gone instead of waiting for it.
        assert!(rx.recv().is_err());
        assert_eq!(baton.take_turn(0, |v| *v), None);
    }

    /// Panics in one job (before its baton turn, so later jobs wait for a turn that never
    /// comes); the others square as [`Squares`].
    struct PanicsAt {
        squares: Squares,
        at: u64,
    }

    impl Work for PanicsAt {
        type Job = (usize, u64);
        type Output = (u64, u64);
        type State = ();
        fn state(&self) {}
        fn run(&self, state: &mut (), (turn, n): (usize, u64)) -> (u64, u64) {
            if n == self.at {
                panic!("job {n} fails");
            }
            self.squares.run(state, (turn, n))
        }
        fn cancel(&self) {
            self.squares.cancel();
        }
    }

    /// A job that panics on a worker: the panic reaches the calling thread (and the scope),
    /// on any thread count, instead of the calling thread waiting for the lost result forever
    /// (while another worker lives, the results channel stays open). The pool runs on a thread
    /// of its own, watched: a hang fails the test after a minute instead of stopping it.
    #[test]
    fn a_panicking_job_reaches_the_caller_instead_of_hanging_it() {
        for threads in [1, 2, 3, 8] {
            let (done_tx, done_rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let work = PanicsAt {
                    squares: Squares {
                        baton: Baton::new(0),
                    },
                    at: 5,
                };
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    std::thread::scope(|s| {
                        let mut pool = OrderedPool::new(s, &work, threads);
                        let mut deliver = |_: (u64, u64)| -> Result<(), ()> { Ok(()) };
                        for n in 0..40u64 {
                            pool.submit((n as usize, n), &mut deliver).unwrap();
                        }
                        pool.finish(&mut deliver).unwrap();
                    })
                }));
                let _ = done_tx.send(r.is_err());
            });
            let panicked = done_rx.recv_timeout(std::time::Duration::from_secs(60));
            assert_eq!(
                panicked,
                Ok(true),
                "{threads} threads: the job's panic did not reach the caller (Err: a hang)"
            );
        }
    }
}
