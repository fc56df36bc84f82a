//! A realistic demo data set, written through the services so that it has events too.
//!
//! Three clients, five staff, projects in every phase from lead to after-sales, with
//! requirements, stages, risks, reports and tickets, dated around today.

use chrono::{Days, NaiveDate, Utc};
use entity::{
    ClientSource, Feasibility, IntentLevel, InteractionKind, ProjectStatus, ReportKind,
    RequirementCategory, RiskCategory, RiskStatus, StageStatus, TeamRole, TicketChannel,
    TicketPriority, TicketStatus, TicketType, client, contact, user,
};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::{
    domain::report::Parts,
    domain::{interaction::NextStep, money::Money},
    error::{AppError, AppResult},
    service::{
        Caller, Ctx,
        clients::{self, NewClient, NewContact},
        interactions::{self, NewInteraction},
        projects::{self, NewProject},
        reports::{self, NewReport},
        requirements::{self, NewRequirement},
        risks::{self, NewRisk},
        stages::{self, NewStage},
        tickets::{self, NewTicket},
        users::{self, NewUser},
    },
};

fn day(offset: i64) -> NaiveDate {
    let today = Utc::now().date_naive();
    if offset >= 0 {
        today + Days::new(offset as u64)
    } else {
        today - Days::new(offset.unsigned_abs())
    }
}

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// Fills an empty database with the demo data set; refuses a database that has clients.
/// Whether the database has no client yet (the demo set fills only such a one).
pub async fn is_empty(db: &DatabaseConnection) -> AppResult<bool> {
    Ok(client::Entity::find().count(db).await? == 0)
}

/// What `demo` prints: links to GraphiQL and the board as the first staff member and as
/// the first client's first contact, each carrying a development token (in the URL's
/// fragment, which browsers never send to a server), and the token for curl.
pub async fn welcome(
    db: &DatabaseConnection,
    keys: &crate::auth::token::TokenKeys,
    base: &str,
) -> AppResult<String> {
    use crate::auth::token::Role;
    use sea_orm::QueryOrder;
    const TWELVE_HOURS: i64 = 12 * 3600;
    let staff = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Conflict("the database has no staff member".into()))?;
    let contact = contact::Entity::find()
        .order_by_asc(contact::Column::Id)
        .one(db)
        .await?;
    let mint = |sub: String, role, client| {
        keys.mint(sub, role, client, TWELVE_HOURS)
            .map_err(|e| AppError::Internal(e.into()))
    };
    let staff_token = mint(format!("user:{}", staff.id), Role::Admin, None)?;
    let mut out = format!(
        "\nDelivery Desk is running with the demo data (development tokens, valid 12 hours):\n\n\
         As {} (staff, administrator):\n  GraphiQL  {base}/graphiql#token={staff_token}\n  \
         Board     {base}/board#token={staff_token}\n",
        staff.name
    );
    if let Some(c) = contact {
        let client = client::Entity::find_by_id(c.client_id).one(db).await?;
        let token = mint(format!("contact:{}", c.id), Role::Client, Some(c.client_id))?;
        out.push_str(&format!(
            "\nAs {} ({}'s customer portal):\n  GraphiQL  {base}/graphiql#token={token}\n  \
             Board     {base}/board#token={token}\n",
            c.name,
            client.map_or_else(|| "a client".to_owned(), |c| c.name)
        ));
    }
    out.push_str(&format!(
        "\nFrom a shell:\n  export TOKEN={staff_token}\n  curl -s {base}/graphql -H 'content-type: application/json' \
         -H \"authorization: Bearer $TOKEN\" -d '{{\"query\":\"{{ viewer {{ role user {{ name }} }} }}\"}}'\n"
    ));
    Ok(out)
}

