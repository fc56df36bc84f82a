//! Pure rules of the delivery domain: no I/O, unit-tested.

pub mod calendar;
pub mod input;
pub mod money;
pub mod requirement;
pub mod risk;
pub mod service_level;
pub mod status;
