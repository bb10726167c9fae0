//! The one error type at the HTTP edge, answered in the API's problem format.
//!
//! Every error body has `type`, `code`, `title`, `status`, `detail`, `instance` (and
//! `invalidParams` for validation errors), served as `application/json` like the reference:
//! clients parse error bodies only when their type starts with `application/json`.
//!
//! The `type` URL is absolute and needs the request's origin, which an error raised deep in a
//! handler does not know. So an error only becomes a response marked with its [`Problem`]; the
//! API edge middleware (`http`) writes the body, where the origin is known.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;
use uuid::Uuid;

/// One entry of `invalidParams`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidParam {
    pub name: String,
    pub code: String,
    pub reason: String,
}

impl InvalidParam {
    pub fn new(
        name: impl Into<String>,
        code: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            code: code.into(),
            reason: reason.into(),
        }
    }

    /// Another object has these fields' values already (each set once); `fields` as the
    /// reference names them (`actor, klantcontact`).
    pub fn not_unique(fields: &str) -> Self {
        Self::new(
            NON_FIELD_ERRORS,
            "unique",
            format!("De velden {fields} moeten een unieke set zijn."),
        )
    }

    /// A reference to an object that does not exist; `model` names its kind (`Partij`).
    pub fn no_such_object(name: impl Into<String>, model: &str) -> Self {
        Self::new(name, "invalid", format!("{model} object bestaat niet."))
    }
}

/// What a 503 tells a client to wait before it tries again.
pub const RETRY_AFTER_SECONDS: u32 = 2;

/// The name object-level errors are reported under.
pub const NON_FIELD_ERRORS: &str = "nonFieldErrors";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed: {0:?}")]
    Validation(Vec<InvalidParam>),
    #[error("malformed request body: {0}")]
    Parse(String),
    #[error("no credentials")]
    NotAuthenticated,
    #[error("unknown token")]
    AuthenticationFailed,
    #[error("permission denied")]
    PermissionDenied,
    /// A filter or a write that uses a BSN, by a token without the `bsn` scope.
    #[error("permission denied: BSN")]
    BsnNotPermitted,
    /// A processing activity the token may not name.
    #[error("permission denied: processing activity")]
    ActivityNotPermitted,
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    #[error("not acceptable")]
    NotAcceptable,
    /// The request clashes with one still being processed.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("unsupported media type {0}")]
    UnsupportedMediaType(String),
    /// A register or outside system that could not be reached.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The database could not be reached (the pool logs when it is lost and when it is back).
    #[error("database unavailable")]
    DatabaseUnavailable,
    /// A database error that means the connection failed; the pool turns it into
    /// [`ApiError::DatabaseUnavailable`] after dropping the connection.
    #[error("database connection failed: {0}")]
    Database(diesel::result::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A validation error with a single entry.
    pub fn invalid(
        name: impl Into<String>,
        code: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ApiError::Validation(vec![InvalidParam::new(name, code, reason)])
    }

    /// A reference to an object that does not exist ([`InvalidParam::no_such_object`]).
    pub fn no_such_object(name: impl Into<String>, model: &str) -> Self {
        ApiError::Validation(vec![InvalidParam::no_such_object(name, model)])
    }

    /// Another object has these fields' values already ([`InvalidParam::not_unique`]).
    pub fn not_unique(fields: &str) -> Self {
        ApiError::Validation(vec![InvalidParam::not_unique(fields)])
    }

    pub fn not_found() -> Self {
        ApiError::NotFound("Niet gevonden.")
    }

    /// The problem this error is answered with.
    pub fn problem(&self) -> Problem {
        let (status, kind, code, title, detail): (StatusCode, &str, &str, &str, String) = match self
        {
            ApiError::Validation(_) => (
                StatusCode::BAD_REQUEST,
                "ValidationError",
                "invalid",
                "Ongeldige invoerwaarde.",
                "Ongeldige invoerwaarde.".into(),
            ),
            ApiError::Parse(detail) => (
                StatusCode::BAD_REQUEST,
                "ParseError",
                "parse_error",
                "Ongeldig samengestelde request.",
                format!("JSON parse error - {detail}"),
            ),
            ApiError::NotAuthenticated => (
                StatusCode::UNAUTHORIZED,
                "NotAuthenticated",
                "not_authenticated",
                "Authenticatiegegevens zijn niet opgegeven.",
                "Authenticatiegegevens zijn niet opgegeven.".into(),
            ),
            ApiError::AuthenticationFailed => (
                StatusCode::UNAUTHORIZED,
                "AuthenticationFailed",
                "authentication_failed",
                "Ongeldige authenticatiegegevens.",
                "Ongeldige token.".into(),
            ),
            ApiError::PermissionDenied => (
                StatusCode::FORBIDDEN,
                "PermissionDenied",
                "permission_denied",
                "U heeft geen toestemming om deze actie uit te voeren.",
                "U heeft geen toestemming om deze actie uit te voeren.".into(),
            ),
            ApiError::BsnNotPermitted => (
                StatusCode::FORBIDDEN,
                "PermissionDenied",
                "permission_denied",
                "U heeft geen toestemming om deze actie uit te voeren.",
                "Dit token mag geen BSN zien of gebruiken: zoeken op of schrijven van een BSN vraagt de scope bsn.".into(),
            ),
            ApiError::ActivityNotPermitted => (
                StatusCode::FORBIDDEN,
                "PermissionDenied",
                "permission_denied",
                "U heeft geen toestemming om deze actie uit te voeren.",
                "Dit token mag deze verwerkingsactiviteit niet opgeven: het is gemaakt voor andere.".into(),
            ),
            ApiError::NotFound(detail) => (
                StatusCode::NOT_FOUND,
                "NotFound",
                "not_found",
                "Niet gevonden.",
                (*detail).into(),
            ),
            ApiError::MethodNotAllowed(method) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "method_not_allowed",
                "Methode \"{method}\" niet toegestaan.",
                format!("Methode \"{method}\" niet toegestaan."),
            ),
            ApiError::NotAcceptable => (
                StatusCode::NOT_ACCEPTABLE,
                "NotAcceptable",
                "not_acceptable",
                "Kan niet voldoen aan de opgegeven Accept header.",
                "Kan niet voldoen aan de opgegeven Accept header.".into(),
            ),
            ApiError::Conflict(detail) => (
                StatusCode::CONFLICT,
                "Conflict",
                "conflict",
                "Conflict met een verzoek dat nog loopt.",
                (*detail).into(),
            ),
            ApiError::UnsupportedMediaType(media_type) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                "unsupported_media_type",
                "Ongeldige media type \"{media_type}\" in aanvraag.",
                format!("Ongeldige media type \"{media_type}\" in aanvraag."),
            ),
            ApiError::Unavailable(_) | ApiError::DatabaseUnavailable | ApiError::Database(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "service_unavailable",
                "Service tijdelijk niet beschikbaar, probeer het later opnieuw.",
                "Service tijdelijk niet beschikbaar, probeer het later opnieuw.".into(),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "APIException",
                "error",
                "Er is een serverfout opgetreden.",
                "Er is een serverfout opgetreden.".into(),
            ),
        };
        Problem {
            status,
            kind,
            code,
            title: title.to_owned(),
            detail,
            instance: Uuid::new_v4(),
            invalid_params: match self {
                ApiError::Validation(params) => Some(params.clone()),
                _ => None,
            },
        }
    }
}

