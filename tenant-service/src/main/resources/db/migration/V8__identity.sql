-- Sign-in. Users' passwords (Spring Security's delegating encoder: "{bcrypt}…"), never
-- returned by any endpoint. Null until the user sets one with an invitation token.
alter table tenant_user add column password_hash text;
alter table tenant_user add column password_set_at timestamptz;

-- One-time tokens that let a user set a password: an invitation when the user is created,
-- a reset when asked for. Only their SHA-256 is stored; the token itself is in the
-- notification sent to the user.
create table password_token (
    token_hash bytea       primary key,
    tenant_id  uuid        not null,
    user_id    uuid        not null,
    purpose    text        not null check (purpose in ('INVITATION', 'RESET')),
    expires_at timestamptz not null,
    created_at timestamptz not null default now(),
    foreign key (tenant_id, user_id) references tenant_user (tenant_id, id) on delete cascade
);

create index password_token_user on password_token (tenant_id, user_id);

-- A tenant's machine clients (client credentials), created by its admins. The client's
-- secret hash and settings are in Spring Authorization Server's oauth2_registered_client.
create table tenant_client (
    client_id  text        primary key,
    tenant_id  uuid        not null references tenant (id),
    name       text        not null,
    roles      text[]      not null,
    created_by text        not null,
    created_at timestamptz not null default now()
);

create index tenant_client_tenant on tenant_client (tenant_id, created_at);

-- Spring Authorization Server's schema (oauth2-registered-client-schema.sql and
-- oauth2-authorization-schema.sql of spring-security-oauth2-authorization-server 7.0),
-- with PostgreSQL types as its notes ask: text for blob, timestamptz for timestamp.
create table oauth2_registered_client (
    id varchar(100) not null,
    client_id varchar(100) not null,
    client_id_issued_at timestamptz default current_timestamp not null,
    client_secret varchar(200) default null,
    client_secret_expires_at timestamptz default null,
    client_name varchar(200) not null,
    client_authentication_methods varchar(1000) not null,
    authorization_grant_types varchar(1000) not null,
    redirect_uris varchar(1000) default null,
    post_logout_redirect_uris varchar(1000) default null,
    scopes varchar(1000) not null,
    client_settings varchar(2000) not null,
    token_settings varchar(2000) not null,
    primary key (id)
);

create unique index oauth2_registered_client_client_id on oauth2_registered_client (client_id);

create table oauth2_authorization (
    id varchar(100) not null,
    registered_client_id varchar(100) not null,
    principal_name varchar(200) not null,
    authorization_grant_type varchar(100) not null,
    authorized_scopes varchar(1000) default null,
    attributes text default null,
    state varchar(500) default null,
    authorization_code_value text default null,
    authorization_code_issued_at timestamptz default null,
    authorization_code_expires_at timestamptz default null,
    authorization_code_metadata text default null,
    access_token_value text default null,
    access_token_issued_at timestamptz default null,
    access_token_expires_at timestamptz default null,
    access_token_metadata text default null,
    access_token_type varchar(100) default null,
    access_token_scopes varchar(1000) default null,
    oidc_id_token_value text default null,
    oidc_id_token_issued_at timestamptz default null,
    oidc_id_token_expires_at timestamptz default null,
    oidc_id_token_metadata text default null,
    refresh_token_value text default null,
    refresh_token_issued_at timestamptz default null,
    refresh_token_expires_at timestamptz default null,
    refresh_token_metadata text default null,
    user_code_value text default null,
    user_code_issued_at timestamptz default null,
    user_code_expires_at timestamptz default null,
    user_code_metadata text default null,
    device_code_value text default null,
    device_code_issued_at timestamptz default null,
    device_code_expires_at timestamptz default null,
    device_code_metadata text default null,
    primary key (id)
);

-- Every token request finds its authorization by a token's value (long random strings:
-- hash indexes); revoking a user's or a client's tokens finds them by principal.
create index oauth2_authorization_state on oauth2_authorization using hash (state);
create index oauth2_authorization_code on oauth2_authorization using hash (authorization_code_value);
create index oauth2_authorization_access on oauth2_authorization using hash (access_token_value);
create index oauth2_authorization_refresh on oauth2_authorization using hash (refresh_token_value);
create index oauth2_authorization_principal on oauth2_authorization (principal_name);
create index oauth2_authorization_client on oauth2_authorization (registered_client_id);

create table oauth2_authorization_consent (
    registered_client_id varchar(100) not null,
    principal_name varchar(200) not null,
    authorities varchar(1000) not null,
    primary key (registered_client_id, principal_name)
);
