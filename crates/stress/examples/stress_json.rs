//! The engine's whole run as `footprint stress PLAN --format json` and
//! `footprint stress --national DIR --format json` do it (read the files, run, write the pretty
//! JSON to stdout), without the web crates, so that a build of an older commit for comparison
//! takes a minute: `bench/engine-ab.sh` alternates two such builds.
//!
//!     stress_json PLAN|DIR [SAMPLES]
//!
//! File names are given to the engine as the command gives them (the path as written, joined
//! with the directory), so that the random streams and the output are the command's own.

use footprint_stress::{RunOptions, parse_national, parse_plan, run_national, run_plan};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(target) = args.get(1) else {
        return Err("usage: stress_json PLAN|DIR [SAMPLES]".into());
    };
    let samples = args.get(2).map(|s| s.parse::<u64>()).transpose()?;
    let opts = RunOptions {
        samples,
        ..Default::default()
    };
    let path = std::path::Path::new(target);
    let mut json = if path.is_dir() {
        let national_path = path.join("national.toml");
        let national = std::fs::read_to_string(&national_path)?;
        let mut plans = Vec::new();
        for entry in std::fs::read_dir(path)? {
            let p = entry?.path();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if name != "national.toml" && (name.ends_with(".toml") || name.ends_with(".json")) {
                plans.push((p.display().to_string(), std::fs::read_to_string(&p)?));
            }
        }
        let input = parse_national(&national_path.display().to_string(), &national, &plans)?;
        serde_json::to_string_pretty(&run_national(&input, &opts)?)?
    } else {
        let plan = parse_plan(&std::fs::read_to_string(path)?, target)?;
        serde_json::to_string_pretty(&run_plan(&plan, &opts)?)?
    };
    json.push('\n');
    use std::io::Write;
    std::io::stdout().write_all(json.as_bytes())?;
    Ok(())
}
