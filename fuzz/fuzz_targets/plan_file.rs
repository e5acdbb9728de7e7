//! The stress-model plan parser on arbitrary text, as TOML and as JSON: it must refuse what it
//! cannot read with errors (never panic), and a plan it accepts must run.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["plan.toml", "plan.json"] {
        match footprint_stress::engine::parse_plan(text, name) {
            Ok(plan) => {
                let opts = footprint_stress::engine::RunOptions {
                    samples: Some(1000),
                    seed: Some(1),
                    threads: Some(1),
                    ..Default::default()
                };
                let result = footprint_stress::engine::run_plan(&plan, &opts).expect("an accepted plan runs");
                // Every number in the result is one JSON can carry.
                serde_json::to_string(&result).expect("the result as JSON");
            }
            Err(e) => assert!(!e.errors.is_empty(), "a refusal says why"),
        }
    }
});
