//! The `declic` command.

fn main() -> std::process::ExitCode {
    declic::main()
}
