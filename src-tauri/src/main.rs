// No `windows_subsystem = "windows"`: the same binary is a CLI, which needs its console on Windows.

fn main() {
    std::process::exit(zongwu_desktop::cli::main());
}
