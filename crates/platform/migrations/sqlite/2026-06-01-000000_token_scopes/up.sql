-- What a token may do: comma-separated register:read|write ('*' for every register); empty: everything.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
