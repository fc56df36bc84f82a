//! Pure rules of the delivery domain: no I/O, unit-tested.

pub mod acceptance;
pub mod action_item;
pub mod calendar;
pub mod contact;
pub mod contract;
pub mod document;
pub mod escalation;
pub mod follow_up;
pub mod health;
pub mod input;
pub mod interaction;
pub mod kickoff;
pub mod meeting;
pub mod milestone;
pub mod money;
pub mod negotiation;
pub mod pipeline;
pub mod proposal;
pub mod report;
pub mod report_schedule;
pub mod requirement;
pub mod risk;
pub mod satisfaction;
pub mod service_level;
pub mod status;
pub mod survey;
