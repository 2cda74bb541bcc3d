-- API tokens may expire: epoch milliseconds after which the token is refused, NULL for never.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
