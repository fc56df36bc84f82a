//! The e-mail templates, `templates/mail/{en,zh}/<kind>.txt`, compiled into the binary.
//! A template's first line is the subject and the rest the body; `footer.txt` (the
//! unsubscribe link) follows every body. Missing values are errors, not blanks.

use std::sync::LazyLock;

use entity::{Language, MailKind};
use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;

macro_rules! sources {
    ($($lang:literal => [$($name:literal),+ $(,)?]),+ $(,)?) => {
        &[$($((concat!($lang, "/", $name), include_str!(concat!("../../templates/mail/", $lang, "/", $name, ".txt")))),+),+]
    };
}

const SOURCES: &[(&str, &str)] = sources!(
    "en" => ["report_published", "weekly_digest", "satisfaction_request", "survey_invitation",
             "action_item_assigned", "service_level_alert", "kickoff_alert", "footer"],
    "zh" => ["report_published", "weekly_digest", "satisfaction_request", "survey_invitation",
             "action_item_assigned", "service_level_alert", "kickoff_alert", "footer"],
);

static TEMPLATES: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in SOURCES {
        env.add_template(name, source)
            .map_err(|e| format!("template {name}: {e}"))?;
    }
    Ok(env)
});

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// Where a message's links point.
#[derive(Debug, Clone)]
pub struct Links {
    /// The server's public address, without a trailing slash (`PUBLIC_URL`).
    pub base: String,
}

impl Links {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The board: a portal token shows the customer's page, a staff token the team's.
    pub fn board(&self) -> String {
        format!("{}/board", self.base)
    }

    pub fn unsubscribe(&self, token: &str) -> String {
        format!("{}/mail/unsubscribe/{token}", self.base)
    }
}

fn file(kind: MailKind) -> &'static str {
    match kind {
        MailKind::ReportPublished => "report_published",
        MailKind::WeeklyDigest => "weekly_digest",
        MailKind::SatisfactionRequest => "satisfaction_request",
        MailKind::SurveyInvitation => "survey_invitation",
        MailKind::ActionItemAssigned => "action_item_assigned",
        MailKind::ServiceLevelAlert => "service_level_alert",
        MailKind::KickoffAlert => "kickoff_alert",
    }
}

fn lang(language: Language) -> &'static str {
    match language {
        Language::En => "en",
        Language::Zh => "zh",
    }
}

/// The kind's name in a language, for the unsubscribe line.
pub fn kind_name(kind: MailKind, language: Language) -> &'static str {
    use MailKind as K;
    match (language, kind) {
        (Language::En, K::ReportPublished) => "published reports",
        (Language::En, K::WeeklyDigest) => "weekly digests",
        (Language::En, K::SatisfactionRequest) => "satisfaction requests",
        (Language::En, K::SurveyInvitation) => "survey invitations",
        (Language::En, K::ActionItemAssigned) => "tasks assigned to you",
        (Language::En, K::ServiceLevelAlert) => "service-level alerts",
        (Language::En, K::KickoffAlert) => "kickoff alerts",
        (Language::Zh, K::ReportPublished) => "报告发布通知",
        (Language::Zh, K::WeeklyDigest) => "每周摘要",
        (Language::Zh, K::SatisfactionRequest) => "满意度回访",
        (Language::Zh, K::SurveyInvitation) => "调查邀请",
        (Language::Zh, K::ActionItemAssigned) => "待办事项通知",
        (Language::Zh, K::ServiceLevelAlert) => "服务级别告警",
        (Language::Zh, K::KickoffAlert) => "启动会告警",
    }
}

