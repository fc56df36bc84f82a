//! Enumerations stored as strings (or ranks) in the database and exposed as GraphQL enums.
//!
//! One Rust type per concept, end to end: the database value, the Rust enum and the
//! GraphQL enum are the same thing, so no string comparison exists anywhere else.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident {
        $(#[$fmeta:meta])* $first:ident = $fvalue:literal
        $(, $(#[$vmeta:meta])* $variant:ident = $value:literal)* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum, Serialize, Deserialize, Default)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            // The first value is the `Default`: what a row read without this column
            // holds (not a domain default).
            $(#[$fmeta])* #[default] #[sea_orm(string_value = $fvalue)] $first,
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] $variant,)*
        }

        impl $name {
            /// The stable wire and database spelling of the value.
            pub fn as_str(self) -> &'static str {
                match self { Self::$first => $fvalue, $(Self::$variant => $value,)* }
            }

            /// The value spelled `s`, as written by [`Self::as_str`].
            pub fn parse(s: &str) -> Option<Self> {
                <Self as sea_orm::Iterable>::iter().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// How likely a client is to buy (DOMAIN: high = clear need and timeline).
    IntentLevel { High = "HIGH", Medium = "MEDIUM", Low = "LOW" }
}

string_enum! {
    /// How the vendor and a client were in touch (DOMAIN, step 1).
    InteractionKind {
        Call = "CALL", Email = "EMAIL", Visit = "VISIT", Meeting = "MEETING",
        Message = "MESSAGE", Demo = "DEMO", TradeShow = "TRADE_SHOW", Other = "OTHER",
    }
}

string_enum! {
    /// The client's verdict on an acceptance criterion.
    CriterionStatus { Pending = "PENDING", Passed = "PASSED", Failed = "FAILED" }
}

string_enum! {
    /// What a document is attached to.
    DocumentOwner {
        Report = "REPORT", Meeting = "MEETING", RequirementSheet = "REQUIREMENT_SHEET",
        /// The project's acceptance: signed acceptance scans (the owner id is the project's).
        Acceptance = "ACCEPTANCE",
        ChangeRequest = "CHANGE_REQUEST", Ticket = "TICKET",
    }
}

string_enum! {
    /// A webhook is delivered to while active; one failing for too long is disabled
    /// (and enabled again by staff, or by a replay).
    WebhookStatus { Active = "ACTIVE", Disabled = "DISABLED" }
}

string_enum! {
    /// A survey takes answers while open; closing it is final.
    SurveyStatus { Open = "OPEN", Closed = "CLOSED" }
}

string_enum! {
    /// A report is drafted by the team, then published to the client.
    ReportStatus { Draft = "DRAFT", Published = "PUBLISHED" }
}

string_enum! {
    /// Whether a client's contact is still there.
    ContactStatus { Active = "ACTIVE", Left = "LEFT" }
}

string_enum! {
    /// A contact's part in the client's decision chain.
    DecisionRole {
        DecisionMaker = "DECISION_MAKER", Influencer = "INFLUENCER", User = "USER",
        Technical = "TECHNICAL", Finance = "FINANCE", Other = "OTHER",
    }
}

string_enum! {
    /// The three-level response mechanism's grade of a problem.
    TicketGrade { Minor = "MINOR", Major = "MAJOR", Critical = "CRITICAL" }
}

string_enum! {
    /// What a meeting of a project is for.
    MeetingKind {
        Kickoff = "KICKOFF", RequirementReview = "REQUIREMENT_REVIEW",
        SolutionReview = "SOLUTION_REVIEW", Demo = "DEMO", Progress = "PROGRESS",
        MilestoneReview = "MILESTONE_REVIEW", Acceptance = "ACCEPTANCE", FollowUp = "FOLLOW_UP",
    }
}

string_enum! {
    /// Whether a meeting is ahead, was held, or will not be.
    MeetingStatus { Scheduled = "SCHEDULED", Held = "HELD", Cancelled = "CANCELLED" }
}

string_enum! {
    /// Where an action item stands; the transition table is in the server's domain.
    ActionItemStatus { Open = "OPEN", Done = "DONE", Cancelled = "CANCELLED" }
}

string_enum! {
    /// Whether a requirement is about what the system does or how well it does it.
    RequirementNature { Functional = "FUNCTIONAL", NonFunctional = "NON_FUNCTIONAL" }
}

string_enum! {
    /// The in-sale document's "outline -> demo -> final" of a solution proposal.
    ProposalStage { Outline = "OUTLINE", Demo = "DEMO", Final = "FINAL" }
}

string_enum! {
    /// Where a proposal version stands between writing it and showing it to the client.
    ProposalStatus {
        Draft = "DRAFT", InReview = "IN_REVIEW", ChangesRequested = "CHANGES_REQUESTED",
        Approved = "APPROVED", Presented = "PRESENTED",
    }
}

string_enum! {
    /// The vendor's functions that review a proposal before the client sees it.
    ReviewerRole { Sales = "SALES", Product = "PRODUCT", Technical = "TECHNICAL", Legal = "LEGAL" }
}

string_enum! {
    /// A reviewer's verdict on one revision of a proposal version.
    ReviewVerdict { Approved = "APPROVED", ChangesRequested = "CHANGES_REQUESTED" }
}

string_enum! {
    /// What the client said about a presented proposal.
    FeedbackKind {
        Objection = "OBJECTION", Request = "REQUEST", PriceConcern = "PRICE_CONCERN",
        Question = "QUESTION", Acceptance = "ACCEPTANCE", Other = "OTHER",
    }
}

string_enum! {
    /// Whether the vendor has dealt with a feedback item.
    FeedbackStatus { Open = "OPEN", Answered = "ANSWERED", Resolved = "RESOLVED" }
}

string_enum! {
    /// What a negotiated term is about.
    TermKind {
        Price = "PRICE", PaymentSchedule = "PAYMENT_SCHEDULE", DeliveryDates = "DELIVERY_DATES",
        Liability = "LIABILITY", IntellectualProperty = "INTELLECTUAL_PROPERTY", Other = "OTHER",
    }
}

string_enum! {
    /// A side of the table.
    Party { Vendor = "VENDOR", Client = "CLIENT" }
}

string_enum! {
    /// What became of a proposed term.
    TermOutcome { Open = "OPEN", Agreed = "AGREED", Rejected = "REJECTED", Countered = "COUNTERED" }
}

string_enum! {
    /// A contract's way from drafting to the archive (DOMAIN, step 4).
    ContractStatus {
        Drafting = "DRAFTING", LegalReview = "LEGAL_REVIEW", Sent = "SENT",
        ClientSigned = "CLIENT_SIGNED", Countersigned = "COUNTERSIGNED", Archived = "ARCHIVED",
    }
}

string_enum! {
    /// Where a client first came from.
    ClientSource {
        Website = "WEBSITE", TradeShow = "TRADE_SHOW", Referral = "REFERRAL",
        OutboundSales = "OUTBOUND_SALES", Partner = "PARTNER",
        ExistingCustomer = "EXISTING_CUSTOMER", Other = "OTHER",
    }
}

string_enum! {
    /// The phase a project is in; the transition table is `domain::status::ProjectStatus`.
    ProjectStatus {
        /// Step 1: registered, first contact made.
        Lead = "LEAD",
        /// Step 2: requirement discovery and analysis.
        Discovery = "DISCOVERY",
        /// Step 3: solution proposal and presentation.
        Proposal = "PROPOSAL",
        /// Step 4: negotiation and contract.
        Negotiation = "NEGOTIATION",
        /// Contract signed; team formed and kickoff within 72 hours.
        ContractSigned = "CONTRACT_SIGNED",
        /// Requirement calibration with the client, line by line.
        Requirements = "REQUIREMENTS",
        /// Solution design: outline, demo, final.
        Design = "DESIGN",
        /// Execution against the stage plan, with risk log and reports.
        Execution = "EXECUTION",
        /// Waiting for the client's acceptance sign-off.
        Acceptance = "ACCEPTANCE",
        /// Accepted; tickets and follow-ups.
        AfterSales = "AFTER_SALES",
        /// Service period over.
        Closed = "CLOSED",
        /// Paused; resumes to the phase it was held in.
        OnHold = "ON_HOLD",
        /// Abandoned.
        Cancelled = "CANCELLED",
    }
}

string_enum! {
    /// A team member's role in the "1+N" service team.
    TeamRole {
        Sales = "SALES", ProductManager = "PRODUCT_MANAGER", Engineer = "ENGINEER",
        ProjectManager = "PROJECT_MANAGER", ImplementationManager = "IMPLEMENTATION_MANAGER",
        CustomerSuccessManager = "CUSTOMER_SUCCESS_MANAGER", Legal = "LEGAL",
        SalesRepresentative = "SALES_REPRESENTATIVE", SalesManager = "SALES_MANAGER",
        CustomerService = "CUSTOMER_SERVICE", TechnicalSupport = "TECHNICAL_SUPPORT",
        Other = "OTHER",
    }
}

string_enum! {
    /// Kano-style class of a requirement.
    RequirementCategory { Core = "CORE", Expected = "EXPECTED", Potential = "POTENTIAL" }
}

string_enum! {
    /// Whether the vendor can deliver a requirement as asked.
    Feasibility { Feasible = "FEASIBLE", Partial = "PARTIAL", NotFeasible = "NOT_FEASIBLE" }
}

string_enum! {
    /// Where a change request stands; the transition table is in the server's domain.
    ChangeRequestStatus { Proposed = "PROPOSED", Approved = "APPROVED", Rejected = "REJECTED" }
}

string_enum! {
    /// How a project is doing: computed from signals, or declared by its team.
    ProjectHealth { OnTrack = "ON_TRACK", AtRisk = "AT_RISK", OffTrack = "OFF_TRACK" }
}

string_enum! {
    /// Status of a stage (milestone) of the delivery plan.
    StageStatus { NotStarted = "NOT_STARTED", InProgress = "IN_PROGRESS", Blocked = "BLOCKED", Done = "DONE" }
}

string_enum! {
    /// What kind of risk a risk-log entry is.
    RiskCategory {
        SupplierDelay = "SUPPLIER_DELAY", KeyContactLeaving = "KEY_CONTACT_LEAVING",
        Technical = "TECHNICAL", Schedule = "SCHEDULE", Scope = "SCOPE", Budget = "BUDGET",
        Other = "OTHER",
    }
}

string_enum! {
    /// Status of a risk-log entry.
    RiskStatus { Open = "OPEN", Mitigating = "MITIGATING", Occurred = "OCCURRED", Closed = "CLOSED" }
}

string_enum! {
    /// What an after-sales ticket is about.
    TicketType {
        HardwareFault = "HARDWARE_FAULT", SoftwareBug = "SOFTWARE_BUG",
        UsageQuestion = "USAGE_QUESTION", ChangeRequest = "CHANGE_REQUEST",
        Consultation = "CONSULTATION",
    }
}

string_enum! {
    /// Status of a ticket.
    TicketStatus {
        New = "NEW", Acknowledged = "ACKNOWLEDGED", InProgress = "IN_PROGRESS",
        WaitingOnCustomer = "WAITING_ON_CUSTOMER", Resolved = "RESOLVED", Closed = "CLOSED",
    }
}

string_enum! {
    /// How a ticket reached the vendor.
    TicketChannel { Phone = "PHONE", Email = "EMAIL", Portal = "PORTAL", Onsite = "ONSITE", Other = "OTHER" }
}

string_enum! {
    /// Kind of a progress report.
    ReportKind { Daily = "DAILY", Weekly = "WEEKLY", MilestoneReview = "MILESTONE_REVIEW" }
}

string_enum! {
    /// Who performed a change recorded in the event log.
    ActorKind { System = "SYSTEM", User = "USER", Contact = "CONTACT" }
}

string_enum! {
    /// The type of the entity an event is about.
    EntityKind {
        User = "USER", Client = "CLIENT", Contact = "CONTACT", Project = "PROJECT",
        TeamMember = "TEAM_MEMBER", Requirement = "REQUIREMENT", Stage = "STAGE", Risk = "RISK",
        Ticket = "TICKET", TicketComment = "TICKET_COMMENT", Report = "REPORT",
        ServiceLevelPolicy = "SERVICE_LEVEL_POLICY",
        RequirementSheet = "REQUIREMENT_SHEET", ChangeRequest = "CHANGE_REQUEST",
        Interaction = "INTERACTION",
        ProposalVersion = "PROPOSAL_VERSION", ProposalReview = "PROPOSAL_REVIEW",
        ProposalFeedback = "PROPOSAL_FEEDBACK", NegotiationRound = "NEGOTIATION_ROUND",
        NegotiationTerm = "NEGOTIATION_TERM", Contract = "CONTRACT",
        Meeting = "MEETING", ActionItem = "ACTION_ITEM",
        /// A project's 72-hour kickoff obligation (its id is the project's).
        Kickoff = "KICKOFF",
        AcceptanceCriterion = "ACCEPTANCE_CRITERION",
        Survey = "SURVEY",
        Document = "DOCUMENT",
        Webhook = "WEBHOOK",
        /// An e-mail in the outbox.
        OutboxMessage = "OUTBOX_MESSAGE",
    }
}

string_enum! {
    /// What happened, in the event log.
    EventKind {
        Created = "CREATED", Updated = "UPDATED", Deleted = "DELETED",
        StatusChanged = "STATUS_CHANGED",
        /// A service-level clock of a ticket reached its at-risk share.
        ServiceLevelAtRisk = "SERVICE_LEVEL_AT_RISK",
        /// A service-level clock of a ticket passed its target.
        ServiceLevelBreached = "SERVICE_LEVEL_BREACHED",
        /// A ticket moved up the escalation ladder.
        Escalated = "ESCALATED",
        /// Someone at the ticket's escalation level took it on.
        EscalationAcknowledged = "ESCALATION_ACKNOWLEDGED",
        /// The customer's satisfaction score for a resolution was recorded.
        SatisfactionRecorded = "SATISFACTION_RECORDED",
        /// A requirement sheet version or a project's acceptance was signed.
        SignedOff = "SIGNED_OFF",
        /// A client's intent level was set or changed (who, when and why).
        IntentGraded = "INTENT_GRADED",
        /// A project's kickoff obligation reached its at-risk instant unmet.
        KickoffAtRisk = "KICKOFF_AT_RISK",
        /// A project's kickoff obligation passed its 72 hours unmet.
        KickoffOverdue = "KICKOFF_OVERDUE",
    }
}

/// Ticket priority, stored as its rank so that ordering by priority is meaningful in SQL.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Enum,
    Serialize,
    Deserialize,
    Default,
)]
#[sea_orm(rs_type = "i32", db_type = "Integer")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TicketPriority {
    // The `Default`: what a row read without this column holds (not a domain default).
    #[default]
    Low = 1,
    Medium = 2,
    High = 3,
    Urgent = 4,
}

