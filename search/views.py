"""The search page."""

from django.shortcuts import render

from posts.views import paginate

from .backends import find
from .text import clean_query


def search(request):
    """/search/?q=: the published posts that match, best first, ten a page."""
    query = clean_query(request.GET.get("q", ""))
    page = paginate(request, find(query))
    return render(request, "search/search.html", {"query": query, "page_obj": page})