/// Renders a message of `kind` in `language` from its facts (`data`, a JSON object) and
/// the server's links.
pub fn render(
    kind: MailKind,
    language: Language,
    data: &Value,
    links: &Links,
    unsubscribe_token: &str,
) -> Result<Rendered, String> {
    let env = TEMPLATES.as_ref().map_err(Clone::clone)?;
    let mut context = match data {
        Value::Object(map) => map.clone(),
        _ => return Err("message data is not an object".into()),
    };
    context.insert("portal_url".into(), Value::String(links.board()));
    context.insert("app_url".into(), Value::String(links.board()));
    context.insert(
        "unsubscribe_url".into(),
        Value::String(links.unsubscribe(unsubscribe_token)),
    );
    context.insert(
        "kind_name".into(),
        Value::String(kind_name(kind, language).into()),
    );
    context.entry("project").or_insert(Value::Null);
    let context = Value::Object(context);
    let one = |name: &str| {
        env.get_template(&format!("{}/{name}", lang(language)))
            .and_then(|t| t.render(&context))
            .map_err(|e| format!("template {}/{name}: {e:#}", lang(language)))
    };
    let text = one(file(kind))?;
    let footer = one("footer")?;
    let (subject, body) = text.split_once('\n').unwrap_or((&text, ""));
    let subject = subject.trim();
    if subject.is_empty() {
        return Err(format!("template {}: empty subject", file(kind)));
    }
    Ok(Rendered {
        subject: subject.to_owned(),
        body: format!("{}\n{}", body.trim(), footer.trim_end()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;
    use serde_json::json;

    /// Facts of each kind as the outbox writes them.
    pub(crate) fn sample(kind: MailKind) -> Value {
        let base = json!({ "name": "Zhang Hua", "project": "Hengtai MES" });
        let extra = match kind {
            MailKind::ReportPublished => json!({ "report": {
                "kind": "WEEKLY", "progress_percent": 40, "author": "Li Wei",
                "progress": "Line 2 connected.", "problems": null, "plan": "Line 3.",
                "next_by": "2026-12-11", "body": "" } }),
            MailKind::WeeklyDigest => json!({
                "week_from": "2026-11-27", "week_to": "2026-12-04",
                "completed": ["Design"], "slipped": [{ "name": "Build", "from": "2026-12-01", "to": "2026-12-08" }],
                "overdue": [], "tickets_opened": 2, "tickets_resolved": 1, "reports_filed": 5,
                "risks_raised": ["Interface spec late"], "risks_closed": [] }),
            MailKind::SatisfactionRequest => json!({ "ticket": { "title": "Printer offline" } }),
            MailKind::SurveyInvitation => json!({ "survey": {
                "title": "Q4 2026", "from": "2026-10-01", "to": "2026-12-31" } }),
            MailKind::ActionItemAssigned => {
                json!({ "item": { "title": "Send the interface protocol", "due_date": "2026-12-05" } })
            }
            MailKind::ServiceLevelAlert => {
                json!({ "ticket": { "title": "Line down", "priority": "URGENT" },
                "clock": "RESOLUTION", "breached": true, "due_at": "2026-12-03 10:00 UTC", "level": "L2 R&D" })
            }
            MailKind::KickoffAlert => json!({ "overdue": false,
                "started_at": "2026-12-01 09:00 UTC", "due_at": "2026-12-04 09:00 UTC" }),
        };
        let (Value::Object(mut a), Value::Object(b)) = (base, extra) else {
            unreachable!("objects")
        };
        a.extend(b);
        Value::Object(a)
    }

    #[test]
    fn every_kind_renders_in_every_language_with_its_links() {
        let links = Links::new("https://desk.example/");
        for kind in MailKind::iter() {
            for language in Language::iter() {
                let m = render(kind, language, &sample(kind), &links, "tok")
                    .unwrap_or_else(|e| panic!("{kind} {language}: {e}"));
                assert!(!m.subject.contains('\n') && !m.subject.is_empty());
                assert!(
                    m.body.contains("https://desk.example/mail/unsubscribe/tok"),
                    "{kind} {language}: {}",
                    m.body
                );
                assert!(
                    m.body.contains("https://desk.example/board"),
                    "{kind} {language}"
                );
                assert!(!m.body.contains("{{") && !m.body.contains("{%"));
            }
        }
    }

    #[test]
    fn a_missing_fact_is_an_error_not_a_blank() {
        let links = Links::new("https://desk.example");
        let err = render(
            MailKind::SatisfactionRequest,
            Language::En,
            &json!({ "name": "x" }),
            &links,
            "t",
        )
        .expect_err("ticket missing");
        assert!(err.contains("satisfaction_request"), "{err}");
    }

    #[test]
    fn the_language_is_the_recipients() {
        let links = Links::new("https://desk.example");
        let kind = MailKind::ActionItemAssigned;
        let en = render(kind, Language::En, &sample(kind), &links, "t").expect("en");
        let zh = render(kind, Language::Zh, &sample(kind), &links, "t").expect("zh");
        assert!(en.body.contains("Dear Zhang Hua"));
        assert!(zh.body.contains("您好"));
        assert!(zh.body.contains("退订"));
    }
}
