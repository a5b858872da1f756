//! The lz4framed command-line tool (being built).
fn main() {
    eprintln!("lz4framed: the command-line tool is not built yet");
    std::process::exit(1);
}
