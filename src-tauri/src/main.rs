// No `windows_subsystem = "windows"`: the same binary is a CLI, which needs its console on Windows.

/// Bulk writes and merges allocate and free millions of small values; mimalloc takes a third
/// off a 100,000-row import against the system allocator (docs/benchmarks.md, "Bulk writes").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(zongwu_desktop::cli::main());
}
