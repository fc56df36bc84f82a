//! Contracts in the graph: their steps to signature, and the policy they name. The portal
//! sees a contract once it is sent.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{ActorKind, ContractStatus, EntityKind, contract, service_level_policy};

use super::{
    client::Contact,
    delivery::{contact_of, events_of, project_of, user_of},
    event::Event,
    ids::{NodeKind, decode_as, encode},
    input::opt_id,
    loaders,
    project::{Money, MoneyInput, Project},
    seen,
    service_level::ServiceLevelPolicy,
    svc,
    user::User,
};
use crate::{
    auth::scope::Visible,
    domain::{
        contract::Step,
        input::{LONG, SHORT, opt_text, text},
    },
    service::{
        contracts::{self, Advance, NewContract},
        proposals::parse_json,
    },
};

/// A project's contract on its way from drafting to the archive.
pub struct Contract(pub Visible<contract::Model>);

#[Object]
impl Contract {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Contract, self.0.id)
    }
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// Null in the portal while the project keeps its value internal.
    async fn value(&self) -> Option<Money> {
        Some(Money::of(self.0.value_minor?, self.0.currency.clone()?))
    }
    async fn status(&self) -> ContractStatus {
        self.0.status
    }
    /// Since when it is in its status.
    async fn status_since(&self) -> DateTime<Utc> {
        self.0.status_at
    }
    /// Each step, oldest first, with who and when.
    async fn steps(&self) -> Result<Vec<ContractStep>> {
        let steps: Vec<Step> = parse_json("contract steps", &self.0.steps)?;
        Ok(steps
            .into_iter()
            .map(|s| ContractStep {
                status: s.status,
                at: s.at,
                actor_kind: s.actor_kind,
                user_id: (s.actor_kind == ActorKind::User)
                    .then_some(s.actor_id)
                    .flatten(),
                note: s.note,
            })
            .collect())
    }
    /// The client's signatory.
    async fn client_signer(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        contact_of(ctx, self.0.client_signer_id).await
    }
    /// The day it was countersigned.
    async fn signed_on(&self) -> Option<NaiveDate> {
        self.0.signed_on
    }
    /// The policy of the after-sales terms; null: the default policy.
    async fn service_level_policy(&self, ctx: &Context<'_>) -> Result<Option<ServiceLevelPolicy>> {
        let Some(id) = self.0.service_level_policy_id else {
            return Ok(None);
        };
        Ok(loaders::one::<service_level_policy::Entity>(ctx, id)
            .await?
            .map(ServiceLevelPolicy))
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        events_of(ctx, EntityKind::Contract, self.0.id, last).await
    }
}

/// One step of a contract.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ContractStep {
    status: ContractStatus,
    at: DateTime<Utc>,
    actor_kind: ActorKind,
    #[graphql(skip)]
    user_id: Option<i64>,
    note: Option<String>,
}

#[async_graphql::ComplexObject]
impl ContractStep {
    /// The member of staff who took the step (null for the system).
    async fn by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.user_id).await
    }
}

#[derive(InputObject)]
pub struct DraftContractInput {
    project_id: ID,
    number: String,
    value: MoneyInput,
    /// The policy of the after-sales terms; defaults to the presented proposal's.
    service_level_policy_id: Option<ID>,
    /// Hide the value from the client's portal; defaults to the project's setting.
    value_internal: Option<bool>,
}

#[derive(Default)]
pub struct ContractMutation;

fn contract_id(id: &ID) -> async_graphql::Result<i64> {
    Ok(decode_as("id", id, NodeKind::Contract)?)
}

#[Object]
impl ContractMutation {
    /// Legal starts drafting the contract of a project not yet signed.
    async fn draft_contract(
        &self,
        ctx: &Context<'_>,
        input: DraftContractInput,
    ) -> Result<Contract> {
        let new = NewContract {
            project_id: decode_as("projectId", &input.project_id, NodeKind::Project)?,
            number: text("number", &input.number, SHORT)?,
            value: input.value.parse()?,
            service_level_policy_id: opt_id(
                "serviceLevelPolicyId",
                input.service_level_policy_id.as_ref(),
                NodeKind::ServiceLevelPolicy,
            )?,
            value_internal: input.value_internal,
        };
        let row = contracts::draft(svc(ctx)?, new).await?;
        Ok(Contract(seen(ctx, row)?))
    }

    /// Moves a contract one step (see the transition table). CLIENT_SIGNED names the
    /// client's signatory; COUNTERSIGNED signs the project (CONTRACT_SIGNED) at once.
    async fn advance_contract(
        &self,
        ctx: &Context<'_>,
        id: ID,
        to: ContractStatus,
        client_signer_id: Option<ID>,
        note: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<Contract> {
        let a = Advance {
            to,
            client_signer_id: opt_id(
                "clientSignerId",
                client_signer_id.as_ref(),
                NodeKind::Contact,
            )?,
            note: opt_text("note", note.as_deref(), LONG)?,
        };
        let (row, _) =
            contracts::advance(svc(ctx)?, contract_id(&id)?, a, expected_version).await?;
        Ok(Contract(seen(ctx, row)?))
    }

    /// Names the service-level policy of the contract (null: the default). A signed
    /// project's open tickets are re-targeted at once.
    async fn set_contract_service_level_policy(
        &self,
        ctx: &Context<'_>,
        id: ID,
        policy_id: Option<ID>,
        expected_version: Option<i32>,
    ) -> Result<Contract> {
        let policy = opt_id("policyId", policy_id.as_ref(), NodeKind::ServiceLevelPolicy)?;
        let row =
            contracts::set_policy(svc(ctx)?, contract_id(&id)?, policy, expected_version).await?;
        Ok(Contract(seen(ctx, row)?))
    }
}
