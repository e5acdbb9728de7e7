//! footprint-stress: the plan stress model of `specs/stress-model.md`.
//!
//! parse -> validate -> sample -> simulate -> summarise. Pure: no I/O beyond the text it is given.

pub mod compare;
pub mod correlate;
pub mod dist;
pub mod engine;
pub mod error;
pub mod flags;
pub mod model;
pub mod node;
pub mod plan;
pub mod result;
pub mod run;
pub mod sample;
pub mod special;
pub mod validate;

pub use engine::{
    DEFAULT_SAMPLES, FootprintDetail, NationalInput, RunOptions, parse_national, parse_plan, run_national, run_plan,
};
pub use error::{BadInput, InputError};
pub use flags::CheckSettings;
pub use plan::Plan;
pub use result::{NationalResult, StressResult};
