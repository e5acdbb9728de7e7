//! Writes the demo plan's financial model as a workbook, as Footprint offers it for download:
//! the fuzzer's starting point for the XLSX import (`bench/reliability/fuzz.sh`).
//!
//!   write_demo_workbook OUT.xlsx

fn main() {
    let out = std::env::args().nth(1).expect("usage: write_demo_workbook OUT.xlsx");
    let text = include_str!("../../../data/demo/northshire-and-eastvale.toml");
    let model: serde_json::Value = toml::from_str(text).expect("the demo plan");
    let bytes = footprint_xlsx::write_model(&model).expect("a workbook");
    std::fs::write(&out, bytes).expect("write the workbook");
}