pub async fn demo(
    db: &DatabaseConnection,
    documents: &crate::documents::DocumentStore,
) -> AppResult<String> {
    if client::Entity::find().count(db).await? > 0 {
        return Err(AppError::Conflict(
            "the database already has clients; seed-demo fills only an empty one".into(),
        ));
    }
    let caller = Caller::System;
    let ctx = Ctx {
        db,
        caller: &caller,
        live: None,
        time: &crate::time::SYSTEM_TIME,
    };

    let mut staff = Vec::new();
    for (name, email, title) in [
        (
            "Wang Fang",
            "wang.fang@vendor.example",
            "Implementation manager",
        ),
        ("Li Wei", "li.wei@vendor.example", "Solutions engineer"),
        (
            "Chen Jing",
            "chen.jing@vendor.example",
            "Customer-success manager",
        ),
        (
            "Zhao Lei",
            "zhao.lei@vendor.example",
            "Sales representative",
        ),
        ("Sun Min", "sun.min@vendor.example", "Legal counsel"),
    ] {
        staff.push(
            users::create(
                ctx,
                NewUser {
                    name: name.into(),
                    email: email.into(),
                    title: s(title),
                    language: entity::Language::En,
                },
            )
            .await?
            .id,
        );
    }
    let [impl_mgr, engineer, csm, sales, legal] = staff[..] else {
        unreachable!("five staff were created")
    };

    let acme = clients::create(
        ctx,
        NewClient {
            name: "Hengtai Logistics".into(),
            industry: s("Logistics"),
            main_business: s("Cold-chain warehousing and regional distribution"),
            source: ClientSource::TradeShow,
            intent_level: IntentLevel::High,
            budget_range: s("CNY 1.5M - 2M"),
            decision_chain: s("CIO decides; operations director and procurement sign off"),
            key_needs: s(
                "Warehouse sensor network, live temperature dashboard, integration with the ERP",
            ),
            notes: None,
            first_contact_at: Some(Utc::now() - chrono::Duration::days(120)),
        },
    )
    .await?;
    let clinic = clients::create(
        ctx,
        NewClient {
            name: "Qingshan Medical Group".into(),
            industry: s("Healthcare"),
            main_business: s("Chain of outpatient clinics"),
            source: ClientSource::Referral,
            intent_level: IntentLevel::Medium,
            budget_range: s("CNY 600k - 800k"),
            decision_chain: s("COO decides; IT manager evaluates"),
            key_needs: s("Appointment system replacement, data migration"),
            notes: None,
            first_contact_at: Some(Utc::now() - chrono::Duration::days(60)),
        },
    )
    .await?;
    let school = clients::create(
        ctx,
        NewClient {
            name: "Riverside Vocational College".into(),
            industry: s("Education"),
            main_business: s("Vocational training"),
            source: ClientSource::Website,
            intent_level: IntentLevel::Low,
            budget_range: None,
            decision_chain: None,
            key_needs: s("Exploring a campus network upgrade next year"),
            notes: None,
            first_contact_at: Some(Utc::now() - chrono::Duration::days(10)),
        },
    )
    .await?;

    let zhang = clients::create_contact(
        ctx,
        NewContact {
            client_id: acme.id,
            name: "Zhang Hua".into(),
            title: s("CIO"),
            email: s("zhang.hua@hengtai.example"),
            phone: s("+86 21 5555 0101"),
            decision_role: Some(entity::DecisionRole::DecisionMaker),
            language: entity::Language::Zh,
        },
    )
    .await?;
    clients::create_contact(
        ctx,
        NewContact {
            client_id: acme.id,
            name: "Liu Yang".into(),
            title: s("Operations director"),
            email: s("liu.yang@hengtai.example"),
            phone: None,
            decision_role: Some(entity::DecisionRole::User),
            language: entity::Language::En,
        },
    )
    .await?;
    let he = clients::create_contact(
        ctx,
        NewContact {
            client_id: clinic.id,
            name: "He Jun".into(),
            title: s("IT manager"),
            email: s("he.jun@qingshan.example"),
            phone: s("+86 10 5555 0202"),
            decision_role: Some(entity::DecisionRole::Technical),
            language: entity::Language::Zh,
        },
    )
    .await?;
    clients::create_contact(
        ctx,
        NewContact {
            client_id: school.id,
            name: "Ma Li".into(),
            title: s("Head of IT"),
            email: s("ma.li@riverside.example"),
            phone: None,
            decision_role: Some(entity::DecisionRole::Influencer),
            language: entity::Language::En,
        },
    )
    .await?;

    let signed =
        |number: &str, amount: &str, start: i64, end: i64, client_id: i64, name: &str| NewProject {
            client_id,
            name: name.into(),
            description: None,
            contract_number: s(number),
            contract_value: Money::parse(amount, "CNY").ok(),
            contract_signed_on: Some(day(start - 5)),
            planned_start: Some(day(start)),
            planned_end: Some(day(end)),
            primary_owner_id: Some(impl_mgr),
            contract_value_internal: true,
        };

    // Execution, with a risk log and reports.
    let warehouse = projects::create(
        ctx,
        signed(
            "HT-2026-014",
            "1820000.00",
            -40,
            50,
            acme.id,
            "Cold-chain sensor network",
        ),
    )
    .await?;
    for (user, role) in [
        (engineer, TeamRole::Engineer),
        (csm, TeamRole::CustomerSuccessManager),
        (sales, TeamRole::Sales),
        (legal, TeamRole::Legal),
    ] {
        projects::add_team_member(ctx, warehouse.id, user, role).await?;
    }
    working_with_the_customer(ctx, documents, &warehouse, impl_mgr, engineer, &zhang).await?;
    for (title, cat, feas, alt, in_scope, note) in [
        (
            "Temperature sensors in all 12 cold rooms",
            RequirementCategory::Core,
            Feasibility::Feasible,
            None,
            true,
            None,
        ),
        (
            "Live temperature dashboard",
            RequirementCategory::Core,
            Feasibility::Feasible,
            None,
            true,
            None,
        ),
        (
            "ERP integration for stock movements",
            RequirementCategory::Expected,
            Feasibility::Partial,
            s("Nightly batch export instead of real time"),
            true,
            None,
        ),
        (
            "Historical data visualisation",
            RequirementCategory::Potential,
            Feasibility::Feasible,
            None,
            false,
            s("Phase one excludes data visualisation"),
        ),
    ] {
        requirements::create(
            ctx,
            NewRequirement {
                project_id: warehouse.id,
                title: title.into(),
                detail: None,
                category: cat,
                feasibility: feas,
                alternative: alt,
                in_scope,
                scope_note: note,
            },
        )
        .await?;
    }
    let mut plan = Vec::new();
    for (name, start, due, deliverables) in [
        (
            "Hardware delivered",
            -35,
            -20,
            "Sensors, gateways and racks on site",
        ),
        (
            "System integration done",
            -18,
            5,
            "Gateways reporting to the platform; ERP export running",
        ),
        (
            "Go-live training",
            6,
            20,
            "Two sessions for warehouse supervisors",
        ),
    ] {
        plan.push(
            stages::create(
                ctx,
                NewStage {
                    project_id: warehouse.id,
                    name: name.into(),
                    position: None,
                    owner_id: Some(engineer),
                    planned_start: Some(day(start)),
                    due_date: Some(day(due)),
                    deliverables: s(deliverables),
                },
            )
            .await?,
        );
    }
    for step in [StageStatus::InProgress, StageStatus::Done] {
        stages::change_status(ctx, plan[0].id, step, None).await?;
    }
    stages::change_status(ctx, plan[1].id, StageStatus::InProgress, None).await?;
    for to in [
        ProjectStatus::Requirements,
        ProjectStatus::Design,
        ProjectStatus::Execution,
    ] {
        projects::change_status(ctx, warehouse.id, to, None).await?;
    }
    let supplier = risks::create(
        ctx,
        NewRisk {
            project_id: warehouse.id,
            title: "Gateway supplier delay".into(),
            description: s("The gateway vendor announced a two-week backlog"),
            category: RiskCategory::SupplierDelay,
            likelihood: 4,
            impact: 4,
            owner_id: Some(impl_mgr),
            mitigation: s("Order from the backup supplier three days ahead"),
            contingency: s("Temporary LTE gateways"),
            shared_with_client: true,
        },
    )
    .await?;
    risks::change_status(ctx, supplier.id, RiskStatus::Mitigating, None).await?;
    risks::create(
        ctx,
        NewRisk {
            project_id: warehouse.id,
            title: "Client CIO may leave".into(),
            description: None,
            category: RiskCategory::KeyContactLeaving,
            likelihood: 2,
            impact: 5,
            owner_id: Some(csm),
            mitigation: s("Brief the operations director on every decision"),
            contingency: None,
            shared_with_client: false,
        },
    )
    .await?;
    reports::create(
        ctx,
        NewReport {
            project_id: warehouse.id,
            kind: ReportKind::Daily,
            parts: Parts {
                progress: s("Server deployment 80% done"),
                plan: s("the rest of the deployment"),
                next_by: Some(day(1)),
                ..Parts::default()
            },
            draft: false,
            progress_percent: 55,
            stage_id: None,
            author_id: Some(engineer),
        },
    )
    .await?;
    reports::create(
        ctx,
        NewReport {
            project_id: warehouse.id,
            kind: ReportKind::MilestoneReview,
            parts: Parts {
                body: s("All hardware delivered and inspected with the client; no defects."),
                ..Parts::default()
            },
            draft: false,
            progress_percent: 35,
            stage_id: Some(plan[0].id),
            author_id: Some(impl_mgr),
        },
    )
    .await?;

    // After-sales, with tickets.
    let appointments = projects::create(
        ctx,
        signed(
            "QS-2025-203",
            "720000.00",
            -200,
            -30,
            clinic.id,
            "Appointment system replacement",
        ),
    )
    .await?;
    for to in [
        ProjectStatus::Requirements,
        ProjectStatus::Design,
        ProjectStatus::Execution,
        ProjectStatus::Acceptance,
        ProjectStatus::AfterSales,
    ] {
        projects::change_status(ctx, appointments.id, to, None).await?;
    }
    let go_live = stages::create(
        ctx,
        NewStage {
            project_id: appointments.id,
            name: "Go-live".into(),
            position: None,
            owner_id: Some(engineer),
            planned_start: Some(day(-60)),
            due_date: Some(day(-35)),
            deliverables: s("All clinics on the new system"),
        },
    )
    .await?;
    for step in [StageStatus::InProgress, StageStatus::Done] {
        stages::change_status(ctx, go_live.id, step, None).await?;
    }
    let bug = tickets::create(
        ctx,
        NewTicket {
            project_id: appointments.id,
            title: "Reminder SMS sent twice".into(),
            description: s(
                "Patients of the east clinic receive every reminder twice since Monday.",
            ),
            ticket_type: TicketType::SoftwareBug,
            priority: TicketPriority::High,
            grade: Some(entity::TicketGrade::Major),
            channel: TicketChannel::Portal,
            assignee_id: Some(engineer),
            reporter_contact_id: Some(he.id),
        },
    )
    .await?;
    tickets::change_status(ctx, bug.id, TicketStatus::Acknowledged, None).await?;
    tickets::change_status(ctx, bug.id, TicketStatus::InProgress, None).await?;
    tickets::add_comment(
        ctx,
        bug.id,
        "Reproduced: the retry job runs on two nodes.".into(),
        true,
    )
    .await?;
    tickets::add_comment(
        ctx,
        bug.id,
        "We found the cause and will ship a fix today.".into(),
        false,
    )
    .await?;
    let question = tickets::create(
        ctx,
        NewTicket {
            project_id: appointments.id,
            title: "How to export last month's appointments?".into(),
            description: None,
            ticket_type: TicketType::UsageQuestion,
            priority: TicketPriority::Low,
            grade: None,
            channel: TicketChannel::Email,
            assignee_id: Some(csm),
            reporter_contact_id: Some(he.id),
        },
    )
    .await?;
    tickets::change_status(ctx, question.id, TicketStatus::Acknowledged, None).await?;
    tickets::change_status(ctx, question.id, TicketStatus::Resolved, None).await?;

    // Acceptance pending.
    let dashboards = projects::create(
        ctx,
        signed(
            "HT-2026-002",
            "260000.00",
            -90,
            -5,
            acme.id,
            "Operations dashboards",
        ),
    )
    .await?;
    for to in [
        ProjectStatus::Requirements,
        ProjectStatus::Design,
        ProjectStatus::Execution,
        ProjectStatus::Acceptance,
    ] {
        projects::change_status(ctx, dashboards.id, to, None).await?;
    }
    // Built and handed over; the client's acceptance test is under way.
    let mut built = None;
    for (name, start, due, deliverables, steps) in [
        (
            "Dashboards built",
            -80,
            -20,
            "Fleet, depot and on-time dashboards on the client's screens",
            &[StageStatus::InProgress, StageStatus::Done][..],
        ),
        (
            "User acceptance test",
            -15,
            3,
            "Signed acceptance of the three dashboards",
            &[StageStatus::InProgress][..],
        ),
    ] {
        let stage = stages::create(
            ctx,
            NewStage {
                project_id: dashboards.id,
                name: name.into(),
                position: None,
                owner_id: Some(engineer),
                planned_start: Some(day(start)),
                due_date: Some(day(due)),
                deliverables: s(deliverables),
            },
        )
        .await?;
        for step in steps {
            stages::change_status(ctx, stage.id, *step, None).await?;
        }
        built = built.or(Some(stage.id));
    }
    if let Some(stage) = built {
        crate::service::milestone_ratings::rate(
            ctx,
            stage,
            4,
            s("Clear dashboards; delivered a week late"),
            Some(zhang.id),
        )
        .await?;
    }
    // What the client checks at acceptance: the stages' deliverables, to pass or fail.
    crate::service::acceptance_criteria::draft(ctx, dashboards.id).await?;
    tickets::create(
        ctx,
        NewTicket {
            project_id: dashboards.id,
            title: "Add a night-shift view".into(),
            description: None,
            ticket_type: TicketType::ChangeRequest,
            priority: TicketPriority::Medium,
            grade: None,
            channel: TicketChannel::Phone,
            assignee_id: None,
            reporter_contact_id: Some(zhang.id),
        },
    )
    .await?;

    // Pre-contract: a lead and a proposal.
    projects::create(
        ctx,
        NewProject {
            client_id: school.id,
            name: "Campus network upgrade".into(),
            description: s("Early talks"),
            contract_number: None,
            contract_value: None,
            contract_signed_on: None,
            planned_start: None,
            planned_end: None,
            primary_owner_id: Some(sales),
            contract_value_internal: true,
        },
    )
    .await?;
    let telehealth = projects::create(
        ctx,
        NewProject {
            client_id: clinic.id,
            name: "Telehealth pilot".into(),
            description: None,
            contract_number: None,
            contract_value: None,
            contract_signed_on: None,
            planned_start: Some(day(30)),
            planned_end: Some(day(120)),
            primary_owner_id: Some(sales),
            contract_value_internal: true,
        },
    )
    .await?;
    for to in [ProjectStatus::Discovery, ProjectStatus::Proposal] {
        projects::change_status(ctx, telehealth.id, to, None).await?;
    }
    // The sales log of the clinic's pre-contract road: a first call, a demo, and a next
    // step owed (overdue by a day, so the filter shows something).
    let now = Utc::now();
    for (kind, days_ago, summary, outcome, next) in [
        (
            InteractionKind::Call,
            60,
            "First call: booking and follow-up for 40 clinics",
            "Interested; wants to see a telehealth demo",
            None,
        ),
        (
            InteractionKind::Demo,
            12,
            "Demo of video consultations to the medical director",
            "Asked for a pilot proposal covering three clinics",
            Some(("Send the pilot proposal", -1)),
        ),
    ] {
        interactions::log(
            ctx,
            NewInteraction {
                client_id: clinic.id,
                project_id: Some(telehealth.id),
                kind,
                occurred_at: now - chrono::Duration::days(days_ago),
                user_ids: vec![sales],
                contact_ids: vec![he.id],
                summary: summary.into(),
                outcome: s(outcome),
                next_step: next.map(|(what, due)| NextStep {
                    what: what.into(),
                    owner_id: sales,
                    due: day(due),
                }),
            },
        )
        .await?;
    }
    road_to_contract(ctx, &staff, telehealth.id, he.id).await?;
    surveys(ctx, &[acme.id, clinic.id], zhang.id).await?;
    Ok(
        "demo data loaded: 3 clients, 5 staff, 5 projects with stages, risks, reports and tickets"
            .into(),
    )
}

