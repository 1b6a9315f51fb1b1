//! `mrcctl ev expand`, run as a binary: text and JSON output, exit codes.

use std::process::{Command, Output};

fn mrcctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mrcctl"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

const STEV: [&str; 9] = [
    "ev",
    "expand",
    "mode",
    "stev",
    "widths",
    "16,16",
    "field",
    "width=16,init=0x0,min=0x0,max=0x0,mask=0xffff",
    "ev",
];

fn stev(ev: &str, flags: &[&str]) -> Output {
    let mut args: Vec<&str> = flags.to_vec();
    args.extend(STEV);
    args.push(ev);
    mrcctl(&args)
}

#[test]
fn text_output_is_64_hex_digits() {
    let out = stev("1234", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("1234{}\n", "0".repeat(60)));
}

#[test]
fn json_and_pretty_json() {
    let want = format!("1234{}", "0".repeat(60));
    let out = stev("0x1234", &["-j"]);
    assert_eq!(stdout(&out), format!("{{\"expanded\":\"{want}\"}}\n"));
    let out = stev("1234", &["-p"]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        format!("{{\n  \"expanded\": \"{want}\"\n}}\n")
    );
}

#[test]
fn srv6_usid_container() {
    let out = mrcctl(&[
        "ev",
        "expand",
        "mode",
        "srv6",
        "widths",
        "32,16,16,16,16,16,16",
        "field",
        "width=32,init=0xfcbb0000",
        "field",
        "width=16,init=0x10,min=1,max=4,mask=0xf",
        "field",
        "width=16,init=0xb",
        "field",
        "width=16,init=0xc",
        "ev",
        "3",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("fcbb00000013000b000c{}\n", "0".repeat(44))
    );
}

#[test]
fn stray_ev_bits_exit_1() {
    let out = stev("123401", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("EV bits set past"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn invalid_profile_exit_1_naming_the_rule() {
    let out = mrcctl(&[
        "ev",
        "expand",
        "mode",
        "udp",
        "widths",
        "16",
        "field",
        "width=8,max=8,mask=0x7",
        "ev",
        "00",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("max_val must fit in popcount(mask) bits"),
        "{}",
        stderr(&out)
    );
    let out = mrcctl(&["ev", "expand", "mode", "udp", "widths", "16,16", "ev", "00"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("on-wire EV width"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(mrcctl(&[]).status.code(), Some(2));
    assert_eq!(mrcctl(&["ev", "explode"]).status.code(), Some(2));
    assert_eq!(stev("12zz", &[]).status.code(), Some(2));
    assert_eq!(stev(&"1".repeat(65), &[]).status.code(), Some(2));
    let out = mrcctl(&["ev", "expand", "mode", "ipx", "widths", "16", "ev", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let out = mrcctl(&[
        "ev", "expand", "mode", "udp", "widths", "16", "field", "mask=1", "ev", "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("width=N is required"));
}
