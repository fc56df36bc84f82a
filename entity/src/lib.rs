//! SeaORM models of Delivery Desk and the enums stored in their columns.
//!
//! Nothing but persistence shapes lives here: rules about which status may follow
//! which, health and scoping are in the server's `domain` module.

pub mod acceptance;
pub mod acceptance_criterion;
pub mod action_item;
pub mod change_request;
pub mod client;
pub mod contact;
pub mod contract;
pub mod document;
pub mod enums;
pub mod escalation_level;
pub mod event;
pub mod follow_up;
pub mod interaction;
pub mod kickoff_obligation;
pub mod mail_unsubscribe;
pub mod meeting;
pub mod milestone_rating;
pub mod negotiation_round;
pub mod negotiation_term;
pub mod outbox_message;
pub mod project;
pub mod proposal_feedback;
pub mod proposal_review;
pub mod proposal_version;
pub mod report;
pub mod report_read;
pub mod requirement;
pub mod requirement_sheet;
pub mod risk;
pub mod service_level_policy;
pub mod service_level_target;
pub mod stage;
pub mod survey;
pub mod survey_answer;
pub mod survey_client;
pub mod team_member;
pub mod ticket;
pub mod ticket_clock;
pub mod ticket_comment;
pub mod ticket_escalation;
pub mod user;
pub mod webhook_delivery;
pub mod webhook_endpoint;

pub use enums::*;
