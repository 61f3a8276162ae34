//! The `escalate` command line: parse arguments, dispatch, map errors to exit codes.

fn main() -> std::process::ExitCode {
    escalate::cli::main()
}
