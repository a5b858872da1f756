//! The one work pool of the parallel paths: jobs go in in stream order, run on worker threads,
//! and their results come out in the same order, with a bounded number in flight.
//!
//! Compression (chunks of input), indexed decompression (runs of restart points) and stream
//! decompression (batches of handed-out blocks) all run on [`OrderedPool`]. Work that must see
//! the jobs in order — a content checksum running through the chunks, a frame's size and
//! checksum running through the batches — passes a [`Baton`] from job to job.
//!
//! The calling thread counts as one of the threads: a pool of `threads` starts `threads - 1`
//! workers, so there are never more runnable threads than asked for (on a machine whose other
//! cores are busy, two threads degrade to about one thread's speed, not three threads taking
//! turns on one core). The calling thread also reads the input and writes the output, so how
//! many jobs it should run itself depends on how that work compares with a job: the pool
//! measures both — the calling thread's time outside the pool and in delivering results, and
//! the jobs' run time — and has the calling thread run the share of jobs that balances its
//! load with the workers' (none when reading and writing alone keep it as busy as a worker, as
//! in decompressing to a file; nearly half of them on two threads when a job costs much more
//! than its input and output, as in compressing). With one thread no worker is started: each
//! job runs on the calling thread when it is submitted, so the serial path is the same code.
//! The exception is [`OrderedPool::with_idle_caller`], for work whose jobs write their own
//! results (stream decompression into a file): there the calling thread only reads, mostly
//! asleep, and `threads` workers run the jobs.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex};
use std::thread::Scope;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, unbounded, Receiver, Select, Sender, TrySendError};

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
    /// The workers' queue, for the calling thread to take a queued job back and run it
    /// itself when its share says so.
    queued: Option<Receiver<(usize, W::Job)>>,
    results: Receiver<(usize, W::Output, Duration)>,
    /// Results that arrived before the ones ahead of them.
    waiting: BTreeMap<usize, W::Output>,
    /// The calling thread's state, for jobs run in place.
    local: Option<W::State>,
    submitted: usize,
    delivered: usize,
    limit: usize,
    balance: Balance,
}

/// What the pool measures to decide how many jobs the calling thread runs.
struct Balance {
    workers: usize,
    /// The calling thread's own work: its time outside the pool's calls (reading input,
    /// making jobs) and in delivering results (writing output).
    caller: Duration,
    /// When the calling thread last left a call of the pool.
    left: Option<Instant>,
    /// Jobs run (anywhere) and their run time.
    runs: u32,
    run_time: Duration,
    /// Jobs run on the calling thread.
    local_runs: usize,
    /// The calling thread runs no job (but the small ones of [`OrderedPool::run_here`]).
    caller_idle: bool,
}

impl Balance {
    /// Whether the calling thread should run a job now (rather than leave it to the
    /// workers): while it has run fewer than its share of the `submitted` jobs. Its share `f`
    /// balances its load (own work `c` per job, plus `f` of the jobs of time `j`) with the
    /// workers' (`(1 - f) j / workers` each): `f = (j - workers c) / ((workers + 1) j)`, none
    /// when its own work is as large as a worker's. Before any job has finished there is
    /// nothing to go by, and the calling thread's own work (writing results) has not begun:
    /// it leaves the jobs to the workers (running the first job itself made the calling
    /// thread the bottleneck of file-to-file decompression: -T2 1.21 x -T1, 1.31 x without).
    fn caller_runs(&self, submitted: usize) -> bool {
        if self.runs == 0 || self.caller_idle {
            return false;
        }
        let n = submitted.max(1) as f64;
        let j = self.run_time.as_secs_f64() / f64::from(self.runs);
        let c = self.caller.as_secs_f64() / n;
        let w = self.workers as f64;
        let share = ((j - w * c) / ((w + 1.0) * j)).clamp(0.0, 1.0);
        (self.local_runs as f64) < share * n
    }

    /// The calling thread enters a call of the pool.
    fn enter(&mut self) {
        if let Some(t) = self.left.take() {
            self.caller += t.elapsed();
        }
    }

    /// The calling thread leaves a call of the pool.
    fn leave(&mut self) {
        self.left = Some(Instant::now());
    }

    fn ran(&mut self, time: Duration) {
        self.runs += 1;
        self.run_time += time;
    }
}

