//! `viewer`: who is calling, as the server sees the token (the GraphQL convention pages
//! and clients use to know who they are, instead of decoding the token themselves).

use async_graphql::{Context, Enum, Object, Result};
use entity::{client, contact, user};

use super::{client::Client, client::Contact, loaders, user::User};
use crate::auth::{Caller, StaffRole};

/// The caller's role, as its token grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ViewerRole {
    Admin,
    Staff,
    StaffReadonly,
    Client,
}

/// The caller of a request.
pub struct Viewer(Caller);

#[Object]
impl Viewer {
    async fn role(&self) -> Option<ViewerRole> {
        match &self.0 {
            Caller::Staff { role, .. } => Some(match role {
                StaffRole::Admin => ViewerRole::Admin,
                StaffRole::Staff => ViewerRole::Staff,
                StaffRole::ReadOnly => ViewerRole::StaffReadonly,
            }),
            Caller::Contact { .. } => Some(ViewerRole::Client),
            Caller::System | Caller::Anonymous => None,
        }
    }
    /// The staff member, for a staff token.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Caller::Staff { user_id, .. } = &self.0 else {
            return Ok(None);
        };
        Ok(loaders::one::<user::Entity>(ctx, *user_id).await?.map(User))
    }
    /// The client's contact, for a portal token.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let Caller::Contact { contact_id, .. } = &self.0 else {
            return Ok(None);
        };
        Ok(loaders::one::<contact::Entity>(ctx, *contact_id)
            .await?
            .map(Contact))
    }
    /// The client whose portal this is, for a portal token.
    async fn client(&self, ctx: &Context<'_>) -> Result<Option<Client>> {
        let Caller::Contact { client_id, .. } = &self.0 else {
            return Ok(None);
        };
        Ok(loaders::selected_one::<client::Entity>(ctx, *client_id)
            .await?
            .map(Client))
    }
}

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who is calling: the role, and the staff member or the client's contact.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        Ok(Viewer(ctx.data::<Caller>()?.clone()))
    }
}
