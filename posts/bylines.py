"""The byline's ordered many-to-many: `post.authors.all()` comes back in the byline's order, each
author carrying the name as that post credits it (`credited_as`), read in the same query."""

from django.db import models
from django.db.models.fields.related_descriptors import (
    ManyToManyDescriptor,
    create_forward_many_to_many_manager,
)
from django.utils.functional import cached_property


class BylineOrderedManager(models.Manager):
    """`post.authors.all()` lists the byline in its stored order, prefetched or not."""

    def get_queryset(self):
        # Ordering reuses the join to Byline that the relation's own filter makes: no row repeats.
        return (
            super()
            .get_queryset()
            .order_by(models.F("bylines__position").asc(nulls_last=True), "bylines__id")
        )


def with_credits(queryset):
    """Each author with the byline's `credited_as`: annotated once the relation's filter has
    joined Byline, so that the annotation reuses that join rather than making another."""
    return queryset.annotate(credited_as=models.F("bylines__credited_as"))


class CreditedAuthors:
    """`post.authors.all()`, and its prefetch, give each author the post's `credited_as`."""

    def _apply_rel_filters(self, queryset):
        return with_credits(super()._apply_rel_filters(queryset))

    def get_prefetch_querysets(self, instances, querysets=None):
        queryset, *rest = super().get_prefetch_querysets(instances, querysets)
        return (with_credits(queryset), *rest)


class BylineField(models.ManyToManyField):
    """A many-to-many whose forward manager keeps the through model's order."""

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        setattr(cls, name, BylineDescriptor(self.remote_field, reverse=False))


class BylineDescriptor(ManyToManyDescriptor):
    @cached_property
    def related_manager_cls(self):
        manager = create_forward_many_to_many_manager(BylineOrderedManager, self.rel, reverse=False)
        return type(manager.__name__, (CreditedAuthors, manager), {})
