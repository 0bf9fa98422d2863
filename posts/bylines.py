"""The byline's ordered many-to-many: `post.authors.all()` comes back in the byline's order."""

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


class BylineField(models.ManyToManyField):
    """A many-to-many whose forward manager keeps the through model's order."""

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        setattr(cls, name, BylineDescriptor(self.remote_field, reverse=False))


class BylineDescriptor(ManyToManyDescriptor):
    @cached_property
    def related_manager_cls(self):
        return create_forward_many_to_many_manager(BylineOrderedManager, self.rel, reverse=False)
