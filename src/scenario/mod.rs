//! Scenarios: the RON schema, built-in data, loading, validation and diagnostics.

pub mod builtin;
pub mod diagnostic;
pub mod load;
pub mod locate;
pub mod open;
pub mod schema;
pub mod validate;
pub mod validated;
pub mod variant;

pub use load::{LoadError, Loaded};
pub use open::{load_bytes, load_file, load_str};
pub use validated::Scenario;
