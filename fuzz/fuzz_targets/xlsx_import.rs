//! The financial model import on arbitrary bytes as an XLSX workbook: it must refuse what it
//! cannot read with the problems named (never panic).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problems) = footprint_xlsx::read_model(data) {
        assert!(!problems.is_empty(), "a refusal says why");
    }
});
