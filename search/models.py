"""What PostgreSQL searches: a document for each post, written by search.index.

SQLite searches its FTS5 table instead (search.index), and leaves this table empty.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from posts.models import Post


class SearchDocument(models.Model):
    """A post's text as PostgreSQL searches it: the stored vector and the plain body for
    snippets, both derived from the post, never edited."""

    post = models.OneToOneField(
        Post, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    body = models.TextField(blank=True, editable=False)
    # Kept in its row rather than in TOAST on PostgreSQL (see migration 0001).
    vector = SearchVectorField(editable=False)

    class Meta:
        # Nobody edits documents, so no role is granted anything on them.
        default_permissions = ()
        # Created on PostgreSQL only (see migration 0001): SQLite has no GIN.
        indexes = [GinIndex(fields=["vector"], name="search_document_vector")]

    def __str__(self):
        return f"Search document of post {self.post_id}"
