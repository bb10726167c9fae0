//! What the binary's tests share: free ports and processes that end with the test.

// Each test binary includes this module and uses a part of it.
#![allow(dead_code)]

use std::process::{Child, Output};

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A process that is killed when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The token `token create` printed (its last line).
pub fn printed_token(output: &Output) -> String {
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    stdout.lines().last().unwrap().trim().to_owned()
}
