//! The `footprint` commands as a user runs them: exit codes, whole outputs, clear errors.

use std::path::PathBuf;
use std::process::{Command, Output};

fn footprint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_footprint"))
        .args(args)
        .output()
        .expect("run footprint")
}

fn vectors(name: &str) -> String {
    format!("{}/../stress/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `footprint stress PATH --samples 1000 --format json`.
fn stress_json_1000(path: &std::path::Path) -> Output {
    footprint(&[
        "stress",
        path.to_str().unwrap(),
        "--samples",
        "1000",
        "--format",
        "json",
    ])
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("footprint-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn json_output_is_one_whole_result() {
    let out = footprint(&[
        "stress",
        &vectors("example.toml"),
        "--samples",
        "5000",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], 1);
    assert_eq!(v["samples"], 5000);
    assert_eq!(v["seed"], 2016);
    assert_eq!(v["gap"].as_array().unwrap().len(), 5);
}

#[test]
fn table_is_the_default_and_csv_has_a_row_per_statistic() {
    let out = footprint(&["stress", &vectors("example.toml"), "--samples", "2000"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Example Vale (fictional)"));
    assert!(text.contains("P(balance)"));
    assert!(text.contains("2020/21"));
    let out = footprint(&[
        "stress",
        &vectors("example.toml"),
        "--samples",
        "2000",
        "--format",
        "csv",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "footprint,quantity,year,statistic,value");
    // 3 quantities × 5 years × 10 statistics + 5 median-plan rows.
    assert_eq!(lines.len(), 1 + 150 + 5);
    assert!(lines[1].starts_with("Example Vale (fictional),gap,2016/17,mean,"));
}

#[test]
fn bad_file_exits_2_with_nothing_on_stdout() {
    let text = std::fs::read_to_string(vectors("example.toml"))
        .unwrap()
        .replace("max = 1.4 }", "max = 0.9 }");
    let path = temp_file("bad.toml", &text);
    let out = footprint(&["stress", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    let line = text.lines().position(|l| l.contains("max = 0.9 }")).unwrap() + 1;
    assert!(err.contains(&format!("bad.toml:{line}:")), "{err}");
    assert!(err.contains("initiative[1].cost_overrun.max"), "{err}");
    assert!(err.contains("no result was produced"), "{err}");
}

#[test]
fn missing_file_and_bad_options_exit_2() {
    let out = footprint(&["stress", "/nonexistent/plan.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));
    let out = footprint(&["stress", &vectors("example.toml"), "--samples", "10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("samples"));
    let out = footprint(&["stress", &vectors("example.toml"), "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = footprint(&["stress", &vectors("example.toml"), "--check", "savings-rate=lots"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn example_plan_is_a_valid_commented_plan() {
    let out = footprint(&["stress", "--example"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().filter(|l| l.trim_start().starts_with('#')).count() > 10);
    let path = temp_file("example.toml", &text);
    let out = stress_json_1000(&path);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn example_plan_as_json_runs_and_csv_is_refused() {
    let out = footprint(&["stress", "--example", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["format"], 1);
    let path = temp_file("example-plan.json", &String::from_utf8(out.stdout).unwrap());
    let out = stress_json_1000(&path);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = footprint(&["stress", "--example", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn results_that_overflow_and_files_that_are_not_plans_are_refused() {
    let text = std::fs::read_to_string(vectors("example.toml")).unwrap();
    let funding = text.lines().find(|l| l.trim_start().starts_with("funding =")).unwrap();
    let huge = text.replacen(funding, "funding = 1e308", 1);
    let path = temp_file("huge.toml", &huge);
    let out = stress_json_1000(&path);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("huge.toml") && err.contains("not a finite number"),
        "{err}"
    );
    let path = temp_file("plan.yaml", &text);
    let out = footprint(&["stress", path.to_str().unwrap(), "--samples", "1000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".toml or .json"));
    let path = temp_file("PLAN.TOML", &text);
    let out = footprint(&["stress", path.to_str().unwrap(), "--samples", "1000"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn national_mode_runs_a_directory() {
    let out = footprint(&[
        "stress",
        "--national",
        &vectors("national"),
        "--samples",
        "2000",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["footprints"].as_array().unwrap().len(), 2);
    assert_eq!(v["footprints"][0]["name"], "North Example (fictional)");
    assert_eq!(v["national"]["name"], "national");
    let out = footprint(&["stress", "--national", "/nonexistent-dir"]);
    assert_eq!(out.status.code(), Some(2));
    // Plan files are found whatever the case of their extension.
    let dir = std::env::temp_dir().join(format!("footprint-cli-national-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (from, to) in [
        ("national.toml", "national.toml"),
        ("north.toml", "north.toml"),
        ("south.toml", "south.TOML"),
    ] {
        std::fs::copy(vectors(&format!("national/{from}")), dir.join(to)).unwrap();
    }
    let out = footprint(&[
        "stress",
        "--national",
        dir.to_str().unwrap(),
        "--samples",
        "1000",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["footprints"].as_array().unwrap().len(), 2);
}

#[test]
fn threads_do_not_change_the_output() {
    let run = |t: &str| {
        footprint(&[
            "stress",
            &vectors("example.toml"),
            "--samples",
            "20000",
            "--threads",
            t,
            "--format",
            "json",
        ])
        .stdout
    };
    assert_eq!(run("1"), run("2"));
}

fn demo(path: &str) -> String {
    format!("{}/../../data/demo/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_shipped_demo_plans_run() {
    let out = footprint(&[
        "stress",
        &demo("northshire-and-eastvale.toml"),
        "--samples",
        "2000",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["name"].as_str().unwrap().contains("(fictional)"));
    assert!(v["tornado"].as_array().unwrap().len() > 40);
    let out = footprint(&[
        "stress",
        "--national",
        &demo("national"),
        "--samples",
        "2000",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let footprints = v["footprints"].as_array().unwrap();
    assert!(footprints.len() >= 4);
    assert!(
        footprints
            .iter()
            .all(|f| f["name"].as_str().unwrap().contains("(fictional)"))
    );
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn backup_restore_and_privacy_commands() {
    let dir = std::env::temp_dir().join(format!("footprint-cli-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = |name: &str| format!("sqlite://{}", dir.join(name).display());
    let file = |name: &str| dir.join(name).display().to_string();
    let a = db("a.db");
    let out = footprint(&[
        "user",
        "create",
        "--email",
        "Ada@Example.org",
        "--name",
        "Ada",
        "--database-url",
        &a,
    ]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    // A password reset is told to the person: printed here, with no SMTP relay.
    let out = footprint(&[
        "user",
        "reset-password",
        "--email",
        "ada@example.org",
        "--database-url",
        &a,
    ]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let out = footprint(&["digest", "--security-only", "--database-url", &a]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("To: ada@example.org") && stdout.contains("Your password was set on"),
        "{stdout}"
    );
    assert!(stderr.contains("1 security notices printed"), "{stderr}");
    let out = footprint(&[
        "user",
        "reset-two-factor",
        "--email",
        "ada@example.org",
        "--database-url",
        &a,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("two-factor sign-in is not on"),
        "{:?}",
        text(&out)
    );

    let out = footprint(&["backup", "--database-url", &a, &file("a.backup")]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("1 accounts"), "{stdout}");
    let out = footprint(&["backup", "--database-url", &a, &file("a.backup")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("already exists"));
    let out = footprint(&["backup", "--database-url", &db("missing.db"), &file("m.backup")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("there is no database"), "{:?}", text(&out));

    let b = db("b.db");
    let out = footprint(&["restore", "--database-url", &b, &file("a.backup")]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let out = footprint(&["restore", "--database-url", &b, &file("a.backup")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("--replace"));
    let out = footprint(&["restore", "--replace", "--database-url", &b, &file("a.backup")]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    std::fs::write(dir.join("notes.txt"), "not a backup").unwrap();
    let out = footprint(&["restore", "--replace", "--database-url", &b, &file("notes.txt")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("not a Footprint backup"));

    // The restored account, exported, then erased.
    let out = footprint(&["privacy", "export", "--email", "ada@example.org", "--database-url", &b]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["account"]["name"], "Ada");
    let out = footprint(&["privacy", "erase", "--email", "ada@example.org", "--database-url", &b]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("--yes"));
    let out = footprint(&[
        "privacy",
        "erase",
        "--email",
        "ada@example.org",
        "--yes",
        "--database-url",
        &b,
    ]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("1 accounts closed"));
    let out = footprint(&[
        "privacy",
        "erase",
        "--email",
        "ada@example.org",
        "--yes",
        "--database-url",
        &b,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("nothing is held"));
    let out = footprint(&["privacy", "export", "--email", "not-an-address", "--database-url", &b]);
    assert_eq!(out.status.code(), Some(2));
    let out = footprint(&["privacy", "export", "--database-url", &b]);
    assert_eq!(out.status.code(), Some(2), "a subject is required");
    let out = footprint(&["privacy", "retention", "--database-url", &b]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    // Export and import refuse what they cannot do, saying why.
    let out = footprint(&["export", "--footprint", "NOPE01", "--database-url", &b]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("no footprint with the code NOPE01"));
    let out = footprint(&[
        "export",
        "--footprint",
        "NOPE01",
        "--out",
        &file("notes.txt"),
        "--database-url",
        &b,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("already exists"));
    let out = footprint(&["import", &file("notes.txt"), "--database-url", &b]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("line 1, column 2: not JSON"), "{:?}", text(&out));
    std::fs::write(dir.join("other.json"), "{\"format\": \"spreadsheet\"}").unwrap();
    let out = footprint(&["import", &file("other.json"), "--database-url", &b]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("format: expected \"footprint-export\""),
        "{:?}",
        text(&out)
    );
    // The backup still holds the account the restore brought back.
    let out = footprint(&["privacy", "export", "--email", "ada@example.org", "--database-url", &a]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["account"]["active"], true);
    let _ = std::fs::remove_dir_all(&dir);
}
