"""newsroom roles on PostgreSQL: group roles and grants, row-level security on articles, triggers
for the status changes a role may make and for who made a change; nothing on SQLite

Four nested NOLOGIN group roles (contributor, author, editor, admin), named after the database
and schema (``balita_group``) so newsrooms sharing a server never share one. From here on the
database enforces, whoever connects: the grants (revisions and corrections append-only for all
but admins), row-level security so contributors and authors write only their own stories, and
triggers for the status changes a role may make (``services/permissions.py`` at this revision)
and for who made a change (``session_user``). Users are managed through SECURITY DEFINER
functions only admins may call, so an admin needs no CREATEROLE; making the groups does.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28"""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROLES = ("contributor", "author", "editor", "admin")
# (action, least role for one's own story, least role for anyone's): services/permissions.py RULES
# as it was when this migration was written. A later change of the rules is a later migration.
RULES = (
    ("create", "contributor", "contributor"),
    ("edit", "contributor", "editor"),
    ("edit_live", "author", "editor"),
    ("publish", "author", "editor"),
    ("correct", "author", "editor"),
    ("retract", "editor", "editor"),
    ("archive", "editor", "editor"),
    ("trash", "editor", "editor"),
    ("terms", "editor", "editor"),
    ("media", "editor", "editor"),
    ("sources", "editor", "editor"),
    ("settings", "editor", "editor"),
    ("purge", "admin", "admin"),
    ("history", "admin", "admin"),
    ("users", "admin", "admin"),
    ("restore", "admin", "admin"),
    ("migrate", "admin", "admin"),
)
# What each group may do beyond reading, on top of what the group below it may.
GRANTS = {
    "contributor": {
        "article": "INSERT, UPDATE",
        "article_tag": "INSERT, DELETE",
        "article_author": "INSERT, DELETE",
        "article_slug": "INSERT, DELETE",
        "revision": "INSERT",
        "tag": "INSERT",
        "section": "INSERT",
        "author": "INSERT",
    },
    "author": {"correction": "INSERT"},
    "editor": {
        "article_tag": "UPDATE",
        "article_author": "UPDATE",
        "article_slug": "UPDATE",
        "tag": "UPDATE, DELETE",
        "section": "UPDATE, DELETE",
        "author": "UPDATE, DELETE",
        "photo": "INSERT, UPDATE, DELETE",
        "source": "INSERT, UPDATE, DELETE",
        "coverage": "INSERT, UPDATE, DELETE",
        "setting": "INSERT, UPDATE, DELETE",
    },
    "admin": {"article": "DELETE", "revision": "UPDATE, DELETE", "correction": "UPDATE, DELETE"},
}
TABLES = (
    "article",
    "article_tag",
    "article_author",
    "article_slug",
    "revision",
    "correction",
    "tag",
    "section",
    "author",
    "photo",
    "source",
    "coverage",
    "setting",
    "alembic_version",
)
# Rows that belong to a story: written only by whoever may write the story.
STORY_ROWS = ("article_tag", "article_author", "article_slug", "revision", "correction")
FUNCTIONS = (
    "balita_group(text)",
    "balita_role_of(text)",
    "balita_session_role()",
    "balita_may(text, text, boolean)",
    "balita_owns(integer, text)",
    "balita_may_hold(integer, text, text, timestamp with time zone)",
    "balita_may_touch(integer)",
    "balita_refuse(text, text, text, boolean)",
    "balita_article_guard()",
    "balita_revision_guard()",
    "balita_correction_guard()",
    "balita_photo_guard()",
    "balita_member_of(text, text)",
    "balita_is_member(text)",
    "balita_is_user(text)",
    "balita_user_check(text, text)",
    "balita_user_add(text, text, text, text)",
    "balita_user_role(text, text)",
    "balita_user_disable(text)",
)
TRIGGERS = (
    ("balita_article_guard", "article", "BEFORE INSERT OR UPDATE"),
    ("balita_revision_guard", "revision", "BEFORE INSERT"),
    ("balita_correction_guard", "correction", "BEFORE INSERT"),
    ("balita_photo_guard", "photo", "BEFORE INSERT"),
)
USER_KEY = "user:"  # setting rows: user:<login> = their e-mail (empty when none was given)


