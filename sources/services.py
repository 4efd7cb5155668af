"""Writes for experts and sources. Each function validates with full_clean() before saving."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from sources.bulk import BATCH as BULK_BATCH
from sources.bulk import insert_with_history
from sources.models import Expert, Source
from sources.signals import experts_bulk_written


def unique_slug(model, text, *, max_length=100, exclude_pk=None):
    """A slug for text that no other row of model uses: "name", then "name-2", "name-3"…"""
    base = slugify(text)[: max_length - 4].strip("-") or "item"
    taken = model.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    taken = set(taken.values_list("slug", flat=True))
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


def stamp_history_user(instance, user):
    """Record `user` as the author of the change in the history (anonymous and None are skipped)."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user


def save_validated(instance, user=None):
    """full_clean() then save(), with `user` recorded in the history. Returns the instance."""
    stamp_history_user(instance, user)
    instance.full_clean()
    instance.save()
    return instance


def _apply(instance, changes, user):
    for field, value in changes.items():
        setattr(instance, field, value)
    return save_validated(instance, user)


@transaction.atomic
def create_expert(*, name, slug="", affiliation="", bio="", links=None, user=None):
    """Add an expert; the slug is made from the name when not given."""
    expert = Expert(
        slug=slug or unique_slug(Expert, name), name=name, affiliation=affiliation, bio=bio,
        links=[] if links is None else links,
    )
    return _apply(expert, {}, user)


@transaction.atomic
def update_expert(expert, *, user=None, **changes):
    """Change an expert's fields."""
    return _apply(expert, changes, user)


@transaction.atomic
def create_source(
    *, title, published_on, slug="", publisher="", url="", authors=(), excerpt="", notes="", article_text="", user=None,
):
    """Add a source; the slug is made from the date and title when not given."""
    source = Source(
        slug=slug or unique_slug(Source, f"{published_on:%Y-%m-%d} {title}", max_length=120),
        title=title, publisher=publisher, url=url, published_on=published_on, excerpt=excerpt, notes=notes,
        article_text=article_text or "",
    )
    _apply(source, {}, user)
    source.authors.set(authors)
    return source


@transaction.atomic
def update_source(source, *, user=None, authors=None, **changes):
    """Change a source's fields, and its authors when given."""
    _apply(source, changes, user)
    if authors is not None:
        source.authors.set(authors)
    return source


# Bulk writes (imports)

EXPERT_IMPORT_FIELDS = ["name", "affiliation", "bio"]


def validate_without_queries(instance, exclude=()):
    """full_clean() minus the checks that query the database once per object (uniqueness,
    constraints, foreign keys): bulk writers check those for all rows at once."""
    foreign_keys = [field.name for field in instance._meta.fields if field.is_relation]
    instance.full_clean(exclude=[*foreign_keys, *exclude], validate_unique=False, validate_constraints=False)


def history_user(user):
    """The user to record in bulk-written history, or None for anonymous and missing users."""
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def import_experts(*, new, changed, user=None):
    """Create the `new` experts and save EXPERT_IMPORT_FIELDS of the `changed` ones, in bulk, with history.

    Each expert must already be validated (validate_without_queries) and slugs must be unique
    among themselves and, for new experts, in the database.
    """
    author = history_user(user)
    insert_with_history(Expert, new, user=author)
    now = timezone.now()
    for expert in changed:
        expert.updated_at = now
    if changed:
        bulk_update_with_history(
            changed, Expert, [*EXPERT_IMPORT_FIELDS, "updated_at"], batch_size=BULK_BATCH, default_user=author
        )
    if new or changed:
        experts_bulk_written.send(sender=Expert)
    return new, changed
