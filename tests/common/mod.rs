//! What the `brine` binary's tests share: running it (with or without stdin), reading its exit
//! code and output, and scratch folders.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `brine args...` with no stdin.
pub fn brine(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brine"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Runs `brine args...` with `input` on its stdin.
pub fn brine_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_brine"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

/// The exit code; a process killed by a signal (a crash, an abort) fails the test.
pub fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {out:?}"))
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts that the run succeeded and returns its stdout.
pub fn success(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "brine {args:?} failed ({}): {}",
        out.status,
        text(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `brine args...`, asserts success and returns its stdout.
pub fn stdout_ok(args: &[&str]) -> String {
    success(args, brine(args))
}

/// A path as `&str`, for argument lists.
pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A scratch folder removed at the end of the test; derefs to its path.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// An empty folder named after the test and this process.
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("brine-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes `data` to `name` in the folder and returns its path.
    pub fn file(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }
}

impl Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