/// Last quarter's survey, answered by the logistics client and closed, and this
/// quarter's, open for the client's contacts to answer in the portal.
async fn surveys(ctx: Ctx<'_>, clients: &[i64], answering: i64) -> AppResult<()> {
    use crate::{domain::satisfaction::Period, service::surveys};
    let quarter = |quarters_back: i64| {
        let start = Utc::now() - chrono::Duration::days(91 * quarters_back);
        Period::new(start, start + chrono::Duration::days(91))
    };
    let last = surveys::open(
        ctx,
        "Last quarter's satisfaction survey".into(),
        quarter(2)?,
        clients.to_vec(),
    )
    .await?;
    surveys::answer(
        ctx,
        last.id,
        surveys::Answer {
            score: 3,
            recommend: 7,
            comment: s("Good team; reports came late in the first month"),
            contact_id: Some(answering),
        },
    )
    .await?;
    surveys::close(ctx, last.id, None).await?;
    surveys::open(
        ctx,
        "This quarter's satisfaction survey".into(),
        quarter(1)?,
        clients.to_vec(),
    )
    .await?;
    Ok(())
}

/// The telehealth pilot walked from its proposal to a countersigned contract: analysed
/// requirements, two reviewed and presented proposal versions with the client's feedback,
/// a round of negotiation, and the contract's five steps.
async fn road_to_contract(
    ctx: Ctx<'_>,
    staff: &[i64],
    project: i64,
    director: i64,
) -> AppResult<()> {
    use crate::{
        domain::proposal::{Item, QuoteLine},
        service::{contracts, negotiations, proposals},
    };
    use entity::{
        ContractStatus, FeedbackKind, FeedbackStatus, Party, ReviewVerdict, ReviewerRole, TermKind,
        TermOutcome,
    };
    let [product, technical, _, sales, legal] = staff[..] else {
        unreachable!("five staff were created")
    };
    let as_staff = |user_id| Caller::Staff {
        user_id,
        role: crate::auth::StaffRole::Staff,
    };
    for (title, category, in_scope, days, cost) in [
        (
            "Video consultations",
            RequirementCategory::Core,
            true,
            18,
            5_400_000,
        ),
        (
            "Prescription sync with pharmacies",
            RequirementCategory::Potential,
            false,
            25,
            7_500_000,
        ),
    ] {
        let r = requirements::create(
            ctx,
            NewRequirement {
                project_id: project,
                title: title.into(),
                detail: None,
                category,
                feasibility: if in_scope {
                    Feasibility::Feasible
                } else {
                    Feasibility::Partial
                },
                alternative: (!in_scope).then(|| "A nightly export for phase two".to_owned()),
                in_scope,
                scope_note: (!in_scope)
                    .then(|| "Phase one excludes pharmacy integration".to_owned()),
            },
        )
        .await?;
        let caller = as_staff(technical);
        requirements::analyse(
            Ctx {
                caller: &caller,
                ..ctx
            },
            r.id,
            requirements::Analysis {
                nature: entity::RequirementNature::Functional,
                effort_tenth_days: Some(days * 10),
                cost: Some(Money {
                    minor: cost,
                    currency: "CNY".into(),
                }),
                resources: s("2 developers, 1 tester"),
            },
            None,
        )
        .await?;
    }
    let content = |stage, price: i64, modules: &[&str]| proposals::Content {
        stage,
        summary: "Video consultations for three pilot clinics".into(),
        modules: modules.iter().map(|m| (*m).to_owned()).collect(),
        implementation_plan: s("Pilot in 6 weeks, then roll-out clinic by clinic"),
        delivery_period: s("6 weeks"),
        after_sales_terms: s("Business-hours support, first response within 2 working hours"),
        service_level_policy_id: None,
        highlights: vec!["no-show rate down 20 %".into()],
        currency: "CNY".into(),
        quote_lines: vec![
            QuoteLine {
                item: "Telehealth licence".into(),
                quantity: 30,
                unit: s("seat"),
                unit_price_minor: price,
            },
            QuoteLine {
                item: "Implementation".into(),
                quantity: 20,
                unit: s("person-day"),
                unit_price_minor: 300_000,
            },
        ],
        items: vec![
            Item {
                name: "Data stays in China".into(),
                negotiable: false,
                note: s("regulatory"),
            },
            Item {
                name: "Payment schedule".into(),
                negotiable: true,
                note: None,
            },
        ],
    };
    let roles = [
        (ReviewerRole::Sales, sales),
        (ReviewerRole::Product, product),
        (ReviewerRole::Technical, technical),
        (ReviewerRole::Legal, legal),
    ];
    let required: Vec<ReviewerRole> = roles.iter().map(|(r, _)| *r).collect();
    let author = as_staff(sales);
    let by_sales = Ctx {
        caller: &author,
        ..ctx
    };
    let mut versions = Vec::new();
    for (stage, price, modules) in [
        (
            entity::ProposalStage::Outline,
            200_000,
            &["Video visits", "Scheduling"][..],
        ),
        (
            entity::ProposalStage::Final,
            160_000,
            &["Video visits", "Scheduling", "E-prescriptions"][..],
        ),
    ] {
        let v = proposals::create(by_sales, project, content(stage, price, modules)).await?;
        proposals::submit(by_sales, v.id, &required, None).await?;
        for (role, reviewer) in roles {
            let caller = as_staff(reviewer);
            proposals::review(
                Ctx {
                    caller: &caller,
                    ..ctx
                },
                v.id,
                proposals::Verdict {
                    role,
                    verdict: ReviewVerdict::Approved,
                    comment: None,
                },
            )
            .await?;
        }
        proposals::present(by_sales, v.id, None).await?;
        versions.push(v.id);
    }
    let concern = proposals::add_feedback(
        by_sales,
        proposals::NewFeedback {
            version_id: versions[0],
            kind: FeedbackKind::PriceConcern,
            body: "The licence price is above the pilot budget".into(),
            contact_id: Some(director),
        },
    )
    .await?;
    proposals::respond(
        by_sales,
        concern.id,
        FeedbackStatus::Resolved,
        s("Version 2 lowers the seat price by 20 %"),
        None,
    )
    .await?;
    projects::change_status(ctx, project, ProjectStatus::Negotiation, None).await?;
    let round = negotiations::open_round(
        by_sales,
        project,
        Utc::now() - chrono::Duration::days(3),
        s("Price and payment"),
    )
    .await?;
    for (kind, by, item, text) in [
        (
            TermKind::PaymentSchedule,
            Party::Client,
            Some("Payment schedule"),
            "30 % on signing, 70 % on acceptance",
        ),
        (
            TermKind::Liability,
            Party::Vendor,
            None,
            "Liability capped at the contract value",
        ),
    ] {
        let t = negotiations::propose(
            by_sales,
            negotiations::NewTerm {
                round_id: round.id,
                kind,
                proposed_by: by,
                proposal_item: item.map(str::to_owned),
                text: text.into(),
                counter_of: None,
            },
        )
        .await?;
        negotiations::decide(by_sales, t.id, TermOutcome::Agreed, None).await?;
    }
    let counsel = as_staff(legal);
    let by_legal = Ctx {
        caller: &counsel,
        ..ctx
    };
    let c = contracts::draft(
        by_legal,
        contracts::NewContract {
            project_id: project,
            number: "HT-2026-031".into(),
            value: Money {
                minor: 10_800_000,
                currency: "CNY".into(),
            },
            service_level_policy_id: None,
            value_internal: None,
        },
    )
    .await?;
    for to in [
        ContractStatus::LegalReview,
        ContractStatus::Sent,
        ContractStatus::ClientSigned,
        ContractStatus::Countersigned,
    ] {
        let signer = (to == ContractStatus::ClientSigned).then_some(director);
        contracts::advance(
            by_legal,
            c.id,
            contracts::Advance {
                to,
                client_signer_id: signer,
                note: None,
            },
            None,
        )
        .await?;
    }
    Ok(())
}

