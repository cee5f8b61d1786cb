-- The token signing keys, newest first: the newest signs, it and the one before are
-- published in the JWKS (so tokens signed before a rotation stay valid until they
-- expire). Shared by every tenant-service instance. Private keys: this database is
-- tenant-service's own; a key management service would hold them in a larger setup.
create table signing_key (
    kid text primary key,
    jwk text not null,
    created_at timestamptz not null default clock_timestamp()
);
