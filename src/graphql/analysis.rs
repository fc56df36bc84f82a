//! Requirement analysis in the graph (DOMAIN, step 2): each requirement's estimate, and a
//! project's analysis report. The vendor's estimates: null in the portal.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{Feasibility, RequirementCategory, RequirementNature, requirement};

use super::{
    delivery::{Requirement, user_of},
    ids::{NodeKind, decode_as},
    loaders,
    project::{Money, MoneyInput},
    seen,
    sets::RequirementsOfProject,
    svc,
    user::User,
};
use crate::{
    auth::Scope,
    domain::{
        input::{LONG, opt_text},
        requirement::{Totals, effort_tenths, totals},
    },
    service::requirements::{self, Analysis},
};

/// One requirement's analysis: what it is, what it takes, who said so.
pub struct RequirementAnalysis {
    nature: RequirementNature,
    effort_tenth_days: Option<i32>,
    cost: Option<Money>,
    resources: Option<String>,
    analysed_by: Option<i64>,
    analysed_at: Option<DateTime<Utc>>,
}

impl RequirementAnalysis {
    /// The analysis of `r`, if it has one (redacted rows have none).
    pub fn of(r: &requirement::Model) -> Option<Self> {
        Some(Self {
            nature: r.nature?,
            effort_tenth_days: r.effort_tenth_days,
            cost: r
                .cost_minor
                .zip(r.cost_currency.clone())
                .map(|(minor, currency)| Money::of(minor, currency)),
            resources: r.resources.clone(),
            analysed_by: r.analysed_by,
            analysed_at: r.analysed_at,
        })
    }
}

fn person_days(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

#[Object]
impl RequirementAnalysis {
    async fn nature(&self) -> RequirementNature {
        self.nature
    }
    /// Estimated effort in person-days (tenths).
    async fn effort_person_days(&self) -> Option<f64> {
        self.effort_tenth_days.map(|t| person_days(i64::from(t)))
    }
    async fn cost(&self) -> Option<&Money> {
        self.cost.as_ref()
    }
    /// The people, skills or equipment it needs.
    async fn resources(&self) -> Option<&str> {
        self.resources.as_deref()
    }
    async fn analysed_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.analysed_by).await
    }
    async fn analysed_at(&self) -> Option<DateTime<Utc>> {
        self.analysed_at
    }
}

/// Effort and cost added up.
#[derive(SimpleObject)]
pub struct AnalysisTotals {
    requirements: i32,
    effort_person_days: f64,
    /// One amount per currency used.
    cost: Vec<Money>,
    /// Requirements with neither an effort nor a cost estimate.
    unestimated: i32,
}

impl AnalysisTotals {
    fn of(t: Totals, count: usize) -> Self {
        Self {
            requirements: i32::try_from(count).unwrap_or(i32::MAX),
            effort_person_days: person_days(t.effort_tenth_days),
            cost: t.cost.into_iter().map(|(c, m)| Money::of(m, c)).collect(),
            unestimated: i32::try_from(t.unestimated).unwrap_or(i32::MAX),
        }
    }
}

/// The requirements of one category.
#[derive(SimpleObject)]
pub struct CategoryGroup {
    category: RequirementCategory,
    requirements: Vec<Requirement>,
}

/// A project's requirement analysis report, in one query.
#[derive(SimpleObject)]
pub struct RequirementAnalysisReport {
    /// Core, expected, potential: each with its requirements.
    by_category: Vec<CategoryGroup>,
    /// Requirements not fully feasible, each with its alternative.
    not_fully_feasible: Vec<Requirement>,
    in_scope: AnalysisTotals,
    out_of_scope: AnalysisTotals,
}

/// The report of `project_id`; null in the portal.
pub async fn report_of(
    ctx: &Context<'_>,
    project_id: i64,
) -> Result<Option<RequirementAnalysisReport>> {
    if super::scope(ctx)? != Scope::All {
        return Ok(None);
    }
    let rows = loaders::children_by_id(ctx, project_id, RequirementsOfProject).await?;
    let (inside, outside) = totals(rows.iter().map(|r| &**r));
    let in_count = rows.iter().filter(|r| r.in_scope).count();
    let by_category = [
        RequirementCategory::Core,
        RequirementCategory::Expected,
        RequirementCategory::Potential,
    ]
    .into_iter()
    .map(|category| CategoryGroup {
        category,
        requirements: rows
            .iter()
            .filter(|r| r.category == category)
            .cloned()
            .map(Requirement)
            .collect(),
    })
    .collect();
    Ok(Some(RequirementAnalysisReport {
        by_category,
        not_fully_feasible: rows
            .iter()
            .filter(|r| r.feasibility != Feasibility::Feasible)
            .cloned()
            .map(Requirement)
            .collect(),
        in_scope: AnalysisTotals::of(inside, in_count),
        out_of_scope: AnalysisTotals::of(outside, rows.len() - in_count),
    }))
}

#[derive(InputObject)]
pub struct AnalyseRequirementInput {
    nature: RequirementNature,
    /// In person-days, to a tenth (1.5).
    effort_person_days: Option<f64>,
    cost: Option<MoneyInput>,
    resources: Option<String>,
}

#[derive(Default)]
pub struct AnalysisMutation;

#[Object]
impl AnalysisMutation {
    /// Records a requirement's analysis (replacing the previous one): the caller as the
    /// analyst, now as the time.
    async fn analyse_requirement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: AnalyseRequirementInput,
        expected_version: Option<i32>,
    ) -> Result<Requirement> {
        let id = decode_as("id", &id, NodeKind::Requirement)?;
        let a = Analysis {
            nature: input.nature,
            effort_tenth_days: input.effort_person_days.map(effort_tenths).transpose()?,
            cost: input.cost.map(MoneyInput::parse).transpose()?,
            resources: opt_text("resources", input.resources.as_deref(), LONG)?,
        };
        let row = requirements::analyse(svc(ctx)?, id, a, expected_version).await?;
        Ok(Requirement(seen(ctx, row)?))
    }
}
