"""Social map: the HSDS 3.0 tables (bot/socialmap/models.py) and unmet_need.

Revision ID: 0001_socialmap
Revises: (none)
Create Date: 2026-11-24 07:22:13.710568

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001_socialmap"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""

    op.create_table(
        "organization",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("legal_status", sa.String(length=100), nullable=True),
        sa.Column("parent_organization_id", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["parent_organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_source"), ["source"], unique=False)

    op.create_table(
        "taxonomy",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("uri", sa.String(length=500), nullable=True),
        sa.Column("version", sa.String(length=50), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("taxonomy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_source"), ["source"], unique=False)

    op.create_table(
        "unmet_need",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("theme", sa.String(length=100), nullable=False),
        sa.Column("gemeente_code", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("theme", "gemeente_code", name="uq_unmet_need_theme_gemeente"),
    )
    op.create_table(
        "location",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.String(length=100), nullable=True),
        sa.Column("location_type", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("transportation", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("external_identifier", sa.String(length=100), nullable=True),
        sa.Column("external_identifier_type", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_location_source"), ["source"], unique=False)

    op.create_table(
        "service",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("application_process", sa.Text(), nullable=True),
        sa.Column("fees_description", sa.Text(), nullable=True),
        sa.Column("eligibility_description", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.Column("assurer_email", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.create_index("ix_service_organization_id", ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_source"), ["source"], unique=False)

    op.create_table(
        "taxonomy_term",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.String(length=100), nullable=True),
        sa.Column("taxonomy_id", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["taxonomy_term.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["taxonomy_id"], ["taxonomy.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("taxonomy_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_term_source"), ["source"], unique=False)

    op.create_table(
        "address",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("location_id", sa.String(length=100), nullable=False),
        sa.Column("attention", sa.String(length=255), nullable=True),
        sa.Column("address_1", sa.String(length=255), nullable=False),
        sa.Column("address_2", sa.String(length=255), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("state_province", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("address_type", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.create_index("ix_address_location_id", ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_address_source"), ["source"], unique=False)

    op.create_table(
        "attribute",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("link_id", sa.String(length=100), nullable=False),
        sa.Column("link_type", sa.String(length=50), nullable=True),
        sa.Column("link_entity", sa.String(length=50), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("label", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["taxonomy_term_id"], ["taxonomy_term.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attribute", schema=None) as batch_op:
        batch_op.create_index("ix_attribute_link", ["link_entity", "link_id", "link_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_attribute_source"), ["source"], unique=False)
        batch_op.create_index("ix_attribute_term", ["taxonomy_term_id"], unique=False)

    op.create_table(
        "service_at_location",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=False),
        sa.Column("location_id", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("service_at_location", schema=None) as batch_op:
        batch_op.create_index("ix_service_at_location_location_id", ["location_id"], unique=False)
        batch_op.create_index("ix_service_at_location_service_id", ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_at_location_source"), ["source"], unique=False)

    op.create_table(
        "service_taxonomy",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("label", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["taxonomy_term_id"], ["taxonomy_term.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("service_id", "taxonomy_term_id", name="uq_service_taxonomy_service_term"),
    )
    with op.batch_alter_table("service_taxonomy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_taxonomy_source"), ["source"], unique=False)
        batch_op.create_index("ix_service_taxonomy_term_service", ["taxonomy_term_id", "service_id"], unique=False)

    op.create_table(
        "contact",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.String(length=100), nullable=True),
        sa.Column("service_id", sa.String(length=100), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=100), nullable=True),
        sa.Column("location_id", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("department", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"], ["service_at_location.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index("ix_contact_service_id", ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_source"), ["source"], unique=False)

    op.create_table(
        "schedule",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=True),
        sa.Column("location_id", sa.String(length=100), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=100), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("freq", sa.String(length=10), nullable=False),
        sa.Column("byday", sa.String(length=30), nullable=False),
        sa.Column("opens_at", sa.Time(), nullable=True),
        sa.Column("closes_at", sa.Time(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"], ["service_at_location.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.create_index("ix_schedule_location_id", ["location_id"], unique=False)
        batch_op.create_index("ix_schedule_service_at_location_id", ["service_at_location_id"], unique=False)
        batch_op.create_index("ix_schedule_service_id", ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedule_source"), ["source"], unique=False)

    op.create_table(
        "service_area",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=False),
        sa.Column("service_at_location_id", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("extent_type", sa.String(length=20), nullable=True),
        sa.Column("uri", sa.String(length=500), nullable=True),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"], ["service_at_location.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("service_area", schema=None) as batch_op:
        batch_op.create_index("ix_service_area_scope_code_service", ["scope", "code", "service_id"], unique=False)
        batch_op.create_index("ix_service_area_service_id", ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_area_source"), ["source"], unique=False)

    op.create_table(
        "phone",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("assured_date", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("location_id", sa.String(length=100), nullable=True),
        sa.Column("service_id", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.String(length=100), nullable=True),
        sa.Column("contact_id", sa.String(length=100), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=100), nullable=True),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("extension", sa.String(length=20), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"], ["service_at_location.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phone", schema=None) as batch_op:
        batch_op.create_index("ix_phone_organization_id", ["organization_id"], unique=False)
        batch_op.create_index("ix_phone_service_id", ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phone_source"), ["source"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""

    with op.batch_alter_table("phone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_source"))
        batch_op.drop_index("ix_phone_service_id")
        batch_op.drop_index("ix_phone_organization_id")

    op.drop_table("phone")
    with op.batch_alter_table("service_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_area_source"))
        batch_op.drop_index("ix_service_area_service_id")
        batch_op.drop_index("ix_service_area_scope_code_service")

    op.drop_table("service_area")
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_source"))
        batch_op.drop_index("ix_schedule_service_id")
        batch_op.drop_index("ix_schedule_service_at_location_id")
        batch_op.drop_index("ix_schedule_location_id")

    op.drop_table("schedule")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_source"))
        batch_op.drop_index("ix_contact_service_id")

    op.drop_table("contact")
    with op.batch_alter_table("service_taxonomy", schema=None) as batch_op:
        batch_op.drop_index("ix_service_taxonomy_term_service")
        batch_op.drop_index(batch_op.f("ix_service_taxonomy_source"))

    op.drop_table("service_taxonomy")
    with op.batch_alter_table("service_at_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_at_location_source"))
        batch_op.drop_index("ix_service_at_location_service_id")
        batch_op.drop_index("ix_service_at_location_location_id")

    op.drop_table("service_at_location")
    with op.batch_alter_table("attribute", schema=None) as batch_op:
        batch_op.drop_index("ix_attribute_term")
        batch_op.drop_index(batch_op.f("ix_attribute_source"))
        batch_op.drop_index("ix_attribute_link")

    op.drop_table("attribute")
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_address_source"))
        batch_op.drop_index("ix_address_location_id")

    op.drop_table("address")
    with op.batch_alter_table("taxonomy_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_term_source"))

    op.drop_table("taxonomy_term")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_source"))
        batch_op.drop_index("ix_service_organization_id")

    op.drop_table("service")
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_source"))

    op.drop_table("location")
    op.drop_table("unmet_need")
    with op.batch_alter_table("taxonomy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_source"))

    op.drop_table("taxonomy")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_source"))

    op.drop_table("organization")
