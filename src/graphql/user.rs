//! The vendor's staff in the graph.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use entity::{Language, user};

use super::{
    ids::{NodeKind, decode_as, encode},
    input::{patch_text, set_text},
    loaders,
    pagination::{KeyKind, Page, Sort, paginate},
    scope, svc,
};
use crate::{
    domain::input::{SHORT, email, opt_text, text},
    service::users::{self, NewUser, UserPatch},
};

/// A member of the vendor's staff.
pub struct User(pub Visible<user::Model>);

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        encode(NodeKind::User, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The language of their e-mail.
    async fn language(&self) -> Language {
        self.0.language
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// Staff, by name.
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<User>> {
        svc(ctx)?.caller.require_staff_read()?;
        let sort = Sort {
            name: "name+",
            column: user::Column::Name,
            kind: KeyKind::Text,
            descending: false,
        };
        paginate(
            ctx,
            users::list(scope(ctx)?),
            user::Column::Id,
            sort,
            (first, after),
            User,
        )
        .await
    }

    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        let id = decode_as("id", &id, NodeKind::User)?;
        Ok(loaders::one::<user::Entity>(ctx, id).await?.map(User))
    }
}

#[derive(InputObject)]
pub struct CreateUserInput {
    name: String,
    email: String,
    title: Option<String>,
    /// The language of their e-mail (EN when not given).
    language: Option<Language>,
}

#[derive(InputObject)]
pub struct UpdateUserInput {
    name: Option<String>,
    email: Option<String>,
    title: MaybeUndefined<String>,
    active: Option<bool>,
    language: Option<Language>,
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let new = NewUser {
            name: text("name", &input.name, SHORT)?,
            email: email("email", &input.email)?,
            title: opt_text("title", input.title.as_deref(), SHORT)?,
            language: input.language.unwrap_or(Language::En),
        };
        Ok(User(super::seen(
            ctx,
            users::create(svc(ctx)?, new).await?,
        )?))
    }

    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateUserInput,
        expected_version: Option<i32>,
    ) -> Result<User> {
        let id = decode_as("id", &id, NodeKind::User)?;
        let p = UserPatch {
            name: set_text("name", input.name, SHORT)?,
            email: input.email.map(|e| email("email", &e)).transpose()?,
            title: patch_text("title", input.title, SHORT)?,
            active: input.active,
            language: input.language,
        };
        Ok(User(super::seen(
            ctx,
            users::update(svc(ctx)?, id, p, expected_version).await?,
        )?))
    }
}