impl<'env, W: Work> OrderedPool<'env, W> {
    /// A pool of `threads` threads in `scope`: the calling thread and `threads - 1` workers
    /// (none when `threads` ≤ 1), with at most `2 × threads` items in flight: each worker's
    /// job and the one queued behind it, the calling thread's own, and results done out of
    /// order waiting for the oldest — enough that neither the calling thread nor a worker
    /// runs out of work while the other finishes the oldest job.
    pub(crate) fn new<'scope>(
        scope: &'scope Scope<'scope, 'env>,
        work: &'env W,
        threads: usize,
    ) -> Self
    where
        W::Job: 'env,
        W::Output: 'env,
    {
        let (result_tx, results) = unbounded();
        let mut queued = None;
        let mut workers = 0;
        let jobs = (threads > 1).then(|| {
            // One job queued per worker keeps each worker fed while the caller does the rest.
            let (job_tx, job_rx) = bounded::<(usize, W::Job)>(threads - 1);
            for _ in 1..threads {
                let (job_rx, result_tx) = (job_rx.clone(), result_tx.clone());
                let spawned = std::thread::Builder::new()
                    .name("lz4framed-worker".into())
                    .spawn_scoped(scope, move || {
                        let mut state = work.state();
                        for (seq, job) in job_rx {
                            let t = Instant::now();
                            let out = work.run(&mut state, job);
                            if result_tx.send((seq, out, t.elapsed())).is_err() {
                                break;
                            }
                        }
                    });
                // The system refuses more threads (a limit, no memory): work with those it
                // gave, the calling thread at least.
                if spawned.is_err() {
                    break;
                }
                workers += 1;
            }
            queued = Some(job_rx);
            job_tx
        });
        let jobs = jobs.filter(|_| workers > 0);
        if workers == 0 {
            queued = None;
        }
        OrderedPool {
            work,
            jobs,
            queued,
            results,
            waiting: BTreeMap::new(),
            local: None,
            submitted: 0,
            delivered: 0,
            limit: 2 * threads.max(1),
            balance: Balance {
                workers,
                caller: Duration::ZERO,
                left: None,
                runs: 0,
                run_time: Duration::ZERO,
                local_runs: 0,
                caller_idle: false,
            },
        }
    }

    /// A pool whose calling thread reads and writes only: `workers` workers run every job
    /// (submitted ones; [`OrderedPool::run_here`] still runs on the calling thread), with at
    /// most `limit` items in flight. For work whose results cost the calling thread little to
    /// deliver, but whose jobs would keep it from reading on when it ran them.
    pub(crate) fn with_idle_caller<'scope>(
        scope: &'scope Scope<'scope, 'env>,
        work: &'env W,
        workers: usize,
        limit: usize,
    ) -> Self
    where
        W::Job: 'env,
        W::Output: 'env,
    {
        let mut pool = Self::new(scope, work, workers + 1);
        pool.limit = limit.max(1);
        pool.balance.caller_idle = pool.balance.workers > 0;
        pool
    }

    /// Items submitted and not yet delivered.
    pub(crate) fn in_flight(&self) -> usize {
        self.submitted - self.delivered
    }

    /// Submit a job: run on the calling thread when that is its share (always, when the pool
    /// has no workers), else queued for a worker, waiting for room in the queue while
    /// delivering finished results in order. Waits, delivering results, while the pool is
    /// full.
    pub(crate) fn submit<E>(
        &mut self,
        job: W::Job,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        self.balance.enter();
        let r = self.submit_inner(job, deliver);
        self.balance.leave();
        r
    }

    fn submit_inner<E>(
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
                msg = match jobs.try_send(m) {
                    Ok(()) => None,
                    // Only after a panic: every worker has stopped.
                    Err(TrySendError::Disconnected((_, j))) => {
                        job = Some(j);
                        None
                    }
                    Err(TrySendError::Full((_, j))) if self.balance.caller_runs(self.submitted) => {
                        job = Some(j);
                        None
                    }
                    Err(TrySendError::Full(m)) => {
                        // Wait for room in the queue or for a result, whichever comes first.
                        let mut sel = Select::new();
                        let send = sel.send(&jobs);
                        let recv = sel.recv(&self.results);
                        let op = sel.select();
                        if op.index() == send {
                            match op.send(&jobs, m) {
                                Ok(()) => None,
                                Err(e) => {
                                    job = Some(e.into_inner().1);
                                    None
                                }
                            }
                        } else {
                            debug_assert_eq!(op.index(), recv);
                            let r = op.recv(&self.results);
                            self.arrived(r);
                            self.deliver_ready(deliver)?;
                            Some(m)
                        }
                    }
                };
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
        self.balance.enter();
        let out = self.local_run(job);
        let r = self.ready_inner(out, deliver);
        self.balance.leave();
        r
    }

    fn local_run(&mut self, job: W::Job) -> W::Output {
        let work = self.work;
        let state = self.local.get_or_insert_with(|| work.state());
        let t = Instant::now();
        let out = work.run(state, job);
        self.balance.ran(t.elapsed());
        self.balance.local_runs += 1;
        out
    }

    /// Put a result made by the caller in the stream, after everything submitted so far.
    pub(crate) fn ready<E>(
        &mut self,
        out: W::Output,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        self.balance.enter();
        let r = self.ready_inner(out, deliver);
        self.balance.leave();
        r
    }

    fn ready_inner<E>(
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
        self.balance.enter();
        let mut r = Ok(());
        while r.is_ok() && self.delivered < self.submitted {
            r = self.receive_one(deliver);
        }
        self.balance.leave();
        r
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

    /// Wait for one result (unless the next one in order is here already; or take a queued
    /// job back and run it, when that is the calling thread's share), then deliver what is
    /// ready.
    fn receive_one<E>(
        &mut self,
        deliver: &mut impl FnMut(W::Output) -> Result<(), E>,
    ) -> Result<(), E> {
        if !self.waiting.contains_key(&self.delivered) {
            let stolen = match &self.queued {
                Some(q) if self.balance.caller_runs(self.submitted) => q.try_recv().ok(),
                _ => None,
            };
            match stolen {
                Some((seq, job)) => {
                    let out = self.local_run(job);
                    self.waiting.insert(seq, out);
                }
                None => {
                    let r = self.results.recv();
                    self.arrived(r);
                }
            }
        }
        self.deliver_ready(deliver)
    }

    /// File a worker's result.
    fn arrived(&mut self, r: Result<(usize, W::Output, Duration), crossbeam_channel::RecvError>) {
        match r {
            Ok((seq, out, time)) => {
                self.balance.ran(time);
                self.waiting.insert(seq, out);
            }
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
            // Delivering (writing the output) is the calling thread's own work.
            let t = Instant::now();
            let r = deliver(out);
            self.balance.caller += t.elapsed();
            r?;
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
/// running through chunks, say. Jobs wait only for the turns before theirs.
pub(crate) struct Baton<T> {
    state: Mutex<BatonState<T>>,
    turn: Condvar,
}

struct BatonState<T> {
    next: usize,
    value: T,
    cancelled: bool,
}

impl<T> Baton<T> {
    /// A baton holding `value`, at turn 0.
    pub(crate) fn new(value: T) -> Self {
        Baton {
            state: Mutex::new(BatonState {
                next: 0,
                value,
                cancelled: false,
            }),
            turn: Condvar::new(),
        }
    }

    /// Wait for turn `turn`, apply `f` to the value, pass the turn on. `None` when the baton
    /// was cancelled (a job before this one will never run).
    pub(crate) fn take_turn<U>(&self, turn: usize, f: impl FnOnce(&mut T) -> U) -> Option<U> {
        let mut g = self.state.lock().ok()?;
        while g.next != turn && !g.cancelled {
            g = self.turn.wait(g).ok()?;
        }
        if g.cancelled {
            return None;
        }
        let r = f(&mut g.value);
        g.next += 1;
        drop(g);
        self.turn.notify_all();
        Some(r)
    }

    /// Apply `f` to the value and pass the turn on if turn `turn` has come; `None` without
    /// waiting when it has not (or the baton was cancelled).
    pub(crate) fn try_take_turn<U>(&self, turn: usize, f: impl FnOnce(&mut T) -> U) -> Option<U> {
        let mut g = self.state.lock().ok()?;
        if g.next != turn || g.cancelled {
            return None;
        }
        let r = f(&mut g.value);
        g.next += 1;
        drop(g);
        self.turn.notify_all();
        Some(r)
    }

    /// Wake every waiter for good: later turns return `None`.
    pub(crate) fn cancel(&self) {
        if let Ok(mut g) = self.state.lock() {
            g.cancelled = true;
        }
        self.turn.notify_all();
    }

    /// The value after every turn so far (the caller knows they are all done); `None` if
    /// cancelled.
    #[cfg(test)]
    pub(crate) fn into_value(self) -> Option<T> {
        let s = self.state.into_inner().ok()?;
        (!s.cancelled).then_some(s.value)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Squares numbers slowly and out of order; sums them through a baton in order.
    struct Squares {
        baton: Baton<u64>,
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
        let pools = [1, 2, 3, 8]
            .into_iter()
            .flat_map(|t| [(t, false), (t, true)]);
        for (threads, idle_caller) in pools {
            let work = Squares {
                baton: Baton::new(0),
            };
            let mut got = Vec::new();
            std::thread::scope(|s| {
                let mut pool = if idle_caller {
                    OrderedPool::with_idle_caller(s, &work, threads, 2 * threads)
                } else {
                    OrderedPool::new(s, &work, threads)
                };
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
                    assert!(pool.in_flight() <= 2 * threads.max(1));
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
            assert_eq!(got, want, "{threads} threads, idle caller {idle_caller}");
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
}
