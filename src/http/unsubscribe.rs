//! `/mail/unsubscribe/{token}`: the link in every e-mail. `GET` shows what the link does
//! and a button; `POST` does it (also the one-click `List-Unsubscribe-Post` of RFC 8058).
//! A `GET` never changes anything: mail scanners follow links. The token is the message's
//! own random secret, so a link unsubscribes its recipient from its kind and nothing else.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{mail::templates::kind_name, service::outbox, startup::AppState};
use entity::Language;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The page's words in the recipient's language.
struct Words {
    ask_title: &'static str,
    ask: &'static str,
    button: &'static str,
    done_title: &'static str,
    done: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::En => Words {
            ask_title: "Unsubscribe",
            ask: "Stop receiving {kind} at this address?",
            button: "Unsubscribe",
            done_title: "Unsubscribed",
            done: "You will no longer receive {kind}. Other messages are not affected.",
        },
        Language::Zh => Words {
            ask_title: "退订",
            ask: "不再向此地址发送{kind}？",
            button: "退订",
            done_title: "已退订",
            done: "您将不再收到{kind}。其他邮件不受影响。",
        },
    }
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem\">\
         <h1>{title}</h1>{body}</body></html>"
    );
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn unknown() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link not recognised",
        "<p>This unsubscribe link is not one we sent.</p>",
    )
}

/// A token is hex of a fixed length; anything else is unknown without a query.
fn well_formed(token: &str) -> bool {
    token.len() == 48 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if !well_formed(&token) {
        return unknown();
    }
    let found = entity::outbox_message::Entity::find()
        .filter(entity::outbox_message::Column::UnsubscribeToken.eq(token.as_str()))
        .one(&state.db)
        .await;
    match found {
        Ok(Some(m)) => {
            let w = words(m.language);
            page(
                StatusCode::OK,
                w.ask_title,
                &format!(
                    "<p>{}</p><form method=\"post\"><button type=\"submit\">{}</button></form>",
                    w.ask.replace("{kind}", kind_name(m.kind, m.language)),
                    w.button
                ),
            )
        }
        Ok(None) => unknown(),
        Err(e) => {
            tracing::warn!(error = %e, "unsubscribe lookup failed");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "<p>Please try again shortly.</p>",
            )
        }
    }
}

pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if !well_formed(&token) {
        return unknown();
    }
    match outbox::unsubscribe_by_token(&state.db, &token, state.options.time.now()).await {
        Ok(Some(m)) => {
            let w = words(m.language);
            page(
                StatusCode::OK,
                w.done_title,
                &format!(
                    "<p>{}</p>",
                    w.done.replace("{kind}", kind_name(m.kind, m.language))
                ),
            )
        }
        Ok(None) => unknown(),
        Err(e) => {
            tracing::warn!(error = ?e, "unsubscribe failed");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "<p>Please try again shortly.</p>",
            )
        }
    }
}
