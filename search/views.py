"""The search page."""

from django.shortcuts import render

from posts.caching import SEARCH, public
from posts.views import paginate

from .backends import find
from .text import clean_query


def search(request):
    """/search/?q=: the published posts that match, best first, ten a page; where more
    match than search.backends.CANDIDATES, the most recent that many of them."""
    query = clean_query(request.GET.get("q", ""))
    results = find(query)
    page = paginate(request, results)
    context = {"query": query, "page_obj": page, "capped": results.capped}
    return public(render(request, "search/search.html", context), [SEARCH])
