//! A small progress line on stderr: bytes done, rate and ETA, redrawn at most five times a
//! second. Shown only when stderr is a terminal, `-q` is not given and the input is big.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Inputs smaller than this show no progress line.
pub const THRESHOLD: u64 = 8 << 20;

const REDRAW: Duration = Duration::from_millis(200);

/// The progress line (inactive when it should not be shown).
#[derive(Debug)]
pub struct Progress {
    active: bool,
    label: String,
    total: Option<u64>,
    done: u64,
    start: Instant,
    last: Instant,
    drawn: bool,
}

impl Progress {
    /// A progress line for `label` over `total` input bytes (`None`: unknown, e.g. stdin).
    /// It stays hidden with `quiet`, when stderr is no terminal, and for small inputs (an
    /// input of unknown size shows once [`THRESHOLD`] bytes have gone by).
    pub fn new(label: &str, total: Option<u64>, quiet: bool) -> Self {
        let now = Instant::now();
        let active =
            !quiet && std::io::stderr().is_terminal() && total.is_none_or(|t| t >= THRESHOLD);
        Progress {
            active,
            label: label.to_string(),
            total,
            done: 0,
            start: now,
            last: now,
            drawn: false,
        }
    }

    /// `n` more input bytes processed.
    pub fn advance(&mut self, n: u64) {
        self.done += n;
        if !self.active || self.done < THRESHOLD {
            return;
        }
        let now = Instant::now();
        if self.drawn && now.duration_since(self.last) < REDRAW {
            return;
        }
        self.last = now;
        self.draw(now);
    }

    fn draw(&mut self, now: Instant) {
        let secs = now.duration_since(self.start).as_secs_f64().max(1e-6);
        let rate = self.done as f64 / secs;
        let mut line = format!("{}: {}", self.label, human(self.done));
        if let Some(t) = self.total {
            let pct = if t == 0 {
                100.0
            } else {
                self.done as f64 * 100.0 / t as f64
            };
            line.push_str(&format!(" / {} ({pct:.0}%)", human(t)));
        }
        line.push_str(&format!(", {}/s", human(rate as u64)));
        if let Some(t) = self.total {
            if rate > 0.0 && t > self.done {
                let eta = ((t - self.done) as f64 / rate).round() as u64;
                line.push_str(&format!(", ETA {}:{:02}", eta / 60, eta % 60));
            }
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Remove the line.
    pub fn finish(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `1234567` → `1.18 MiB`.
pub fn human(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.2} {}", UNITS[u])
    }
}