impl TicketPriority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
            Self::Urgent => "URGENT",
        }
    }
}

string_enum! {
    /// What a service-level clock measures.
    ClockKind {
        /// From opening to the vendor's first public answer.
        FirstResponse = "FIRST_RESPONSE",
        /// From the last public answer to the next one (a solution or a progress update).
        Update = "UPDATE",
        /// From opening (or reopening) to resolution.
        Resolution = "RESOLUTION",
    }
}

string_enum! {
    /// Where a clock stands, as stored: whether it is counting and how it ended.
    ClockPhase { Running = "RUNNING", Paused = "PAUSED", Met = "MET", Cancelled = "CANCELLED" }
}

string_enum! {
    /// Where a clock stands at an instant, for people: the stored phase, with RUNNING
    /// split by the clock's deadlines, and any clock past its target BREACHED.
    ClockState {
        Running = "RUNNING", Paused = "PAUSED", AtRisk = "AT_RISK", Breached = "BREACHED",
        Met = "MET", Cancelled = "CANCELLED",
    }
}

string_enum! {
    /// The language a person reads their e-mail in.
    Language { En = "EN", Zh = "ZH" }
}

string_enum! {
    /// What an e-mail is about; a person may unsubscribe from each kind.
    MailKind {
        /// A daily note or weekly report published to the client.
        ReportPublished = "REPORT_PUBLISHED",
        /// The client's copy of a project's weekly digest, Friday afternoon.
        WeeklyDigest = "WEEKLY_DIGEST",
        /// A resolved ticket: how did we do?
        SatisfactionRequest = "SATISFACTION_REQUEST",
        /// A quarterly survey asks the contact's client.
        SurveyInvitation = "SURVEY_INVITATION",
        /// A customer-side action item was assigned to the contact.
        ActionItemAssigned = "ACTION_ITEM_ASSIGNED",
        /// A ticket's service-level clock is at risk or breached.
        ServiceLevelAlert = "SERVICE_LEVEL_ALERT",
        /// A project's 72-hour kickoff obligation is at risk or overdue.
        KickoffAlert = "KICKOFF_ALERT",
    }
}

string_enum! {
    /// Where an outbox message stands.
    MailStatus {
        /// Queued: waiting for its first attempt, or for its backoff after a temporary
        /// failure (or for an SMTP server to be configured).
        Pending = "PENDING",
        /// Claimed by an instance that is sending it now.
        Sending = "SENDING",
        Sent = "SENT",
        /// Given up: a permanent refusal, or temporary ones for too long.
        Failed = "FAILED",
        /// Not sent on purpose: the person unsubscribed from the kind, or has no address.
        Suppressed = "SUPPRESSED",
    }
}

string_enum! {
    /// Who an e-mail goes to: a vendor user or a client contact.
    RecipientKind { User = "USER", Contact = "CONTACT" }
}
