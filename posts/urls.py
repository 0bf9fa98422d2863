from django.urls import path

from . import views

app_name = "posts"

# <str:slug>, not <slug:slug>: slugs may be Unicode (allow_unicode=True).
urlpatterns = [
    path("", views.home, name="home"),
    path("posts/<str:slug>/", views.post_detail, name="detail"),
    path("tags/<str:slug>/", views.tag_posts, name="tag"),
    path("authors/<str:slug>/", views.author_posts, name="author"),
    path("sections/<str:slug>/", views.section_posts, name="section"),
]
