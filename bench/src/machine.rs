//! What the figures were measured on.

use std::process::Command;

/// The machine and build a report was made on.
#[derive(Debug, Clone)]
pub struct Machine {
    /// CPU model name from `/proc/cpuinfo` (or the architecture when unknown).
    pub cpu_model: String,
    /// Logical CPUs available to this process.
    pub cpus: usize,
    /// Run-time detected CPU features that matter to the backends, with whether each is present.
    pub features: Vec<(&'static str, bool)>,
    /// The codec `Backend::Auto` picks.
    pub auto_codec: String,
    /// Every backend: name, available or why not, levels.
    pub backends: Vec<String>,
    /// Kernel release.
    pub os: String,
    /// `lz4 --version` of the `lz4` tool on the PATH, if any.
    pub lz4_tool: Option<String>,
}

impl Machine {
    /// Looks at this machine.
    pub fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name") || l.starts_with("Model"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let backends = lz4framed::backends()
            .into_iter()
            .map(|b| {
                if b.available {
                    format!(
                        "{} ({}, levels {}..={})",
                        b.backend,
                        b.name,
                        b.levels.start(),
                        b.levels.end()
                    )
                } else {
                    format!(
                        "{} (unavailable: {})",
                        b.backend,
                        b.unavailable_reason.unwrap_or("?")
                    )
                }
            })
            .collect();
        Machine {
            cpu_model,
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            features: features(),
            auto_codec: lz4framed::Backend::Auto
                .codec()
                .map_or_else(|e| format!("none ({e})"), |c| c.name().to_string()),
            backends,
            os: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| format!("{} {}", std::env::consts::OS, s.trim()))
                .unwrap_or_else(|_| std::env::consts::OS.to_string()),
            lz4_tool: Command::new("lz4")
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| {
                    let s = String::from_utf8_lossy(&o.stdout).into_owned()
                        + &String::from_utf8_lossy(&o.stderr);
                    s.trim().trim_matches('*').trim().to_string()
                }),
        }
    }

    /// The machine as a markdown bullet list.
    pub fn markdown(&self) -> String {
        let feats: Vec<String> = self
            .features
            .iter()
            .map(|(f, on)| format!("{f} {}", if *on { "yes" } else { "no" }))
            .collect();
        let mut s = String::new();
        s += &format!("- CPU: {} ({} logical CPUs)\n", self.cpu_model, self.cpus);
        s += &format!(
            "- Features: {}\n",
            if feats.is_empty() {
                "(none detected for this architecture)".to_string()
            } else {
                feats.join(", ")
            }
        );
        s += &format!("- OS: {}\n", self.os);
        s += &format!("- Backends: {}\n", self.backends.join("; "));
        s += &format!("- `Auto` picks: {}\n", self.auto_codec);
        s += &format!(
            "- lz4 tool: {}\n",
            self.lz4_tool.as_deref().unwrap_or("not found")
        );
        s
    }
}

#[cfg(target_arch = "x86_64")]
fn features() -> Vec<(&'static str, bool)> {
    vec![
        ("sse2", std::is_x86_feature_detected!("sse2")),
        ("ssse3", std::is_x86_feature_detected!("ssse3")),
        ("sse4.1", std::is_x86_feature_detected!("sse4.1")),
        ("avx2", std::is_x86_feature_detected!("avx2")),
        ("bmi2", std::is_x86_feature_detected!("bmi2")),
        ("avx512bw", std::is_x86_feature_detected!("avx512bw")),
    ]
}

#[cfg(target_arch = "aarch64")]
fn features() -> Vec<(&'static str, bool)> {
    vec![("neon", std::arch::is_aarch64_feature_detected!("neon"))]
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn features() -> Vec<(&'static str, bool)> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    #[test]
    fn describes_the_machine() {
        let m = super::Machine::detect();
        let md = m.markdown();
        assert!(md.contains("CPU: "));
        assert!(md.contains("`Auto` picks: "));
    }
}
