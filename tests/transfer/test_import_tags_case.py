"""Imported tags are one per name whatever its case, as the admin's are."""

from helpers import run_command, write_site
from taggit.models import Tag

from posts.models import Post

POST = "---\ntitle: {title}\ndate: 2024-05-0{day} 10:00:00 +00:00\ntags: [{tags}]\n---\nText.\n"


def test_an_import_reuses_a_tag_spelt_in_another_case(db, tmp_path):
    Tag.objects.create(name="NATO")
    site = write_site(
        tmp_path,
        {
            "_posts/2024-05-01-one.md": POST.format(title="One", day=1, tags="nato, Sea power"),
            "_posts/2024-05-02-two.md": POST.format(title="Two", day=2, tags="Nato, sea power"),
        },
    )

    run_command("import_posts", site)

    assert sorted(Tag.objects.values_list("name", flat=True)) == ["NATO", "Sea power"]
    for post in Post.objects.all():
        assert sorted(tag.name for tag in post.tags.all()) == ["NATO", "Sea power"]


def test_one_post_naming_a_tag_in_two_cases_carries_it_once(db, tmp_path):
    site = write_site(
        tmp_path,
        {"_posts/2024-05-01-one.md": POST.format(title="One", day=1, tags="NATO, nato, Nato")},
    )

    run_command("import_posts", site)

    assert list(Post.objects.get().tags.values_list("name", flat=True)) == ["NATO"]
