//! Peak memory from the kernel's accounting (`/proc/self/status`), without touching the
//! allocator: the report measures streaming decoders in a child process of its own.

/// A `kB` field of `/proc/self/status` (e.g. `VmHWM`, `VmRSS`), in bytes.
pub fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        let kb: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kb * 1024)
    })
}

/// Peak resident set size of this process so far (`VmHWM`), in bytes.
pub fn peak_rss() -> Option<u64> {
    status_bytes("VmHWM")
}

/// Current resident set size (`VmRSS`), in bytes.
pub fn rss() -> Option<u64> {
    status_bytes("VmRSS")
}

/// Resets the peak RSS to the current RSS (writes `5` to `/proc/self/clear_refs`, Linux ≥ 4.0);
/// whether it worked.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc_status() {
        if std::path::Path::new("/proc/self/status").exists() {
            let peak = peak_rss().unwrap();
            assert!(peak > 0);
            assert!(rss().unwrap() <= peak);
        }
    }
}
