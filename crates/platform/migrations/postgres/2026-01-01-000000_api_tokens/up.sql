-- API tokens: only a SHA-256 hash of each token is kept.
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    identifier TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    application TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP NULL
);
CREATE UNIQUE INDEX api_tokens_active_identifier ON api_tokens (identifier) WHERE revoked_at IS NULL;