impl From<reference::ResolveError> for ApiError {
    fn from(error: reference::ResolveError) -> Self {
        ApiError::Unavailable(error.to_string())
    }
}

/// A problem, ready to be written once the origin is known.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// The exception name the `type` URL ends in.
    pub kind: &'static str,
    pub code: &'static str,
    pub title: String,
    pub detail: String,
    pub instance: Uuid,
    pub invalid_params: Option<Vec<InvalidParam>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: String,
    code: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
    instance: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    invalid_params: Option<&'a [InvalidParam]>,
}

impl Problem {
    /// The JSON body, with `type` under the given origin.
    pub fn body(&self, origin: &str) -> Vec<u8> {
        let body = ProblemBody {
            kind: format!("{origin}/ref/fouten/{}/", self.kind),
            code: self.code,
            title: &self.title,
            status: self.status.as_u16(),
            detail: &self.detail,
            instance: format!("urn:uuid:{}", self.instance),
            invalid_params: self.invalid_params.as_deref(),
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem().status
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        match self {
            ApiError::Internal(cause) => tracing::error!(
                instance = %problem.instance,
                error = format!("{cause:#}"),
                "api.uncaught_exception"
            ),
            ApiError::Unavailable(cause) => tracing::warn!(
                instance = %problem.instance,
                error = %cause,
                "api.unavailable"
            ),
            ApiError::DatabaseUnavailable | ApiError::Database(_) => tracing::debug!(
                instance = %problem.instance,
                "api.database_unavailable"
            ),
            ApiError::Validation(params) => tracing::info!(
                instance = %problem.instance,
                invalid_params = ?params.iter().map(|p| (&p.name, &p.code)).collect::<Vec<_>>(),
                "api.handled_exception"
            ),
            _ => {
                tracing::info!(instance = %problem.instance, code = problem.code, "api.handled_exception")
            }
        }
        let mut response = HttpResponse::build(problem.status);
        if matches!(
            self,
            ApiError::NotAuthenticated | ApiError::AuthenticationFailed
        ) {
            response.insert_header(("WWW-Authenticate", "Token"));
        }
        if problem.status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header(("Retry-After", RETRY_AFTER_SECONDS.to_string()));
        }
        let mut response = response.finish();
        response.extensions_mut().insert(problem);
        response
    }
}
