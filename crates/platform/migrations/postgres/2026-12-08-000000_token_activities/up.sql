-- The processing activities (Logboek Dataverwerkingen) a token's calls serve: URIs separated
-- by spaces, the first the default; empty: the token names none and a request may name any.
ALTER TABLE api_tokens ADD COLUMN verwerkingsactiviteiten TEXT NOT NULL DEFAULT '';
