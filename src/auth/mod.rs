//! Who is calling and what they may see and do.
//!
//! - [`Caller`]: the authenticated identity of a request, from its bearer token.
//! - [`token`]: JWT verification (HS256 secret, RS256/ES256 public key) and minting.
//! - [`departed`]: the portal gate of contacts who have left their client.
//! - [`scope`]: the one place that says which rows a customer-portal user may see.

pub mod caller;
pub mod departed;
pub mod scope;
pub mod token;

pub use caller::{Caller, Scope, StaffRole};