def group_prefix(database: str, schema: str) -> str:
    """``balita_<database>[_<schema>]``, safe and short; a hash keeps changed names apart."""
    base = database if schema == "public" else f"{database}_{schema}"
    clean = re.sub(r"[^a-z0-9_]+", "_", base.lower())
    if clean != base or len(clean) > 40:
        clean = f"{clean[:32]}_{hashlib.sha256(base.encode()).hexdigest()[:6]}"
    return f"balita_{clean}"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite: one file, no users; its permissions are the boundary
    database, schema = bind.execute(sa.text("SELECT current_database(), current_schema()")).one()
    groups = {role: f"{group_prefix(database, schema)}_{role}" for role in ROLES}
    for statement in _statements(schema, groups):
        bind.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    named = sa.text("SELECT role, balita_group(role) FROM unnest(CAST(:roles AS text[])) AS role")
    groups: dict[str, str] = {str(role): str(name) for role, name in bind.execute(named, {"roles": list(ROLES)})}
    for statement in _undo(schema, groups):
        bind.execute(sa.text(statement))


# ---------------------------------------------------------------- upgrade


def _statements(schema: str, groups: dict[str, str]) -> list[str]:
    return [
        *_make_groups(groups),
        *_grants(schema, groups),
        *_functions(schema, groups),
        *_triggers(),
        *_policies(groups),
    ]


