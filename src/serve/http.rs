//! The HTTP side of `exercise serve` (SPEC §7.1): the JSON API and the two
//! pages, on axum. Bodies are read as bytes and parsed here, so anything
//! malformed (bad JSON, a missing key, a wrong type, no content type) is a
//! 400 with a message, never a panic; the room's refusals map to 401, 409
//! and 422. No handler can stop the server.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::room::{Refusal, Room};

/// What the handlers share.
pub struct App {
    /// The room.
    pub room: Room,
    /// The trainee page, rendered once.
    pub trainee_page: String,
    /// The trainer page, rendered once (it holds no secret: the token comes
    /// from the trainer's own address bar).
    pub trainer_page: String,
}

/// The router of the API and the pages.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(trainee_page))
        .route("/trainer", get(trainer_page))
        .route("/api/state", get(state))
        .route("/api/join", post(join))
        .route("/api/answer", post(answer))
        .route("/api/trainer/next", post(next))
        .route("/api/trainer/previous", post(previous))
        .route("/api/trainer/close", post(close))
        .route("/api/trainer/reveal", post(reveal))
        .route("/api/trainer/end", post(end))
        .route("/api/trainer/summary", get(summary))
        .fallback(not_found)
        .with_state(app)
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match &self {
            Refusal::Bad(_) => StatusCode::BAD_REQUEST,
            Refusal::Unauthorised(_) => StatusCode::UNAUTHORIZED,
            Refusal::Conflict(_) => StatusCode::CONFLICT,
            Refusal::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut r = error(status, self.message());
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

fn ok(v: Value) -> Response {
    let mut r = axum::Json(v).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn html(page: &str) -> Response {
    let mut r = axum::response::Html(page.to_string()).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Everything is inline; nothing may be loaded from anywhere else.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             img-src data:; connect-src 'self'; form-action 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

/// Parses a JSON body into `T`, or a 400 saying what is wrong.
fn body<T: for<'de> Deserialize<'de>>(bytes: &Bytes, shape: &str) -> Result<T, Refusal> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Refusal::Bad(format!(
            "the request needs a JSON body: {shape}"
        )));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Refusal::Bad(format!(
            "the body is not valid here ({e}); expected JSON like {shape}"
        ))
    })
}

/// The trainer's token from `Authorization: Bearer TOKEN`, checked.
fn trainer(room: &Room, headers: &HeaderMap) -> Result<(), Refusal> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    match given {
        Some(t) if room.is_trainer(t) => Ok(()),
        Some(_) => Err(Refusal::Unauthorised("wrong trainer token".into())),
        None => Err(Refusal::Unauthorised(
            "the trainer's token is required (Authorization: Bearer TOKEN)".into(),
        )),
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such page or API call")
}

async fn trainee_page(State(app): State<Arc<App>>) -> Response {
    html(&app.trainee_page)
}

async fn trainer_page(State(app): State<Arc<App>>) -> Response {
    html(&app.trainer_page)
}

async fn state(State(app): State<Arc<App>>, Query(q): Query<HashMap<String, String>>) -> Response {
    ok(app.room.state(q.get("trainee").map(String::as_str)))
}

#[derive(Deserialize)]
struct Join {
    name: String,
}

async fn join(State(app): State<Arc<App>>, bytes: Bytes) -> Response {
    let r = body::<Join>(&bytes, r#"{"name": "Sam"}"#).and_then(|j| app.room.join(&j.name));
    match r {
        Ok((token, name)) => ok(json!({ "trainee": token, "name": name })),
        Err(e) => e.into_response(),
    }
}

/// A level may be given as text or as its number (1 = lowest).
#[derive(Deserialize)]
#[serde(untagged)]
enum Level {
    Text(String),
    Number(u64),
}

#[derive(Deserialize)]
struct Answer {
    trainee: String,
    vignette: String,
    level: Level,
}

async fn answer(State(app): State<Arc<App>>, bytes: Bytes) -> Response {
    let shape = r#"{"trainee": TOKEN, "vignette": "V01", "level": "targeted"}"#;
    let r = body::<Answer>(&bytes, shape).and_then(|a| {
        let level = match a.level {
            Level::Text(t) => t,
            Level::Number(n) => n.to_string(),
        };
        app.room.answer(&a.trainee, &a.vignette, &level)
    });
    match r {
        Ok(()) => ok(json!({ "ok": true })),
        Err(e) => e.into_response(),
    }
}

fn act(
    app: &App,
    headers: &HeaderMap,
    f: impl FnOnce(&Room) -> Result<Value, Refusal>,
) -> Response {
    match trainer(&app.room, headers).and_then(|()| f(&app.room)) {
        Ok(v) => ok(v),
        Err(e) => e.into_response(),
    }
}

async fn next(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    act(&app, &headers, Room::next)
}

async fn previous(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    act(&app, &headers, Room::previous)
}

async fn close(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    act(&app, &headers, Room::close)
}

async fn reveal(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    act(&app, &headers, Room::reveal)
}

async fn end(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    act(&app, &headers, Room::end)
}

async fn summary(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    act(&app, &headers, Room::summary)
}
