UPDATE api_tokens SET scopes = replace(scopes, ',bsn', '') WHERE scopes <> '';