def _make_groups(groups: dict[str, str]) -> list[str]:
    made = []
    for role in ROLES:
        name = groups[role]
        made.append(f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {literal(name)}) THEN
                CREATE ROLE {ident(name)} NOLOGIN;
            ELSIF EXISTS (SELECT FROM pg_roles WHERE rolname = {literal(name)} AND (rolcanlogin OR rolsuper)) THEN
                RAISE EXCEPTION 'role {name} exists and is a login or a superuser, not a balita group';
            END IF; END $$""")
    for lower, higher in zip(ROLES, ROLES[1:], strict=False):
        made.append(f"GRANT {ident(groups[lower])} TO {ident(groups[higher])}")
    return made


def _grants(schema: str, groups: dict[str, str]) -> list[str]:
    everyone, editor = ident(groups["contributor"]), ident(groups["editor"])
    done = [
        f"GRANT USAGE ON SCHEMA {ident(schema)} TO {everyone}",
        f"GRANT SELECT ON {', '.join(TABLES)} TO {everyone}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {ident(schema)} TO {everyone}",
    ]
    for role, tables in GRANTS.items():
        done += [f"GRANT {privileges} ON {table} TO {ident(groups[role])}" for table, privileges in tables.items()]
    # Tables a later migration makes: everyone reads them, editors write them, unless it says otherwise.
    defaults = f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ident(schema)}"
    done += [
        f"{defaults} GRANT SELECT ON TABLES TO {everyone}",
        f"{defaults} GRANT INSERT, UPDATE, DELETE ON TABLES TO {editor}",
        f"{defaults} GRANT USAGE, SELECT ON SEQUENCES TO {everyone}",
    ]
    return done


def _functions(schema: str, groups: dict[str, str]) -> list[str]:
    here = f"SET search_path = {ident(schema)}, pg_catalog, pg_temp"  # never a temporary table of the caller's
    s = ident(schema)
    group_cases = " ".join(f"WHEN {literal(role)} THEN {literal(groups[role])}" for role in ROLES)
    rule_rows = ", ".join(f"({literal(a)}, {literal(own)}, {literal(anyone)})" for a, own, anyone in RULES)
    ranks = " ".join(f"WHEN {literal(role)} THEN {rank}" for rank, role in enumerate(ROLES))
    role_cases = " ".join(
        f"WHEN pg_has_role(r.oid, {literal(groups[role])}, 'MEMBER') THEN {literal(role)}" for role in reversed(ROLES)
    )
    group_list = ", ".join(literal(groups[role]) for role in ROLES)
    return [
        f"""CREATE FUNCTION balita_group(role text) RETURNS text LANGUAGE sql IMMUTABLE {here}
            AS $$ SELECT CASE role {group_cases} END $$""",
        # A superuser, and whoever owns the tables (ran the migrations), are admins.
        f"""CREATE FUNCTION balita_role_of(login text) RETURNS text LANGUAGE sql STABLE {here} AS $$
            SELECT CASE
                WHEN r.rolsuper THEN 'admin'
                WHEN pg_has_role(r.oid, (SELECT c.relowner FROM pg_class c JOIN pg_namespace n
                        ON n.oid = c.relnamespace WHERE n.nspname = {literal(schema)} AND c.relname = 'article'),
                    'MEMBER') THEN 'admin'
                {role_cases}
            END FROM pg_roles r WHERE r.rolname = login $$""",
        f"""CREATE FUNCTION balita_session_role() RETURNS text LANGUAGE sql STABLE {here}
            AS $$ SELECT balita_role_of(session_user) $$""",
        f"""CREATE FUNCTION balita_may(role text, action text, own boolean) RETURNS boolean
            LANGUAGE sql IMMUTABLE {here} AS $$
            SELECT coalesce((
                SELECT (CASE role {ranks} END) >= (CASE CASE WHEN own THEN r.own_role ELSE r.any_role END {ranks} END)
                FROM (VALUES {rule_rows}) AS r(act, own_role, any_role) WHERE r.act = action
            ), false) $$""",
        f"""CREATE FUNCTION balita_owns(article_id integer, created_by text) RETURNS boolean
            LANGUAGE sql STABLE {here} AS $$
            SELECT created_by = session_user OR EXISTS (
                SELECT 1 FROM article_author aa JOIN author au ON au.id = aa.author_id
                JOIN setting s ON s.key = {literal(USER_KEY)} || session_user
                WHERE aa.article_id = balita_owns.article_id AND s.value <> ''
                  AND lower(au.email) = lower(s.value)) $$""",
        # The rows a role may hold: checked by row-level security on every row written.
        f"""CREATE FUNCTION balita_may_hold(article_id integer, created_by text, status text,
                deleted_at timestamp with time zone) RETURNS boolean LANGUAGE sql STABLE {here} AS $$
            SELECT CASE balita_session_role()
                WHEN 'admin' THEN true
                WHEN 'editor' THEN true
                WHEN 'author' THEN deleted_at IS NULL AND balita_owns(article_id, created_by)
                WHEN 'contributor' THEN deleted_at IS NULL AND status IN ('draft', 'review')
                    AND balita_owns(article_id, created_by)
                ELSE false END $$""",
        f"""CREATE FUNCTION balita_may_touch(article_id integer) RETURNS boolean LANGUAGE sql STABLE {here} AS $$
            SELECT CASE WHEN balita_session_role() IN ('admin', 'editor') THEN true
                ELSE coalesce((SELECT balita_may_hold(a.id, a.created_by, a.status, a.deleted_at)
                               FROM article a WHERE a.id = balita_may_touch.article_id), false) END $$""",
        # The DETAIL line is read by balita (services/permissions.py) to word the refusal.
        f"""CREATE FUNCTION balita_refuse(login text, role text, action text, own boolean) RETURNS void
            LANGUAGE plpgsql {here} AS $$ BEGIN
            RAISE EXCEPTION USING ERRCODE = '42501',
                MESSAGE = CASE WHEN role IS NULL THEN format('%s has no role in this newsroom', login)
                    ELSE format('%s (%s) may not %s %s', login, role, replace(action, '_', ' '),
                                CASE WHEN own THEN 'their own story' ELSE 'this story' END) END,
                DETAIL = format('balita-refusal action=%s own=%s role=%s user=%s', action,
                                CASE WHEN own THEN 'true' ELSE 'false' END, coalesce(role, ''), login),
                HINT = 'an admin gives roles with: balita user role NAME ROLE';
            END $$""",
        f"""CREATE FUNCTION balita_article_guard() RETURNS trigger LANGUAGE plpgsql {here} AS $$
            DECLARE
                login text := session_user;
                role text := balita_session_role();
                action text;
                own boolean := true;
            BEGIN
                IF role = 'admin' THEN  -- may record a change under another name (balita --as)
                    IF TG_OP = 'INSERT' THEN
                        NEW.created_by := coalesce(nullif(NEW.created_by, ''), login);
                    END IF;
                    NEW.updated_by := coalesce(nullif(NEW.updated_by, ''), login);
                    RETURN NEW;
                END IF;
                IF TG_OP = 'INSERT' THEN
                    NEW.created_by := login;
                    action := CASE
                        WHEN NEW.deleted_at IS NOT NULL THEN 'trash'
                        WHEN NEW.status = 'retracted' THEN 'retract'
                        WHEN NEW.status = 'archived' THEN 'archive'
                        WHEN NEW.status IN ('published', 'scheduled') THEN 'publish'
                        ELSE 'create' END;
                ELSE
                    NEW.created_by := OLD.created_by;
                    action := CASE
                        WHEN NEW.deleted_at IS DISTINCT FROM OLD.deleted_at THEN 'trash'
                        WHEN NEW.status <> OLD.status AND NEW.status = 'retracted' THEN 'retract'
                        WHEN NEW.retraction_reason IS DISTINCT FROM OLD.retraction_reason THEN 'retract'
                        WHEN NEW.status <> OLD.status AND NEW.status = 'archived' THEN 'archive'
                        WHEN NEW.status <> OLD.status AND (NEW.status IN ('published', 'scheduled')
                            OR OLD.status NOT IN ('draft', 'review')) THEN 'publish'
                        WHEN NEW.published_at IS DISTINCT FROM OLD.published_at
                            OR NEW.scheduled_at IS DISTINCT FROM OLD.scheduled_at THEN 'publish'
                        WHEN OLD.status IN ('draft', 'review') THEN 'edit'
                        ELSE 'edit_live' END;
                    IF role IN ('contributor', 'author') THEN
                        own := balita_owns(OLD.id, OLD.created_by);
                    END IF;
                END IF;
                NEW.updated_by := login;
                IF role IS NULL OR NOT balita_may(role, action, own) THEN
                    PERFORM balita_refuse(login, role, action, own);
                END IF;
                RETURN NEW;
            END $$""",
        f"""CREATE FUNCTION balita_revision_guard() RETURNS trigger LANGUAGE plpgsql {here} AS $$ BEGIN
                IF balita_session_role() = 'admin' THEN
                    NEW.changed_by := coalesce(nullif(NEW.changed_by, ''), session_user);
                ELSE
                    NEW.changed_by := session_user;
                END IF;
                RETURN NEW;
            END $$""",
        f"""CREATE FUNCTION balita_correction_guard() RETURNS trigger LANGUAGE plpgsql {here} AS $$
            DECLARE
                role text := balita_session_role();
                action text := CASE WHEN NEW.kind = 'retraction' THEN 'retract' ELSE 'correct' END;
                own boolean;
            BEGIN
                IF role IN ('admin', 'editor') THEN RETURN NEW; END IF;
                own := coalesce((SELECT balita_owns(a.id, a.created_by) FROM article a WHERE a.id = NEW.article_id),
                                false);
                IF role IS NULL OR NOT balita_may(role, action, own) THEN
                    PERFORM balita_refuse(session_user, role, action, own);
                END IF;
                RETURN NEW;
            END $$""",
        f"""CREATE FUNCTION balita_photo_guard() RETURNS trigger LANGUAGE plpgsql {here} AS $$ BEGIN
                IF balita_session_role() IS DISTINCT FROM 'admin' OR NEW.created_by = '' THEN
                    NEW.created_by := session_user;
                END IF;
                RETURN NEW;
            END $$""",
        # ---- users: SECURITY DEFINER, so an admin needs no CREATEROLE; they touch only logins
        # of this newsroom (never a superuser, never a group), and passwords arrive hashed.
        f"""CREATE FUNCTION balita_member_of(login text, group_name text) RETURNS boolean
            LANGUAGE sql STABLE {here} AS $$
            SELECT EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                           JOIN pg_roles u ON u.oid = m.member
                           WHERE u.rolname = login AND g.rolname = group_name) $$""",
        f"""CREATE FUNCTION balita_is_member(login text) RETURNS boolean LANGUAGE sql STABLE {here} AS $$
            SELECT bool_or(balita_member_of(login, g)) FROM unnest(ARRAY[{group_list}]) AS g $$""",
        f"""CREATE FUNCTION balita_is_user(login text) RETURNS boolean LANGUAGE sql STABLE {here} AS $$
            SELECT balita_is_member(login)
                OR EXISTS (SELECT FROM setting WHERE key = {literal(USER_KEY)} || login) $$""",
        f"""CREATE FUNCTION balita_user_check(login text, new_role text) RETURNS void
            LANGUAGE plpgsql {here} AS $$ BEGIN
                IF balita_session_role() IS DISTINCT FROM 'admin' THEN
                    PERFORM balita_refuse(session_user, balita_session_role(), 'users', false);
                END IF;
                IF login IS NULL OR login !~ '^[a-z_][a-z0-9_.-]{{0,62}}$' OR login LIKE 'pg\\_%' THEN
                    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('%L is not a user name balita '
                        'accepts (lower-case letters, digits, _ . -; at most 63)', login);
                END IF;
                IF new_role IS NOT NULL AND balita_group(new_role) IS NULL THEN
                    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('unknown role %L', new_role);
                END IF;
                IF EXISTS (SELECT FROM pg_roles WHERE rolname = login AND (rolsuper OR NOT rolcanlogin)) THEN
                    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('%s is a superuser or a group '
                        'role, not a login balita manages', login);
                END IF;
            END $$""",
        f"""CREATE FUNCTION balita_user_add(login text, new_role text, secret text, email text) RETURNS text
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            DECLARE existed boolean;
            BEGIN
                PERFORM {s}.balita_user_check(login, new_role);
                IF secret IS NOT NULL AND secret NOT LIKE 'SCRAM-SHA-256$%' THEN
                    RAISE EXCEPTION USING ERRCODE = '22023',
                        MESSAGE = 'a password must be sent as a SCRAM-SHA-256 verifier, never as itself';
                END IF;
                existed := EXISTS (SELECT FROM pg_roles WHERE rolname = login);
                IF existed AND {s}.balita_is_member(login) THEN
                    RAISE EXCEPTION USING ERRCODE = '42710', MESSAGE = format('%s is a user here already '
                        '(%s): change the role with balita user role', login, {s}.balita_role_of(login));
                END IF;
                IF existed AND secret IS NOT NULL THEN
                    RAISE EXCEPTION USING ERRCODE = '42710', MESSAGE = format('%s is a login on this server '
                        'already: add it with --no-password (its own password stays)', login);
                END IF;
                IF NOT existed THEN
                    IF secret IS NULL THEN
                        EXECUTE format('CREATE ROLE %I LOGIN', login);
                    ELSE
                        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', login, secret);
                    END IF;
                END IF;
                EXECUTE format('GRANT %I TO %I', {s}.balita_group(new_role), login);
                INSERT INTO {s}.setting (key, value, updated_at)
                    VALUES ({literal(USER_KEY)} || login, coalesce(email, ''), now())
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
                RETURN CASE WHEN existed THEN 'existing' ELSE 'created' END;
            END $$""",
        f"""CREATE FUNCTION balita_user_role(login text, new_role text) RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            DECLARE g text;
            BEGIN
                PERFORM {s}.balita_user_check(login, coalesce(new_role, 'contributor'));
                IF NOT {s}.balita_is_user(login) OR NOT EXISTS (SELECT FROM pg_roles WHERE rolname = login) THEN
                    RAISE EXCEPTION USING ERRCODE = '42704',
                        MESSAGE = format('%s is not a user of this newsroom (balita user list shows them)', login);
                END IF;
                FOREACH g IN ARRAY ARRAY[{group_list}] LOOP
                    IF {s}.balita_member_of(login, g) THEN
                        EXECUTE format('REVOKE %I FROM %I', g, login);
                    END IF;
                END LOOP;
                IF new_role IS NOT NULL THEN
                    EXECUTE format('GRANT %I TO %I', {s}.balita_group(new_role), login);
                END IF;
                INSERT INTO {s}.setting (key, value, updated_at) VALUES ({literal(USER_KEY)} || login, '', now())
                    ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at;
            END $$""",
        f"""CREATE FUNCTION balita_user_disable(login text) RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ BEGIN PERFORM {s}.balita_user_role(login, NULL); END $$""",
        *[
            statement
            for name in (
                "balita_user_add(text, text, text, text)",
                "balita_user_role(text, text)",
                "balita_user_disable(text)",
            )
            for statement in (
                f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {name} TO {ident(groups['admin'])}",
            )
        ],
    ]


def _triggers() -> list[str]:
    return [
        f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
        for name, table, when in TRIGGERS
    ]


def _policies(groups: dict[str, str]) -> list[str]:
    everyone, admin = ident(groups["contributor"]), ident(groups["admin"])
    hold = "balita_may_hold(id, created_by, status, deleted_at)"
    done = [
        "ALTER TABLE article ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY balita_read ON article FOR SELECT TO {everyone} USING (true)",
        f"CREATE POLICY balita_insert ON article FOR INSERT TO {everyone} WITH CHECK ({hold})",
        f"CREATE POLICY balita_update ON article FOR UPDATE TO {everyone} USING (true) WITH CHECK ({hold})",
        f"CREATE POLICY balita_delete ON article FOR DELETE TO {admin} USING (true)",
    ]
    for table in STORY_ROWS:
        touch = "balita_may_touch(article_id)"
        done += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY balita_read ON {table} FOR SELECT TO {everyone} USING (true)",
            f"CREATE POLICY balita_insert ON {table} FOR INSERT TO {everyone} WITH CHECK ({touch})",
            f"CREATE POLICY balita_update ON {table} FOR UPDATE TO {everyone} USING ({touch}) WITH CHECK ({touch})",
            f"CREATE POLICY balita_delete ON {table} FOR DELETE TO {everyone} USING ({touch})",
        ]
    return done


# ---------------------------------------------------------------- downgrade


def _undo(schema: str, groups: dict[str, str]) -> list[str]:
    done = []
    for table in ("article", *STORY_ROWS):
        done += [f"DROP POLICY IF EXISTS balita_{name} ON {table}" for name in ("read", "insert", "update", "delete")]
        done.append(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    done += [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table, _when in TRIGGERS]
    done.append(f"DELETE FROM setting WHERE key LIKE {literal(USER_KEY + '%')}")
    names = ", ".join(ident(groups[role]) for role in ROLES)
    defaults = f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ident(schema)}"
    done += [
        f"{defaults} REVOKE ALL ON TABLES FROM {names}",
        f"{defaults} REVOKE ALL ON SEQUENCES FROM {names}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {ident(schema)} FROM {names}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {ident(schema)} FROM {names}",
        f"REVOKE ALL ON SCHEMA {ident(schema)} FROM {names}",
    ]
    done += [f"DROP FUNCTION IF EXISTS {signature}" for signature in reversed(FUNCTIONS)]
    done += [f"DROP ROLE IF EXISTS {ident(groups[role])}" for role in reversed(ROLES)]
    return done
