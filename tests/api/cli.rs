//! The command line: development tokens and configuration errors.

use std::process::Command;

use delivery_desk::auth::{Caller, StaffRole, token::TokenKeys};

const SECRET: &str = "a cli test secret of at least 32 bytes";

fn run(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_delivery-desk"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("JWT_SECRET");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn the_token_command_mints_a_token_the_server_accepts() {
    let out = run(
        &["token", "--role", "staff", "--user-id", "3"],
        &[("JWT_SECRET", SECRET)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    let keys = TokenKeys::hs256(SECRET.as_bytes(), "delivery-desk").unwrap();
    assert_eq!(
        keys.verify(token.trim()).unwrap(),
        Caller::Staff {
            user_id: 3,
            role: StaffRole::Staff
        }
    );

    let out = run(
        &["token", "--role", "client", "--contact-id", "1"],
        &[("JWT_SECRET", SECRET)],
    );
    assert!(
        !out.status.success(),
        "a client token without its client is refused"
    );
}

#[test]
fn a_bad_setting_is_named_and_stops_the_server() {
    let out = run(&["--database-url", "mysql://nope"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));
    let out = run(
        &["token", "--role", "admin", "--user-id", "1"],
        &[("JWT_SECRET", "short")],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("JWT_SECRET"));
}
