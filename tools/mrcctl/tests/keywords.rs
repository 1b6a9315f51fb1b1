//! The keyword syntax as users meet it, run as a binary: a wrong command
//! line is a usage error (exit 2) whose message names the keyword at
//! fault; it is found before netlink is opened, so these run without
//! mrc.ko.

use std::process::{Command, Output};

fn mrcctl(line: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mrcctl"))
        .args(line.split_whitespace())
        .output()
        .unwrap()
}

/// `line` exits 2 with `text` in its message and nothing on stdout.
fn usage(line: &str, text: &str) {
    let out = mrcctl(line);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{line}: {stderr}");
    assert!(stderr.contains(text), "{line}: {stderr}");
    assert!(out.stdout.is_empty(), "{line}");
}

#[test]
fn an_unknown_keyword_is_named_with_the_valid_ones() {
    usage(
        "ev-fmt add 1 mode stev widht 16",
        "mrcctl: unknown keyword \"widht\" (valid: mode { udp | stev | srv6 | srv6-srh }, \
         widths W1,W2,...)",
    );
    usage(
        "cc-profile set 5 link-rate 1",
        "unknown keyword \"link-rate\"",
    );
    usage(
        "monitor cont 3",
        "unknown keyword \"cont\" (valid: count N)",
    );
}

#[test]
fn the_gnu_flags_are_gone() {
    usage("ev-fmt add 1 --mode stev --widths 16,16", "--mode");
    usage("ev-fmt set 1 --state offline", "--state");
    usage("ev set 2 1 --state denied", "--state");
    usage("probe ::1 --ev-profile 2", "--ev-profile");
    usage("ev expand --mode udp --fmt-fields 16 --ev 0", "--mode");
}

#[test]
fn a_keyword_needs_its_value_and_comes_once() {
    usage(
        "ev-profile add 2 mode explicit count",
        "\"count\" needs a value: count N",
    );
    usage(
        "probe ::1 timeout 3 timeout 4",
        "\"timeout\" is given twice",
    );
}

#[test]
fn a_bad_value_names_its_keyword() {
    usage(
        "ev-fmt add 1 mode ipx",
        "mode: 'ipx': expected one of udp, stev, srv6, srv6-srh",
    );
    usage(
        "ev-profile add 2 events good,bad",
        "events: 'bad': expected one of assumed-bad, good",
    );
    usage(
        "cc-profile add 5 disable-qa true",
        "disable-qa: 'true': expected on or off",
    );
    usage("cc-profile add 5 base-rtt 10 ms", "unknown keyword \"ms\"");
    usage(
        "ev-profile add 2 field width=8,foo=1",
        "field: unknown key 'foo'",
    );
    usage("ev set 2 1 value 12g4", "value: 'g' is not a hex digit");
    usage("ev-fmt add 0 mode udp", "ids start at 1");
}

#[test]
fn set_takes_a_state_alone_or_a_change() {
    usage(
        "ev-fmt set 1 state offline mode stev",
        "\"state\" goes alone, without \"mode\"",
    );
    usage(
        "ev-profile set 2 count 4 state online",
        "\"state\" goes alone, without \"count\"",
    );
    usage("ev-fmt set 1", "nothing to set: give state");
    usage(
        "ev-fmt set 1 state up",
        "state: 'up': expected one of init, offline, online",
    );
    usage(
        "ev set 2 1",
        "nothing to set: give state { good | denied } or value HEX",
    );
}

#[test]
fn show_keywords_need_an_id() {
    usage("ev-profile show max-evs 3", "'max-evs'");
    usage(
        "ev-fmt show 1 max-evs 3",
        "unknown keyword \"max-evs\" (it takes none)",
    );
}

#[test]
fn a_commands_help_lists_its_keywords() {
    let out = mrcctl("ev-fmt set --help");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains(
            "Keywords:\n  mode { udp | stev | srv6 | srv6-srh }\n  widths W1,W2,...\n  \
             state { init | offline | online }"
        ),
        "{stdout}"
    );
    let out = mrcctl("probe --help");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("  ev INDEX ...\n"), "{stdout}");
}