/// The warehouse project with its customer: the kickoff held with the client's CIO (which
/// meets the 72-hour obligation, the team being formed), a progress meeting ahead, and
/// action items on both sides, the customer's one overdue.
async fn working_with_the_customer(
    ctx: Ctx<'_>,
    documents: &crate::documents::DocumentStore,
    p: &entity::project::Model,
    manager: i64,
    engineer: i64,
    cio: &entity::contact::Model,
) -> AppResult<()> {
    use crate::domain::action_item::Assignee;
    use crate::service::{
        action_items::{self, NewActionItem},
        meetings::{self, MeetingPatch, NewMeeting},
    };
    use entity::{MeetingKind, MeetingStatus};
    projects::update(
        ctx,
        p.id,
        projects::ProjectPatch {
            primary_contact_id: Some(Some(cio.id)),
            ..Default::default()
        },
        None,
    )
    .await?;
    let now = ctx.time.now();
    let kickoff = meetings::schedule(
        ctx,
        NewMeeting {
            project_id: p.id,
            stage_id: None,
            kind: MeetingKind::Kickoff,
            scheduled_at: now - chrono::Duration::hours(2),
            user_ids: vec![manager, engineer],
            contact_ids: vec![cio.id],
            agenda: s("Team, plan, contacts, weekly report on Fridays"),
        },
    )
    .await?;
    meetings::update(
        ctx,
        kickoff.id,
        MeetingPatch {
            minutes: Some(s(
                "Plan walked through stage by stage; contacts named on both sides.",
            )),
            decisions: Some(s(
                "Weekly report every Friday before 18:00; ERP export in CSV.",
            )),
            internal_notes: Some(s("The CIO worries about the go-live date; keep him close.")),
            ..Default::default()
        },
        None,
    )
    .await?;
    meetings::change_status(ctx, kickoff.id, MeetingStatus::Held, None, None).await?;
    // The minutes as a file for the client, and the team's own cost sheet beside them.
    for (name, content_type, text, internal) in [
        (
            "kickoff-minutes.txt",
            "text/plain",
            "Kickoff, warehouse sensor network\nPlan walked through stage by stage.\nWeekly report every Friday before 18:00.\n",
            false,
        ),
        (
            "kickoff-cost-notes.csv",
            "text/csv",
            "item,estimate\nsensors,420000\ncabling,95000\n",
            true,
        ),
    ] {
        let written = tempfile::tempfile().and_then(|mut file| {
            std::io::Write::write_all(&mut file, text.as_bytes()).map(|()| file)
        });
        let file =
            written.map_err(|e| AppError::Internal(format!("a demo document: {e}").into()))?;
        crate::service::documents::attach(
            ctx,
            documents,
            (entity::DocumentOwner::Meeting, kickoff.id),
            internal,
            crate::service::documents::Upload {
                file_name: Some(name.into()),
                content_type: Some(content_type.into()),
                file,
            },
        )
        .await?;
    }
    meetings::schedule(
        ctx,
        NewMeeting {
            project_id: p.id,
            stage_id: None,
            kind: MeetingKind::Progress,
            scheduled_at: now + chrono::Duration::days(3),
            user_ids: vec![manager],
            contact_ids: vec![cio.id],
            agenda: s("Integration status; training dates"),
        },
    )
    .await?;
    for (title, due, assignee) in [
        (
            "Provide the ERP export format",
            -2,
            Assignee::Customer(cio.id),
        ),
        (
            "Open VPN access for the integration team",
            4,
            Assignee::Customer(cio.id),
        ),
        ("Send the installation guide", 2, Assignee::Vendor(engineer)),
    ] {
        action_items::create(
            ctx,
            NewActionItem {
                project_id: p.id,
                stage_id: None,
                meeting_id: Some(kickoff.id),
                title: title.into(),
                due_date: Some(day(due)),
                assignee,
            },
        )
        .await?;
    }
    Ok(())
}
