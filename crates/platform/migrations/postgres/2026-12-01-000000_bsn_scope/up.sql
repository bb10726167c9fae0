-- The `bsn` scope: a token with scopes sees and uses BSNs only when they include it. Tokens
-- made with scopes before it existed could see them: they keep that.
UPDATE api_tokens SET scopes = scopes || ',bsn' WHERE scopes <> '';
